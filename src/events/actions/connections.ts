/**
 * Connections (CreateConnection, DescribeConnection, UpdateConnection, DeleteConnection, ListConnections,
 * DeauthorizeConnection): how API destinations authorize — API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS. As on AWS,
 * the secrets (ApiKeyValue, Password, ClientSecret, and parameters marked IsValueSecret) are never returned.
 * ARNs `arn:aws:events:<region>:<account>:connection/<name>/<uuid>`; AWS keeps the secrets in a Secrets Manager
 * secret, whose ARN DescribeConnection shows (Postbox keeps them in its store and shows an ARN of the same form).
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { ConnectionRecord } from '../../store/events-contract.js';
import { checkName, constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';

export const CONNECTION_NAME_MAX = 64;
const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const AUTHORIZATION_TYPES = ['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'] as const;
const OAUTH_METHODS = ['GET', 'POST', 'PUT'] as const;
const CONNECTION_STATES = ['CREATING', 'UPDATING', 'DELETING', 'AUTHORIZED', 'DEAUTHORIZED', 'AUTHORIZING', 'DEAUTHORIZING', 'ACTIVE', 'FAILED_CONNECTIVITY'];

type Json = Record<string, any>;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export const connectionNotFound = (name: string): AwsError => new AwsError('EventsResourceNotFound', `Connection '${name}' does not exist.`);

/** The connection of that name in the caller's account and region. */
export async function findConnection(rt: EventsRuntime, ctx: CallContext, name: string): Promise<ConnectionRecord | undefined> {
  const [first] = await rt.store.listConnections(ctx.accountId, ctx.region, name, undefined, undefined, 1);
  return first?.name === name ? first : undefined;
}

function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > L.DESCRIPTION_MAX) {
    throw constraintError(description, 'description', `Member must have length less than or equal to ${L.DESCRIPTION_MAX}`);
  }
}

function checkAuthorizationType(type: string | undefined): void {
  if (type !== undefined && !(AUTHORIZATION_TYPES as readonly string[]).includes(type)) {
    throw constraintError(type, 'authorizationType', `Member must satisfy enum value set: [${AUTHORIZATION_TYPES.join(', ')}]`);
  }
}

/** The parameters the authorization type needs must be there, complete (API reference: CreateConnectionAuthRequestParameters). */
function checkAuthParameters(type: string, p: Json): void {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw validation(`${what} must be specified for authorization type ${type}.`);
  };
  if (type === 'API_KEY') need(!!p['ApiKeyAuthParameters']?.ApiKeyName && p['ApiKeyAuthParameters']?.ApiKeyValue !== undefined, 'ApiKeyAuthParameters (ApiKeyName and ApiKeyValue)');
  if (type === 'BASIC') need(!!p['BasicAuthParameters']?.Username && p['BasicAuthParameters']?.Password !== undefined, 'BasicAuthParameters (Username and Password)');
  if (type === 'OAUTH_CLIENT_CREDENTIALS') {
    const o = p['OAuthParameters'];
    need(!!o?.ClientParameters?.ClientID && o?.ClientParameters?.ClientSecret !== undefined && !!o?.AuthorizationEndpoint && !!o?.HttpMethod, 'OAuthParameters (ClientParameters, AuthorizationEndpoint and HttpMethod)');
    if (!(OAUTH_METHODS as readonly string[]).includes(o.HttpMethod)) {
      throw constraintError(o.HttpMethod, 'authParameters.oAuthParameters.httpMethod', `Member must satisfy enum value set: [${OAUTH_METHODS.join(', ')}]`);
    }
    try {
      const url = new URL(o.AuthorizationEndpoint);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    } catch {
      throw validation(`AuthorizationEndpoint ${o.AuthorizationEndpoint} is not a valid URL.`);
    }
  }
}

/** Parameter lists with the secret values left out, as AWS answers them. */
function publicList(list: Json[] | undefined): Json[] | undefined {
  return list?.map((p) => (p['IsValueSecret'] ? { Key: p['Key'], IsValueSecret: true } : p));
}

function publicHttpParameters(p: Json | undefined): Json | undefined {
  if (!p) return undefined;
  const out: Json = {};
  for (const k of ['HeaderParameters', 'QueryStringParameters', 'BodyParameters']) if (p[k]) out[k] = publicList(p[k]);
  return out;
}

