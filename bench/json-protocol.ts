// The client-side contract for AWS JSON 1.0 (what @aws-sdk/client-sqs speaks):
// POST / with X-Amz-Target, a fake SigV4 Authorization header and a JSON body.
// Two transports implement it: LeanJsonClient (default; raw keep-alive sockets,
// requests serialised to bytes once) and NodeHttpJsonClient (node:http Agent).
import {
  FAKE_AMZ_DATE,
  FAKE_AUTHORIZATION,
  JSON_CONTENT_TYPE,
  targetHeader,
  type SqsAction,
} from './workload.js';

export interface JsonResponse {
  status: number;
  body: string;
}

/** A request prepared once and sent many times; `body` is absent when it varies per call. */
export interface PreparedRequest {
  readonly action: SqsAction;
  /** Header lines without Content-Length. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** Transport-specific precomputed forms: the complete request bytes, and the request head up to Content-Length. */
  readonly wire?: Buffer;
  readonly wireHead?: string;
}

export interface JsonProtocolClient {
  prepare(action: SqsAction, body?: unknown): PreparedRequest;
  /** Sends a request prepared with a body. */
  send(prepared: PreparedRequest): Promise<JsonResponse>;
  /** Sends prepared headers with a body that changes per call (e.g. receipt handles). */
  sendWithBody(prepared: PreparedRequest, body: string): Promise<JsonResponse>;
  close(): void;
}

export interface JsonClientOptions {
  /** Upper bound on connections; each cycle loop holds at most one request at a time. */
  maxSockets: number;
  /** A stuck server must not hang the benchmark; requests give up after this. */
  requestTimeoutMs: number;
}

export class JsonProtocolError extends Error {
  constructor(
    readonly action: SqsAction,
    readonly status: number,
    readonly responseBody: string,
  ) {
    super(`${action} -> HTTP ${status}: ${responseBody.slice(0, 300)}`);
  }
}

export function endpointParts(endpoint: string): { host: string; port: number; path: string } {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:') throw new Error(`only http endpoints are supported: ${endpoint}`);
  return { host: url.hostname, port: Number(url.port || 80), path: url.pathname || '/' };
}

export function requestHeaders(action: SqsAction, host: string, port: number): Record<string, string> {
  return {
    Host: `${host}:${port}`,
    'Content-Type': JSON_CONTENT_TYPE,
    'X-Amz-Target': targetHeader(action),
    'X-Amz-Date': FAKE_AMZ_DATE,
    Authorization: FAKE_AUTHORIZATION,
  };
}

export function serialiseBody(body: unknown): Buffer {
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** One-off call for setup (CreateQueue, GetQueueAttributes); throws on non-200. */
export async function callJson<T>(client: JsonProtocolClient, action: SqsAction, body: unknown): Promise<T> {
  const response = await client.send(client.prepare(action, body));
  if (response.status !== 200) throw new JsonProtocolError(action, response.status, response.body);
  return JSON.parse(response.body) as T;
}
