/**
 * Invoking an API destination: the HTTP request EventBridge makes for one event (eb-api-destinations), and the
 * OAuth client-credentials tokens it keeps per connection (eb-target-connection-auth).
 *
 * - URL: the destination's InvocationEndpoint, each `*` replaced in order by the target's
 *   HttpParameters.PathParameterValues; query string from the connection's InvocationHttpParameters and the target's
 *   QueryStringParameters; headers likewise. Where both name the same key the connection's value wins.
 *   Target parameter values that are JSON paths (`$.detail.id`) are taken from the event.
 * - Body: the target input (JSON), with the connection's BodyParameters added when it is a JSON object; none for
 *   GET and HEAD.
 * - Auth: API_KEY sends ApiKeyName: ApiKeyValue; BASIC sends `Authorization: Basic …`; OAUTH_CLIENT_CREDENTIALS
 *   sends `Authorization: Bearer <token>`, the token fetched from the AuthorizationEndpoint, cached until 60 s before
 *   it expires, and fetched again when the endpoint answers 401 or 407.
 * - A call times out after 5 seconds (AWS's limit for API destinations).
 * - Outcome: 2xx delivered. 401, 407, 409, 429 and 5xx, time-outs and network failures are retried; any other
 *   answer (1xx, 3xx, other 4xx) is not (AWS's list of retried status codes).
 */
import type { ApiDestinationRecord, ConnectionRecord } from '../../store/events-contract.js';
import { evaluateJsonPath, parseJsonPath } from '../json-path.js';
import type { EventEnvelope } from '../envelope.js';
import { failure, type DeliveryFailure } from './job.js';

const CALL_TIMEOUT_MS = 5_000;
const TOKEN_EARLY_REFRESH_MS = 60_000;
const RETRIED_STATUSES = new Set([401, 407, 409, 429]);

interface KeyValue {
  Key?: string;
  Value?: string;
  IsValueSecret?: boolean;
}

interface HttpParameterLists {
  HeaderParameters?: KeyValue[];
  QueryStringParameters?: KeyValue[];
  BodyParameters?: KeyValue[];
}

interface AuthParameters {
  ApiKeyAuthParameters?: { ApiKeyName?: string; ApiKeyValue?: string };
  BasicAuthParameters?: { Username?: string; Password?: string };
  OAuthParameters?: {
    ClientParameters?: { ClientID?: string; ClientSecret?: string };
    AuthorizationEndpoint?: string;
    HttpMethod?: string;
    OAuthHttpParameters?: HttpParameterLists;
  };
  InvocationHttpParameters?: HttpParameterLists;
}

export interface TargetHttpParameters {
  PathParameterValues?: string[];
  HeaderParameters?: Record<string, string>;
  QueryStringParameters?: Record<string, string>;
}

export interface CallRequest {
  readonly destination: ApiDestinationRecord;
  readonly connection: ConnectionRecord;
  readonly httpParameters: TargetHttpParameters | undefined;
  readonly event: EventEnvelope;
  readonly body: string;
}

/** A value of the target's HttpParameters: a JSON path into the event, or the text itself. */
function dynamic(value: string, event: EventEnvelope): string {
  if (!value.startsWith('$.')) return value;
  const path = parseJsonPath(value);
  const found = path ? evaluateJsonPath(path, event) : undefined;
  return found === undefined ? '' : typeof found === 'string' ? found : JSON.stringify(found);
}

function pairs(list: KeyValue[] | undefined): [string, string][] {
  return (list ?? []).filter((p) => p.Key !== undefined).map((p) => [p.Key!, p.Value ?? '']);
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
  /** The connection version it was fetched for: an UpdateConnection invalidates it. */
  readonly modifiedAt: number;
}