/** AuthParameters as DescribeConnection shows them: no ApiKeyValue, Password or ClientSecret. */
function publicAuthParameters(p: Json): Json {
  const out: Json = {};
  if (p['ApiKeyAuthParameters']) out['ApiKeyAuthParameters'] = { ApiKeyName: p['ApiKeyAuthParameters'].ApiKeyName };
  if (p['BasicAuthParameters']) out['BasicAuthParameters'] = { Username: p['BasicAuthParameters'].Username };
  if (p['OAuthParameters']) {
    const o = p['OAuthParameters'];
    out['OAuthParameters'] = {
      ClientParameters: { ClientID: o.ClientParameters?.ClientID },
      AuthorizationEndpoint: o.AuthorizationEndpoint,
      HttpMethod: o.HttpMethod,
      ...(o.OAuthHttpParameters ? { OAuthHttpParameters: publicHttpParameters(o.OAuthHttpParameters) } : {}),
    };
  }
  if (p['InvocationHttpParameters']) out['InvocationHttpParameters'] = publicHttpParameters(p['InvocationHttpParameters']);
  return out;
}

/** Keeps only the parameters of the connection's authorization type, plus the invocation parameters. */
function authParametersFor(type: string, p: Json): Json {
  const key = type === 'API_KEY' ? 'ApiKeyAuthParameters' : type === 'BASIC' ? 'BasicAuthParameters' : 'OAuthParameters';
  return { [key]: p[key], ...(p['InvocationHttpParameters'] ? { InvocationHttpParameters: p['InvocationHttpParameters'] } : {}) };
}

const stateOut = (c: ConnectionRecord) => ({
  ConnectionArn: c.arn,
  ConnectionState: c.state,
  CreationTime: seconds(c.createdAt),
  LastModifiedTime: seconds(c.modifiedAt),
  ...(c.lastAuthorizedAt !== undefined ? { LastAuthorizedTime: seconds(c.lastAuthorizedAt) } : {}),
});

export async function createConnection(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const name = checkName(input['Name'], 'name', CONNECTION_NAME_MAX, NAME_PATTERN);
  checkDescription(input['Description']);
  if (input['AuthorizationType'] === undefined) throw constraintError('null', 'authorizationType', 'Member must not be null');
  checkAuthorizationType(input['AuthorizationType']);
  if (input['AuthParameters'] === undefined) throw constraintError('null', 'authParameters', 'Member must not be null');
  const type = input['AuthorizationType'] as ConnectionRecord['authorizationType'];
  checkAuthParameters(type, input['AuthParameters']);
  const now = rt.clock.now();
  const connection: ConnectionRecord = {
    arn: `arn:aws:events:${ctx.region}:${ctx.accountId}:connection/${name}/${randomUUID()}`,
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    ...(input['Description'] !== undefined ? { description: input['Description'] } : {}),
    authorizationType: type,
    authParameters: authParametersFor(type, input['AuthParameters']),
    // AWS authorizes API_KEY and BASIC connections at once, and OAuth ones once a token was fetched; Postbox fetches
    // the OAuth token at the first invocation, so every connection starts AUTHORIZED.
    state: 'AUTHORIZED',
    createdAt: now,
    modifiedAt: now,
    lastAuthorizedAt: now,
  };
  if (!(await rt.store.createConnection(connection))) throw new AwsError('EventsResourceAlreadyExists', `Connection ${name} already exists.`);
  return stateOut(connection);
}

async function named(rt: EventsRuntime, input: Json, ctx: CallContext): Promise<ConnectionRecord> {
  const name = checkName(input['Name'], 'name', CONNECTION_NAME_MAX, NAME_PATTERN);
  const connection = await findConnection(rt, ctx, name);
  if (!connection) throw connectionNotFound(name);
  return connection;
}

