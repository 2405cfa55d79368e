import { AwsError } from '../core/errors.js';
import type { CallContext } from '../core/service.js';
import type { QueueKey, QueueRecord, Store } from '../store/contract.js';

/** arn:aws:sqs:<region>:<account>:<name> */
export const queueArn = (q: QueueKey): string => `arn:aws:sqs:${q.region}:${q.accountId}:${q.name}`;

/** The URL handed to clients is built on the Host they used, so it is reachable the way they reached us. */
export const queueUrl = (ctx: CallContext, q: QueueKey): string => `http://${ctx.host}/${q.accountId}/${q.name}`;

const ARN = /^arn:aws[a-z-]*:sqs:([^:]+):(\d{12}):([^:]+)$/;

export function parseQueueArn(arn: string): QueueKey | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
}

const HOST_REGION = /^sqs\.([a-z0-9-]+)\./;

/**
 * Reads a queue URL in the forms clients send: `http://host/<account>/<name>` (AWS's form, and ours), the same with
 * an `sqs.<region>.` host, or LocalStack's `http://host/queue/<region>/<account>/<name>`.
 */
export function parseQueueUrl(url: string, ctx: CallContext): QueueKey {
  // Clients send the same few URLs over and over: remember how each parsed (per region, which may decide).
  const cacheKey = `${ctx.region} ${url}`;
  const cached = parsedUrls.get(cacheKey);
  if (cached) return cached;
  const key = parseUncached(url, ctx);
  if (parsedUrls.size >= PARSED_URLS_MAX) parsedUrls.clear();
  parsedUrls.set(cacheKey, key);
  return key;
}

const PARSED_URLS_MAX = 10_000;
const parsedUrls = new Map<string, QueueKey>();

function parseUncached(url: string, ctx: CallContext): QueueKey {
  let path: string;
  let host = '';
  if (url.startsWith('/')) {
    path = url;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidAddress(url);
    }
    path = parsed.pathname;
    host = parsed.hostname;
  }
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let region = HOST_REGION.exec(host)?.[1] ?? ctx.region;
  if (parts.length === 4 && parts[0] === 'queue') region = parts[1]!;
  if (parts.length < 2 || !/^\d{12}$/.test(parts[parts.length - 2]!)) throw invalidAddress(url);
  return Object.freeze({ accountId: parts[parts.length - 2]!, region, name: parts[parts.length - 1]! });
}

function invalidAddress(url: string): AwsError {
  return new AwsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
}

export function queueDoesNotExist(): AwsError {
  // AWS words it differently per protocol (recorded against AWS).
  return new AwsError(
    'QueueDoesNotExist',
    'The specified queue does not exist.',
    'The specified queue does not exist for this wsdl version.',
  );
}

/** Finds the queue a request names, by its QueueUrl or (Query protocol) by the request path. */
export async function resolveQueue(store: Store, ctx: CallContext, queueUrlParam: string | undefined): Promise<QueueRecord> {
  let url = queueUrlParam;
  if (url === undefined || url === '') {
    if (ctx.protocol === 'query' && ctx.path.split('/').filter(Boolean).length >= 2) url = ctx.path;
    else throw new AwsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  }
  const key = parseQueueUrl(url, ctx);
  const queue = await store.getQueue(key);
  if (!queue) throw queueDoesNotExist();
  return queue;
}
