/** The event EventBridge builds from a PutEvents entry, with its members in AWS's order. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second, as AWS writes it: 2026-01-01T00:00:00Z. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildEvent(e: {
  id: string;
  detailType: string;
  source: string;
  account: string;
  time: number;
  region: string;
  resources: readonly string[];
  detail: Record<string, unknown>;
}): EventEnvelope {
  return {
    version: '0',
    id: e.id,
    'detail-type': e.detailType,
    source: e.source,
    account: e.account,
    time: isoSeconds(e.time),
    region: e.region,
    resources: e.resources,
    detail: e.detail,
  };
}
