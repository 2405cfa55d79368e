/**
 * The delivery log's table as both engines lay it out (`delivery_log`), and the mapping from its rows: one shape, so
 * that the SQLite and PostgreSQL logs answer alike.
 */
import type { DeliveryFilter, DeliveryRecord } from './delivery-log-contract.js';

/**
 * How many records are kept: the log is for reading back what happened recently, not an archive, so the oldest
 * are dropped past this many.
 */
export const DELIVERY_LOG_CAP = 100_000;

export interface DeliveryLogRow {
  id: number;
  service: string;
  account_id: string;
  region: string;
  protocol: string;
  endpoint: string;
  source: string | null;
  subject: string | null;
  /** Text on SQLite; bytes on PostgreSQL (whose text cannot hold a NUL character, which a message may). */
  payload: string | Buffer;
  details: string | null;
  recorded_at: number;
}

/** The columns a DeliveryFilter's members compare. */
export const DELIVERY_FILTER_COLUMNS: readonly (readonly [keyof DeliveryFilter, string])[] = [
  ['service', 'service'],
  ['accountId', 'account_id'],
  ['protocol', 'protocol'],
  ['endpoint', 'endpoint'],
  ['source', 'source'],
];

export function toDeliveryRecord(r: DeliveryLogRow): DeliveryRecord {
  return {
    id: r.id,
    service: r.service,
    accountId: r.account_id,
    region: r.region,
    protocol: r.protocol,
    endpoint: r.endpoint,
    ...(r.source !== null ? { source: r.source } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    payload: typeof r.payload === 'string' ? r.payload : r.payload.toString('utf8'),
    ...(r.details !== null ? { details: JSON.parse(r.details) as Record<string, string> } : {}),
    recordedAt: r.recorded_at,
  };
}
