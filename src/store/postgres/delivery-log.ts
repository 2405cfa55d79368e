import type { DeliveryFilter, DeliveryLog, DeliveryRecord, DeliveryRecordInput } from '../delivery-log-contract.js';
import { DELIVERY_FILTER_COLUMNS, DELIVERY_LOG_CAP, toDeliveryRecord, type DeliveryLogRow } from '../delivery-log-row.js';
import { countOf, rowsOf, type PostgresHost, type Queryable, type Sql } from './host.js';

/**
 * The delivery log on the PostgreSQL engine's database (table `delivery_log`), shared by every node: a record made
 * on one node is read back on any other. Ids come from an identity column, so they increase in recording order
 * across nodes (for records committed one after the other; concurrent ones may commit out of id order, which a
 * reader paging with `afterId` can only miss while both are in flight).
 */
export class PostgresDeliveryLog implements DeliveryLog {
  private readonly insert: Sql;
  private readonly trim: Sql;

  constructor(private readonly host: PostgresHost) {
    const S = host.quotedSchema;
    this.insert = {
      name: 'pb_delivery_log_insert',
      text: `INSERT INTO ${S}.delivery_log (service, account_id, region, protocol, endpoint, source, subject, payload, details, recorded_at)
             SELECT service, account_id, region, protocol, endpoint, source, subject, payload, details, recorded_at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[],
               $9::text[], $10::bigint[]) WITH ORDINALITY AS t(service, account_id, region, protocol, endpoint, source, subject,
               payload, details, recorded_at, ord)
             ORDER BY ord
             RETURNING id`,
    };
    // Keeps the newest DELIVERY_LOG_CAP records (by id), as the SQLite log does.
    this.trim = { name: 'pb_delivery_log_trim', text: `DELETE FROM ${S}.delivery_log WHERE id <= $1` };
  }

  record(entries: readonly DeliveryRecordInput[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.host.transaction((c) => this.recordIn(c, entries));
  }

  /** Records inside the caller's transaction (a publish records its deliveries in the publish's own). */
  async recordIn(c: Queryable, entries: readonly DeliveryRecordInput[]): Promise<void> {
    if (entries.length === 0) return;
    const column = <K extends keyof DeliveryRecordInput>(key: K, f: (v: DeliveryRecordInput[K]) => unknown = (v) => v ?? null) =>
      entries.map((e) => f(e[key]));
    const ids = await rowsOf<{ id: number }>(c, this.insert, [
      column('service'),
      column('accountId'),
      column('region'),
      column('protocol'),
      column('endpoint'),
      column('source'),
      column('subject'),
      column('payload', (p) => Buffer.from(p, 'utf8')),
      column('details', (d) => (d ? JSON.stringify(d) : null)),
      column('recordedAt'),
    ]);
    const last = Math.max(...ids.map((r) => r.id));
    if (last > DELIVERY_LOG_CAP) await countOf(c, this.trim, [last - DELIVERY_LOG_CAP]);
  }

  async list(filter: DeliveryFilter, afterId: number, limit: number): Promise<DeliveryRecord[]> {
    const { where, values } = this.where(filter, 2);
    const sql = `SELECT * FROM ${this.host.quotedSchema}.delivery_log WHERE id > $1${where} ORDER BY id LIMIT $${values.length + 2}`;
    const { rows } = await this.host.pool.query<DeliveryLogRow>(sql, [afterId, ...values, limit]);
    return rows.map(toDeliveryRecord);
  }

  async clear(filter: DeliveryFilter): Promise<number> {
    const { where, values } = this.where(filter, 1);
    const result = await this.host.pool.query(`DELETE FROM ${this.host.quotedSchema}.delivery_log WHERE true${where}`, values);
    return result.rowCount ?? 0;
  }

  /** ` AND column = $n` for each filter member given, numbered from `first`. */
  private where(filter: DeliveryFilter, first: number): { where: string; values: string[] } {
    let where = '';
    const values: string[] = [];
    for (const [key, column] of DELIVERY_FILTER_COLUMNS) {
      const value = filter[key];
      if (value === undefined) continue;
      values.push(value);
      where += ` AND ${column} = $${first + values.length - 1}`;
    }
    return { where, values };
  }
}