export class ApiDestinationCaller {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly now: () => number) {}

  /** Forgets a connection's token (DeauthorizeConnection, DeleteConnection, UpdateConnection). */
  forget(connectionArn: string): void {
    this.tokens.delete(connectionArn);
  }

  async call(req: CallRequest): Promise<DeliveryFailure | undefined> {
    const auth = req.connection.authParameters as AuthParameters;
    let authorization: Record<string, string>;
    try {
      authorization = await this.authorizationHeaders(req.connection, false);
    } catch (err) {
      return err instanceof TokenError ? err.failure : failure('CONNECTION_FAILURE', `OAuth token request failed: ${(err as Error).message}`, true);
    }
    let answer = await this.send(req, auth, authorization);
    if (req.connection.authorizationType === 'OAUTH_CLIENT_CREDENTIALS' && 'status' in answer && (answer.status === 401 || answer.status === 407)) {
      // The token was refused: fetch a new one and try once more within this attempt.
      try {
        authorization = await this.authorizationHeaders(req.connection, true);
      } catch (err) {
        return err instanceof TokenError ? err.failure : failure('CONNECTION_FAILURE', `OAuth token request failed: ${(err as Error).message}`, true);
      }
      answer = await this.send(req, auth, authorization);
    }
    if ('failure' in answer) return answer.failure;
    if (answer.status >= 200 && answer.status < 300) return undefined;
    const retryable = answer.status >= 500 || RETRIED_STATUSES.has(answer.status);
    return failure('SDK_CLIENT_ERROR', `Unable to invoke ApiDestination endpoint: the endpoint answered HTTP ${answer.status}.`, retryable);
  }

  private async send(req: CallRequest, auth: AuthParameters, authorization: Record<string, string>): Promise<{ status: number } | { failure: DeliveryFailure }> {
    const { destination, httpParameters: p, event } = req;
    let endpoint = destination.invocationEndpoint;
    for (const value of p?.PathParameterValues ?? []) endpoint = endpoint.replace('*', encodeURIComponent(dynamic(value, event)));
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return { failure: failure('INVALID_PARAMETER', `Invalid invocation endpoint: ${endpoint}`, false) };
    }
    const query = new Map<string, string>();
    for (const [k, v] of Object.entries(p?.QueryStringParameters ?? {})) query.set(k, dynamic(v, event));
    for (const [k, v] of pairs(auth.InvocationHttpParameters?.QueryStringParameters)) query.set(k, v);
    for (const [k, v] of query) url.searchParams.append(k, v);

    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Amazon/EventBridge/ApiDestinations' };
    for (const [k, v] of Object.entries(p?.HeaderParameters ?? {})) headers[k.toLowerCase()] = dynamic(v, event);
    for (const [k, v] of pairs(auth.InvocationHttpParameters?.HeaderParameters)) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(authorization)) headers[k.toLowerCase()] = v;

    const method = destination.httpMethod.toUpperCase();
    let body: string | undefined = method === 'GET' || method === 'HEAD' ? undefined : req.body;
    const extra = pairs(auth.InvocationHttpParameters?.BodyParameters);
    if (body !== undefined && extra.length) {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = JSON.stringify({ ...parsed, ...Object.fromEntries(extra) });
      } catch {
        // Not JSON: sent as it is.
      }
    }
    try {
      const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(CALL_TIMEOUT_MS), redirect: 'manual' });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return {
        failure: timedOut
          ? failure('TIMEOUT', `The API destination endpoint did not answer within ${CALL_TIMEOUT_MS / 1000} seconds.`, true)
          : failure('CONNECTION_FAILURE', `Unable to reach the API destination endpoint: ${(err as Error).message}`, true),
      };
    }
  }

  private async authorizationHeaders(connection: ConnectionRecord, refresh: boolean): Promise<Record<string, string>> {
    const auth = connection.authParameters as AuthParameters;
    switch (connection.authorizationType) {
      case 'API_KEY':
        return { [auth.ApiKeyAuthParameters?.ApiKeyName ?? 'x-api-key']: auth.ApiKeyAuthParameters?.ApiKeyValue ?? '' };
      case 'BASIC': {
        const b = auth.BasicAuthParameters;
        return { authorization: `Basic ${Buffer.from(`${b?.Username ?? ''}:${b?.Password ?? ''}`).toString('base64')}` };
      }
      case 'OAUTH_CLIENT_CREDENTIALS':
        return { authorization: `Bearer ${await this.token(connection, refresh)}` };
    }
  }

  /** The connection's access token: cached, or fetched with the client credentials. */
  private async token(connection: ConnectionRecord, refresh: boolean): Promise<string> {
    const cached = this.tokens.get(connection.arn);
    if (!refresh && cached && cached.modifiedAt === connection.modifiedAt && cached.expiresAt - TOKEN_EARLY_REFRESH_MS > this.now()) return cached.token;
    this.tokens.delete(connection.arn);
    const o = (connection.authParameters as AuthParameters).OAuthParameters ?? {};
    const url = new URL(o.AuthorizationEndpoint ?? '');
    const method = (o.HttpMethod ?? 'POST').toUpperCase();
    const client = o.ClientParameters ?? {};
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${client.ClientID ?? ''}:${client.ClientSecret ?? ''}`).toString('base64')}`,
    };
    for (const [k, v] of pairs(o.OAuthHttpParameters?.HeaderParameters)) headers[k.toLowerCase()] = v;
    for (const [k, v] of pairs(o.OAuthHttpParameters?.QueryStringParameters)) url.searchParams.append(k, v);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    for (const [k, v] of pairs(o.OAuthHttpParameters?.BodyParameters)) form.set(k, v);
    let body: string | undefined;
    if (method === 'GET') for (const [k, v] of form) url.searchParams.set(k, v);
    else {
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status < 200 || response.status >= 300) {
      // AWS deauthorizes a connection whose credentials the authorization server refuses; retrying may still help
      // after an UpdateConnection, so the failure is retried.
      throw new TokenError(failure('FAILED_TO_AUTHORIZE', `The authorization endpoint answered HTTP ${response.status}.`, response.status >= 500 || response.status === 429 || response.status === 401));
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new TokenError(failure('FAILED_TO_AUTHORIZE', 'The authorization endpoint answered no JSON.', true));
    }
    if (typeof parsed.access_token !== 'string') throw new TokenError(failure('FAILED_TO_AUTHORIZE', 'The authorization endpoint answered no access_token.', true));
    const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in ?? 3600);
    this.tokens.set(connection.arn, { token: parsed.access_token, expiresAt: this.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000, modifiedAt: connection.modifiedAt });
    return parsed.access_token;
  }
}

class TokenError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(failure.message);
  }
}
