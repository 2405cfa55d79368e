import type { Database, Statement } from 'better-sqlite3';
import type { DeliveryFilter, DeliveryLog, DeliveryRecord, DeliveryRecordInput } from '../delivery-log-contract.js';
import { DELIVERY_FILTER_COLUMNS, DELIVERY_LOG_CAP, toDeliveryRecord, type DeliveryLogRow } from '../delivery-log-row.js';
import type { GroupCommit } from './group-commit.js';

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
    return this.group.read(() => (this.statement(sql).all(afterId, ...values, limit) as DeliveryLogRow[]).map(toDeliveryRecord));
  }

  clear(filter: DeliveryFilter): Promise<number> {
    const { where, values } = this.where(filter);
    const statement = this.statement(`DELETE FROM delivery_log WHERE 1${where}`);
    return this.group.write(() => statement.run(...values).changes);
  }

  private where(filter: DeliveryFilter): { where: string; values: string[] } {
    let where = '';
    const values: string[] = [];
    for (const [key, column] of DELIVERY_FILTER_COLUMNS) {
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

