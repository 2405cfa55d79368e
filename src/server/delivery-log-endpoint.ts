/**
 * `GET /_postbox/deliveries` lists the deliveries Postbox recorded instead of making (see
 * store/delivery-log-contract.ts), oldest first, as JSON; `DELETE` forgets them. Both take the same filters as query
 * parameters: `service`, `account`, `protocol`, `endpoint`, `source`; GET also `after` (an id, to page or to poll
 * for what is new) and `limit` (1–1000, default 100).
 */
import type { WireResponse } from '../protocol/wire.js';
import type { DeliveryFilter, DeliveryLog } from '../store/delivery-log-contract.js';
import type { IncomingCall } from './dispatch.js';

export const DELIVERIES_PATH = '/_postbox/deliveries';

const LIMIT_DEFAULT = 100;
const LIMIT_MAX = 1_000;

export async function serveDeliveryLog(log: DeliveryLog | undefined, call: IncomingCall): Promise<WireResponse> {
  if (!log) return json(501, { error: 'The delivery log needs the SQLite engine.' });
  const filter = filterOf(call.query);
  if (call.method === 'DELETE') return json(200, { deleted: await log.clear(filter) });
  if (call.method !== 'GET') return json(405, { error: 'Use GET or DELETE.' });
  const after = integer(call.query.get('after'), 0);
  const limit = integer(call.query.get('limit'), LIMIT_DEFAULT);
  if (after === undefined || after < 0) return json(400, { error: '`after` must be a non-negative integer.' });
  if (limit === undefined || limit < 1 || limit > LIMIT_MAX) return json(400, { error: `\`limit\` must be 1 to ${LIMIT_MAX}.` });
  const deliveries = await log.list(filter, after, limit);
  const last = deliveries.at(-1);
  return json(200, { deliveries, ...(deliveries.length === limit && last ? { nextAfter: last.id } : {}) });
}

function filterOf(query: URLSearchParams): DeliveryFilter {
  const pick = (name: string) => query.get(name) ?? undefined;
  const filter: { -readonly [K in keyof DeliveryFilter]: DeliveryFilter[K] } = {};
  const service = pick('service');
  const accountId = pick('account');
  const protocol = pick('protocol');
  const endpoint = pick('endpoint');
  const source = pick('source');
  if (service !== undefined) filter.service = service;
  if (accountId !== undefined) filter.accountId = accountId;
  if (protocol !== undefined) filter.protocol = protocol;
  if (endpoint !== undefined) filter.endpoint = endpoint;
  if (source !== undefined) filter.source = source;
  return filter;
}

function integer(text: string | null, fallback: number): number | undefined {
  if (text === null) return fallback;
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function json(status: number, body: unknown): WireResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