export async function describeConnection(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const c = await named(rt, input, ctx);
  return {
    ConnectionArn: c.arn,
    Name: c.name,
    ...(c.description !== undefined ? { Description: c.description } : {}),
    ConnectionState: c.state,
    ...(c.stateReason !== undefined ? { StateReason: c.stateReason } : {}),
    AuthorizationType: c.authorizationType,
    SecretArn: `arn:aws:secretsmanager:${c.region}:${c.accountId}:secret:events!connection/${c.name}/${c.arn.split('/').pop()}`,
    AuthParameters: publicAuthParameters(c.authParameters as Json),
    CreationTime: seconds(c.createdAt),
    LastModifiedTime: seconds(c.modifiedAt),
    ...(c.lastAuthorizedAt !== undefined ? { LastAuthorizedTime: seconds(c.lastAuthorizedAt) } : {}),
  };
}

/** Merges an update into a parameter structure: members given replace the stored ones, members left out stay. */
function merge(stored: Json | undefined, update: Json | undefined): Json | undefined {
  if (update === undefined) return stored;
  if (stored === undefined || typeof update !== 'object' || Array.isArray(update)) return update;
  const out: Json = { ...stored };
  for (const [k, v] of Object.entries(update)) out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? merge(stored[k], v) : v;
  return out;
}

export async function updateConnection(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const c = await named(rt, input, ctx);
  checkDescription(input['Description']);
  checkAuthorizationType(input['AuthorizationType']);
  const type = (input['AuthorizationType'] ?? c.authorizationType) as ConnectionRecord['authorizationType'];
  const params = merge(type === c.authorizationType ? (c.authParameters as Json) : { InvocationHttpParameters: (c.authParameters as Json)['InvocationHttpParameters'] }, input['AuthParameters']) ?? {};
  checkAuthParameters(type, params);
  const now = rt.clock.now();
  const { stateReason: _reason, ...rest } = c;
  const updated: ConnectionRecord = {
    ...rest,
    ...(input['Description'] !== undefined ? { description: input['Description'] } : {}),
    authorizationType: type,
    authParameters: authParametersFor(type, params),
    // Updating a connection authorizes it again (eb-target-connection-edit).
    state: 'AUTHORIZED',
    modifiedAt: now,
    lastAuthorizedAt: now,
  };
  await rt.store.updateConnection(updated);
  rt.delivery.caller.forget(c.arn);
  return stateOut(updated);
}

export async function deauthorizeConnection(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const c = await named(rt, input, ctx);
  // AWS goes through DEAUTHORIZING and drops the authorization (the OAuth token); invocations then fail.
  const updated: ConnectionRecord = { ...c, state: 'DEAUTHORIZED', stateReason: 'Connection deauthorized by the user.', modifiedAt: rt.clock.now() };
  await rt.store.updateConnection(updated);
  rt.delivery.caller.forget(c.arn);
  return { ...stateOut(updated), ConnectionState: 'DEAUTHORIZING' };
}

export async function deleteConnection(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const c = await named(rt, input, ctx);
  await rt.store.deleteConnection(c.arn);
  rt.delivery.caller.forget(c.arn);
  return { ...stateOut(c), ConnectionState: 'DELETING' };
}

export async function listConnections(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const { limit, after } = pageRequest(input);
  const prefix = input['NamePrefix'] ?? '';
  if (prefix.length > CONNECTION_NAME_MAX) throw constraintError(prefix, 'namePrefix', `Member must have length less than or equal to ${CONNECTION_NAME_MAX}`);
  const state = input['ConnectionState'] as string | undefined;
  if (state !== undefined && !CONNECTION_STATES.includes(state)) {
    throw constraintError(state, 'connectionState', `Member must satisfy enum value set: [${CONNECTION_STATES.join(', ')}]`);
  }
  const rows = await rt.store.listConnections(ctx.accountId, ctx.region, prefix, state, after, limit + 1);
  const { page, next } = pageOf(rows, limit, (c) => c.name);
  return {
    Connections: page.map((c) => ({
      ConnectionArn: c.arn,
      Name: c.name,
      ConnectionState: c.state,
      ...(c.stateReason !== undefined ? { StateReason: c.stateReason } : {}),
      AuthorizationType: c.authorizationType,
      CreationTime: seconds(c.createdAt),
      LastModifiedTime: seconds(c.modifiedAt),
      ...(c.lastAuthorizedAt !== undefined ? { LastAuthorizedTime: seconds(c.lastAuthorizedAt) } : {}),
    })),
    ...next,
  };
}
