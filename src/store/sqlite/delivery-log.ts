import type { Database, Statement } from 'better-sqlite3';
import type { DeliveryFilter, DeliveryLog, DeliveryRecord, DeliveryRecordInput } from '../delivery-log-contract.js';
import type { GroupCommit } from './group-commit.js';

/**
 * How many records are kept: the log is for reading back what happened recently, not an archive, so the oldest
 * are dropped past this many.
 */
export const DELIVERY_LOG_CAP = 100_000;

interface Row {
  id: number;
  service: string;
  account_id: string;
  region: string;
  protocol: string;
  endpoint: string;
  source: string | null;
  subject: string | null;
  payload: string;
  details: string | null;
  recorded_at: number;
}

const COLUMNS: [keyof DeliveryFilter, string][] = [
  ['service', 'service'],
  ['accountId', 'account_id'],
  ['protocol', 'protocol'],
  ['endpoint', 'endpoint'],
  ['source', 'source'],
];

/** The delivery log on the SQLite engine's database and group commit (table `delivery_log`). */
export class SqliteDeliveryLog implements DeliveryLog {
  private readonly insert: Statement;
  private readonly trim: Statement;
  private readonly queries = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly group: GroupCommit,
  ) {
    this.insert = db.prepare(
      `INSERT INTO delivery_log (service, account_id, region, protocol, endpoint, source, subject, payload, details, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.trim = db.prepare('DELETE FROM delivery_log WHERE id <= ?');
  }

  record(entries: readonly DeliveryRecordInput[]): Promise<void> {
    return this.group.write(() => this.recordInTransaction(entries));
  }

  /** Records inside the caller's transaction (a publish records its deliveries in the publish's own). */
  recordInTransaction(entries: readonly DeliveryRecordInput[]): void {
    if (entries.length === 0) return;
    const write = this.db.transaction(() => {
      let last = 0;
      for (const e of entries) {
        const info = this.insert.run(
          e.service,
          e.accountId,
          e.region,
          e.protocol,
          e.endpoint,
          e.source ?? null,
          e.subject ?? null,
          e.payload,
          e.details ? JSON.stringify(e.details) : null,
          e.recordedAt,
        );
        last = Number(info.lastInsertRowid);
      }
      if (last > DELIVERY_LOG_CAP) this.trim.run(last - DELIVERY_LOG_CAP);
    });
    write();
  }

  list(filter: DeliveryFilter, afterId: number, limit: number): Promise<DeliveryRecord[]> {
    const { where, values } = this.where(filter);
    const sql = `SELECT * FROM delivery_log WHERE id > ?${where} ORDER BY id LIMIT ?`;
    return this.group.read(() => (this.statement(sql).all(afterId, ...values, limit) as Row[]).map(toRecord));
  }

  clear(filter: DeliveryFilter): Promise<number> {
    const { where, values } = this.where(filter);
    const statement = this.statement(`DELETE FROM delivery_log WHERE 1${where}`);
    return this.group.write(() => statement.run(...values).changes);
  }

  private where(filter: DeliveryFilter): { where: string; values: string[] } {
    let where = '';
    const values: string[] = [];
    for (const [key, column] of COLUMNS) {
      const value = filter[key];
      if (value === undefined) continue;
      where += ` AND ${column} = ?`;
      values.push(value);
    }
    return { where, values };
  }

  /** Statements by SQL text: there are at most 2^5 filter shapes per query. */
  private statement(sql: string): Statement {
    let s = this.queries.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.queries.set(sql, s);
    }
    return s;
  }
}

function toRecord(r: Row): DeliveryRecord {
  return {
    id: r.id,
    service: r.service,
    accountId: r.account_id,
    region: r.region,
    protocol: r.protocol,
    endpoint: r.endpoint,
    ...(r.source !== null ? { source: r.source } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    payload: r.payload,
    ...(r.details !== null ? { details: JSON.parse(r.details) as Record<string, string> } : {}),
    recordedAt: r.recorded_at,
  };
}
