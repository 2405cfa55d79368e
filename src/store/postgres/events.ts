import type { PoolClient, QueryResultRow } from 'pg';
import type { SendResult } from '../contract.js';
import type {
  ApiDestinationRecord,
  ArchivedEvent,
  ArchivedEventRow,
  ArchiveRecord,
  ConnectionRecord,
  EndpointRecord,
  EventBusRecord,
  EventsStore,
  PartnerSourceRecord,
  ReplayRecord,
  ReplayState,
  RuleRecord,
  ScheduleDue,
  TargetRecord,
} from '../events-contract.js';
import type { FanoutDelivery } from '../sns-contract.js';

/** Archive writes (on this node) between two sweeps of events past their retention (indexed by expiry). */
const ARCHIVE_SWEEP_EVERY = 1_000;

/** What the queue engine lends EventBridge: its pool, its transactions and its send path inside one of them. */
export interface PostgresEventsHooks {
  /** The quoted schema name every statement qualifies its tables with. */
  readonly schema: string;
  /** One statement on the pool (its own transaction). */
  query<R extends QueryResultRow>(text: string, values: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  /** Runs `fn` in one transaction (a deadlock victim runs again). */
  tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T>;
  /** The queue engine's multi-queue send inside the caller's transaction (rows, locks and NOTIFY commit with it). */
  sendManyIn(c: PoolClient, deliveries: FanoutDelivery[]): Promise<SendResult[][]>;
}

type Q = <R extends QueryResultRow = QueryResultRow>(text: string, values: unknown[]) => Promise<{ rows: R[]; rowCount: number }>;

/**
 * EventBridge on the PostgreSQL engine: the tables of the SQLite engine's EventBridge migrations, in the queue
 * engine's schema, so that PutEvents' and scheduled rules' deliveries into queues commit in the same transaction as
 * the rest of the call. Several nodes share these tables, so:
 * - nothing is cached here, and every change to a bus's rules, targets or archives bumps the bus's row in
 *   `events_route_versions` in the same transaction (`routesVersion`): a node's compiled routing checks it;
 * - read-check-write operations lock what they check (the rule row for target limits and DeleteRule, an advisory
 *   lock per account and region for the active-replay limit), so two nodes cannot both pass a check;
 * - claimSchedule and updateReplay are compare-and-set UPDATEs: under READ COMMITTED the second of two concurrent
 *   claims waits for the first, re-reads the row and finds the value changed, so one node wins.
 */
export class PostgresEventsStore implements EventsStore {
  private readonly S: string;
  private archiveSweepCountdown = ARCHIVE_SWEEP_EVERY;

  constructor(private readonly h: PostgresEventsHooks) {
    this.S = h.schema;
  }

  private get q(): Q {
    return (text, values) => this.h.query(text, values);
  }

  private async records<T>(text: string, values: unknown[]): Promise<T[]> {
    const { rows } = await this.q<{ record: string }>(text, values);
    return rows.map((r) => JSON.parse(r.record) as T);
  }

  private async record<T>(text: string, values: unknown[]): Promise<T | undefined> {
    return (await this.records<T>(text, values))[0];
  }

  /** Marks a bus's routing as changed, inside the transaction that changes it. */
  private async bump(c: PoolClient, busArn: string): Promise<void> {
    await c.query(
      `INSERT INTO ${this.S}.events_route_versions (bus_arn, version) VALUES ($1, 1)
       ON CONFLICT (bus_arn) DO UPDATE SET version = events_route_versions.version + 1`,
      [busArn],
    );
  }

  /**
   * The bus's routing version: changes whenever its rules, targets or archives change on any node. 0 for a bus
   * never changed. What BusRoutes compares its cached entry against (one primary-key read per PutEvents).
   */
  async routesVersion(busArn: string): Promise<number> {
    const { rows } = await this.q<{ version: number }>(`SELECT version FROM ${this.S}.events_route_versions WHERE bus_arn = $1`, [busArn]);
    return rows[0]?.version ?? 0;
  }

  // --- Buses ---

  async createBus(bus: EventBusRecord): Promise<{ bus: EventBusRecord; created: boolean }> {
    const { rowCount } = await this.q(
      `INSERT INTO ${this.S}.events_buses (arn, account_id, region, name, record) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arn) DO NOTHING`,
      [bus.arn, bus.accountId, bus.region, bus.name, JSON.stringify(bus)],
    );
    if (rowCount > 0) return { bus, created: true };
    const existing = await this.getBus(bus.arn);
    // Deleted between the two statements: try again.
    return existing ? { bus: existing, created: false } : this.createBus(bus);
  }

  getBus(arn: string): Promise<EventBusRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_buses WHERE arn = $1`, [arn]);
  }

  listBuses(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<EventBusRecord[]> {
    return this.records(
      `SELECT record FROM ${this.S}.events_buses WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
       ORDER BY name LIMIT $5`,
      [accountId, region, startAfter ?? '', prefix, limit],
    );
  }

  async updateBus(bus: EventBusRecord): Promise<void> {
    await this.q(`UPDATE ${this.S}.events_buses SET record = $1 WHERE arn = $2`, [JSON.stringify(bus), bus.arn]);
  }

  async deleteBus(arn: string): Promise<void> {
    const S = this.S;
    await this.h.tx(async (c) => {
      await c.query(`DELETE FROM ${S}.events_archived WHERE archive_arn IN (SELECT arn FROM ${S}.events_archives WHERE bus_arn = $1)`, [arn]);
      await c.query(`DELETE FROM ${S}.events_archives WHERE bus_arn = $1`, [arn]);
      await c.query(`DELETE FROM ${S}.events_targets WHERE rule_arn IN (SELECT arn FROM ${S}.events_rules WHERE bus_arn = $1)`, [arn]);
      await c.query(`DELETE FROM ${S}.events_rules WHERE bus_arn = $1`, [arn]);
      await c.query(`DELETE FROM ${S}.events_buses WHERE arn = $1`, [arn]);
      await this.bump(c, arn);
    });
  }

  // --- Rules and targets ---

  async putRule(rule: RuleRecord): Promise<void> {
    await this.h.tx(async (c) => {
      await c.query(
        `INSERT INTO ${this.S}.events_rules (arn, bus_arn, name, record) VALUES ($1, $2, $3, $4)
         ON CONFLICT (arn) DO UPDATE SET record = excluded.record`,
        [rule.arn, rule.busArn, rule.name, JSON.stringify(rule)],
      );
      await this.bump(c, rule.busArn);
    });
  }

  getRule(arn: string): Promise<RuleRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_rules WHERE arn = $1`, [arn]);
  }

  listRules(busArn: string, prefix: string, startAfter: string | undefined, limit: number): Promise<RuleRecord[]> {
    return this.records(
      `SELECT record FROM ${this.S}.events_rules WHERE bus_arn = $1 AND name > $2 AND starts_with(name, $3) ORDER BY name LIMIT $4`,
      [busArn, startAfter ?? '', prefix, limit],
    );
  }

  async rulesWithTargets(busArn: string): Promise<{ rule: RuleRecord; targets: TargetRecord[] }[]> {
    // One statement: rules and targets from one snapshot (a LEFT JOIN keeps rules without targets).
    const { rows } = await this.q<{ rule: string; id: string | null; target_arn: string | null; target: string | null }>(
      `SELECT r.record AS rule, t.id, t.target_arn, t.target FROM ${this.S}.events_rules r
       LEFT JOIN ${this.S}.events_targets t ON t.rule_arn = r.arn
       WHERE r.bus_arn = $1 ORDER BY r.name, t.id`,
      [busArn],
    );
    const out: { rule: RuleRecord; targets: TargetRecord[] }[] = [];
    let last: string | undefined;
    for (const row of rows) {
      if (row.rule !== last) {
        out.push({ rule: JSON.parse(row.rule) as RuleRecord, targets: [] });
        last = row.rule;
      }
      if (row.id !== null) out[out.length - 1]!.targets.push({ id: row.id, arn: row.target_arn!, target: JSON.parse(row.target!) as Record<string, unknown> });
    }
    return out;
  }

  deleteRule(arn: string): Promise<boolean> {
    const S = this.S;
    return this.h.tx(async (c) => {
      // The rule's row lock orders this against a concurrent PutTargets on another node.
      const { rows } = await c.query<{ bus_arn: string }>(`SELECT bus_arn FROM ${S}.events_rules WHERE arn = $1 FOR UPDATE`, [arn]);
      if ((await c.query(`SELECT 1 FROM ${S}.events_targets WHERE rule_arn = $1 LIMIT 1`, [arn])).rowCount) return false;
      await c.query(`DELETE FROM ${S}.events_rules WHERE arn = $1`, [arn]);
      await c.query(`DELETE FROM ${S}.events_schedules WHERE rule_arn = $1`, [arn]);
      if (rows[0]) await this.bump(c, rows[0].bus_arn);
      return true;
    });
  }

  putTargets(ruleArn: string, targets: TargetRecord[], maxTargets: number): Promise<boolean> {
    const S = this.S;
    return this.h.tx(async (c) => {
      const { rows: rule } = await c.query<{ bus_arn: string }>(`SELECT bus_arn FROM ${S}.events_rules WHERE arn = $1 FOR UPDATE`, [ruleArn]);
      const { rows } = await c.query<{ id: string }>(`SELECT id FROM ${S}.events_targets WHERE rule_arn = $1`, [ruleArn]);
      const ids = new Set(rows.map((r) => r.id));
      for (const t of targets) ids.add(t.id);
      if (ids.size > maxTargets) return false;
      if (targets.length) {
        await c.query(
          `INSERT INTO ${S}.events_targets (rule_arn, id, target_arn, target)
           SELECT $1, t.id, t.arn, t.target FROM unnest($2::text[], $3::text[], $4::text[]) AS t(id, arn, target)
           ON CONFLICT (rule_arn, id) DO UPDATE SET target_arn = excluded.target_arn, target = excluded.target`,
          [ruleArn, targets.map((t) => t.id), targets.map((t) => t.arn), targets.map((t) => JSON.stringify(t.target))],
        );
      }
      if (rule[0]) await this.bump(c, rule[0].bus_arn);
      return true;
    });
  }

  removeTargets(ruleArn: string, ids: string[]): Promise<string[]> {
    const S = this.S;
    return this.h.tx(async (c) => {
      const { rows } = await c.query<{ id: string }>(`DELETE FROM ${S}.events_targets WHERE rule_arn = $1 AND id = ANY($2::text[]) RETURNING id`, [ruleArn, ids]);
      const removed = new Set(rows.map((r) => r.id));
      if (removed.size) {
        const { rows: rule } = await c.query<{ bus_arn: string }>(`SELECT bus_arn FROM ${S}.events_rules WHERE arn = $1`, [ruleArn]);
        if (rule[0]) await this.bump(c, rule[0].bus_arn);
      }
      // In the order asked, as the SQLite engine answers.
      return ids.filter((id) => removed.delete(id));
    });
  }

  async listTargets(ruleArn: string, startAfter: string | undefined, limit: number): Promise<TargetRecord[]> {
    const { rows } = await this.q<{ id: string; target_arn: string; target: string }>(
      `SELECT id, target_arn, target FROM ${this.S}.events_targets WHERE rule_arn = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [ruleArn, startAfter ?? '', limit],
    );
    return rows.map((r) => ({ id: r.id, arn: r.target_arn, target: JSON.parse(r.target) as Record<string, unknown> }));
  }

  async ruleNamesByTarget(busArn: string, targetArn: string, startAfter: string | undefined, limit: number): Promise<string[]> {
    const { rows } = await this.q<{ name: string }>(
      `SELECT r.name FROM ${this.S}.events_targets t JOIN ${this.S}.events_rules r ON r.arn = t.rule_arn
       WHERE t.target_arn = $1 AND r.bus_arn = $2 AND r.name > $3 GROUP BY r.name ORDER BY r.name LIMIT $4`,
      [targetArn, busArn, startAfter ?? '', limit],
    );
    return rows.map((r) => r.name);
  }

  // --- Archives ---

  createArchive(a: ArchiveRecord): Promise<boolean> {
    return this.h.tx(async (c) => {
      const { rowCount } = await c.query(
        `INSERT INTO ${this.S}.events_archives (arn, account_id, region, name, bus_arn, record) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (arn) DO NOTHING`,
        [a.arn, a.accountId, a.region, a.name, a.busArn, JSON.stringify(a)],
      );
      if (rowCount) await this.bump(c, a.busArn);
      return (rowCount ?? 0) > 0;
    });
  }

  getArchive(arn: string): Promise<ArchiveRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_archives WHERE arn = $1`, [arn]);
  }

  listArchives(accountId: string, region: string, prefix: string, busArn: string | undefined, startAfter: string | undefined, limit: number) {
    return this.records<ArchiveRecord>(
      `SELECT record FROM ${this.S}.events_archives WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
         AND ($5::text IS NULL OR bus_arn = $5) ORDER BY name LIMIT $6`,
      [accountId, region, startAfter ?? '', prefix, busArn ?? null, limit],
    );
  }

  async updateArchive(a: ArchiveRecord): Promise<void> {
    await this.h.tx(async (c) => {
      await c.query(`UPDATE ${this.S}.events_archives SET record = $1 WHERE arn = $2`, [JSON.stringify(a), a.arn]);
      await this.bump(c, a.busArn);
    });
  }

  async deleteArchive(arn: string): Promise<void> {
    await this.h.tx(async (c) => {
      await c.query(`DELETE FROM ${this.S}.events_archived WHERE archive_arn = $1`, [arn]);
      const { rows } = await c.query<{ bus_arn: string }>(`DELETE FROM ${this.S}.events_archives WHERE arn = $1 RETURNING bus_arn`, [arn]);
      if (rows[0]) await this.bump(c, rows[0].bus_arn);
    });
  }

  archivesOfBus(busArn: string): Promise<ArchiveRecord[]> {
    return this.records(`SELECT record FROM ${this.S}.events_archives WHERE bus_arn = $1 ORDER BY name`, [busArn]);
  }

  async archiveStats(arn: string, now: number): Promise<{ eventCount: number; sizeBytes: number }> {
    const { rows } = await this.q<{ n: number; bytes: number | null }>(
      `SELECT count(*)::int AS n, sum(size)::bigint AS bytes FROM ${this.S}.events_archived
       WHERE archive_arn = $1 AND (expires_at IS NULL OR expires_at > $2)`,
      [arn, now],
    );
    return { eventCount: rows[0]?.n ?? 0, sizeBytes: Number(rows[0]?.bytes ?? 0) };
  }

  commitEvents(deliveries: FanoutDelivery[], archived: ArchivedEvent[], now: number): Promise<SendResult[][]> {
    if (deliveries.length === 0 && archived.length === 0) return Promise.resolve([]);
    return this.h.tx(async (c) => {
      const results = await this.h.sendManyIn(c, deliveries);
      if (archived.length) await this.archive(c, archived, now);
      return results;
    });
  }

  private async archive(c: PoolClient, archived: ArchivedEvent[], now: number): Promise<void> {
    await c.query(
      `INSERT INTO ${this.S}.events_archived (archive_arn, event_id, size, expires_at, event_time, event)
       SELECT a.archive_arn, a.event_id, a.size, a.expires_at, coalesce(a.event::json ->> 'time', ''), a.event
       FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::text[]) AS a(archive_arn, event_id, size, expires_at, event)
       ON CONFLICT (archive_arn, event_id) DO NOTHING`,
      [
        archived.map((e) => e.archiveArn),
        archived.map((e) => e.eventId),
        archived.map((e) => Buffer.byteLength(e.event, 'utf8')),
        archived.map((e) => e.expiresAt ?? null),
        archived.map((e) => e.event),
      ],
    );
    this.archiveSweepCountdown -= archived.length;
    if (this.archiveSweepCountdown <= 0) {
      this.archiveSweepCountdown = ARCHIVE_SWEEP_EVERY;
      await c.query(`DELETE FROM ${this.S}.events_archived WHERE expires_at IS NOT NULL AND expires_at <= $1`, [now]);
    }
  }

  // --- Connections and API destinations ---

  async createConnection(c: ConnectionRecord): Promise<boolean> {
    const { rowCount } = await this.q(
      `INSERT INTO ${this.S}.events_connections (arn, account_id, region, name, record) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [c.arn, c.accountId, c.region, c.name, JSON.stringify(c)],
    );
    return rowCount > 0;
  }

  getConnection(arn: string): Promise<ConnectionRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_connections WHERE arn = $1`, [arn]);
  }

  async listConnections(accountId: string, region: string, prefix: string, state: string | undefined, startAfter: string | undefined, limit: number) {
    // The state is inside the JSON record: filtered here (connections are few), as the SQLite engine does.
    const out: ConnectionRecord[] = [];
    let after = startAfter ?? '';
    for (;;) {
      const { rows } = await this.q<{ name: string; record: string }>(
        `SELECT name, record FROM ${this.S}.events_connections WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
         ORDER BY name LIMIT 100`,
        [accountId, region, after, prefix],
      );
      for (const row of rows) {
        const c = JSON.parse(row.record) as ConnectionRecord;
        if (state === undefined || c.state === state) out.push(c);
        if (out.length >= limit) return out;
      }
      if (rows.length < 100) return out;
      after = rows[rows.length - 1]!.name;
    }
  }

  async updateConnection(c: ConnectionRecord): Promise<void> {
    await this.q(`UPDATE ${this.S}.events_connections SET record = $1 WHERE arn = $2`, [JSON.stringify(c), c.arn]);
  }

  async deleteConnection(arn: string): Promise<void> {
    await this.q(`DELETE FROM ${this.S}.events_connections WHERE arn = $1`, [arn]);
  }

  async createApiDestination(d: ApiDestinationRecord): Promise<boolean> {
    const { rowCount } = await this.q(
      `INSERT INTO ${this.S}.events_api_destinations (arn, account_id, region, name, connection_arn, record) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [d.arn, d.accountId, d.region, d.name, d.connectionArn, JSON.stringify(d)],
    );
    return rowCount > 0;
  }

  getApiDestination(arn: string): Promise<ApiDestinationRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_api_destinations WHERE arn = $1`, [arn]);
  }

  listApiDestinations(accountId: string, region: string, prefix: string, connectionArn: string | undefined, startAfter: string | undefined, limit: number) {
    return this.records<ApiDestinationRecord>(
      `SELECT record FROM ${this.S}.events_api_destinations WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
         AND ($5::text IS NULL OR connection_arn = $5) ORDER BY name LIMIT $6`,
      [accountId, region, startAfter ?? '', prefix, connectionArn ?? null, limit],
    );
  }

  async updateApiDestination(d: ApiDestinationRecord): Promise<void> {
    await this.q(`UPDATE ${this.S}.events_api_destinations SET connection_arn = $1, record = $2 WHERE arn = $3`, [d.connectionArn, JSON.stringify(d), d.arn]);
  }

  async deleteApiDestination(arn: string): Promise<void> {
    await this.q(`DELETE FROM ${this.S}.events_api_destinations WHERE arn = $1`, [arn]);
  }

  // --- Schedules ---

  async setSchedule(ruleArn: string, nextFireAt: number | undefined): Promise<void> {
    if (nextFireAt === undefined) await this.q(`DELETE FROM ${this.S}.events_schedules WHERE rule_arn = $1`, [ruleArn]);
    else {
      await this.q(
        `INSERT INTO ${this.S}.events_schedules (rule_arn, next_fire_at) VALUES ($1, $2)
         ON CONFLICT (rule_arn) DO UPDATE SET next_fire_at = excluded.next_fire_at`,
        [ruleArn, nextFireAt],
      );
    }
  }

  async getSchedule(ruleArn: string): Promise<number | undefined> {
    const { rows } = await this.q<{ next_fire_at: number }>(`SELECT next_fire_at FROM ${this.S}.events_schedules WHERE rule_arn = $1`, [ruleArn]);
    return rows[0]?.next_fire_at;
  }

  async nextScheduleAt(): Promise<number | undefined> {
    const { rows } = await this.q<{ at: number | null }>(`SELECT min(next_fire_at) AS at FROM ${this.S}.events_schedules`, []);
    return rows[0]?.at ?? undefined;
  }

  async dueSchedules(now: number, limit: number): Promise<ScheduleDue[]> {
    const { rows } = await this.q<{ rule_arn: string; next_fire_at: number }>(
      `SELECT rule_arn, next_fire_at FROM ${this.S}.events_schedules WHERE next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ ruleArn: r.rule_arn, nextFireAt: r.next_fire_at }));
  }

  claimSchedule(ruleArn: string, expectedAt: number, nextAt: number | undefined, deliveries: FanoutDelivery[]): Promise<SendResult[][] | undefined> {
    const S = this.S;
    return this.h.tx(async (c) => {
      // Compare-and-set: a node that lost the race finds the fire time moved (or the row gone) and writes nothing.
      const claimed =
        nextAt === undefined
          ? await c.query(`DELETE FROM ${S}.events_schedules WHERE rule_arn = $1 AND next_fire_at = $2`, [ruleArn, expectedAt])
          : await c.query(`UPDATE ${S}.events_schedules SET next_fire_at = $1 WHERE rule_arn = $2 AND next_fire_at = $3`, [nextAt, ruleArn, expectedAt]);
      if (!claimed.rowCount) return undefined;
      return this.h.sendManyIn(c, deliveries);
    });
  }

  // --- Replays ---

  createReplay(r: ReplayRecord, maxActive: number): Promise<'created' | 'exists' | 'limit'> {
    const S = this.S;
    return this.h.tx(async (c) => {
      // Serializes replay creation per account and region across nodes, so the active-replay limit holds.
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`postbox-events-replays:${S}:${r.accountId}:${r.region}`]);
      if ((await c.query(`SELECT 1 FROM ${S}.events_replays WHERE arn = $1`, [r.arn])).rowCount) return 'exists';
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${S}.events_replays WHERE account_id = $1 AND region = $2 AND state IN ('STARTING', 'RUNNING', 'CANCELLING')`,
        [r.accountId, r.region],
      );
      if ((rows[0]?.n ?? 0) >= maxActive) return 'limit';
      await c.query(
        `INSERT INTO ${S}.events_replays (arn, account_id, region, name, state, archive_arn, record) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [r.arn, r.accountId, r.region, r.name, r.state, r.archiveArn, JSON.stringify(r)],
      );
      return 'created';
    });
  }

  getReplay(arn: string): Promise<ReplayRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_replays WHERE arn = $1`, [arn]);
  }

  listReplays(
    accountId: string,
    region: string,
    filter: { prefix: string; state?: string; archiveArn?: string },
    startAfter: string | undefined,
    limit: number,
  ): Promise<ReplayRecord[]> {
    return this.records(
      `SELECT record FROM ${this.S}.events_replays WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
         AND ($5::text IS NULL OR state = $5) AND ($6::text IS NULL OR archive_arn = $6) ORDER BY name LIMIT $7`,
      [accountId, region, startAfter ?? '', filter.prefix, filter.state ?? null, filter.archiveArn ?? null, limit],
    );
  }

  async updateReplay(replay: ReplayRecord, expectedState: ReplayState): Promise<boolean> {
    // One statement: the compare-and-set, and — when it ends the replay — dropping the replay's lease.
    const { rows } = await this.q<{ n: number }>(
      `WITH updated AS (
         UPDATE ${this.S}.events_replays SET state = $1, record = $2 WHERE arn = $3 AND state = $4 RETURNING arn
       ), released AS (
         DELETE FROM ${this.S}.events_replay_leases WHERE arn IN (SELECT arn FROM updated) AND $1 IN ('COMPLETED', 'CANCELLED', 'FAILED')
       )
       SELECT count(*)::int AS n FROM updated`,
      [replay.state, JSON.stringify(replay), replay.arn, expectedState],
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  unfinishedReplays(): Promise<ReplayRecord[]> {
    return this.records(`SELECT record FROM ${this.S}.events_replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING') ORDER BY arn`, []);
  }

  /**
   * Takes or renews the right to run a replay's next step until `now + ttlMs`: answers true if `owner` holds it
   * (it did, or the previous holder's lease ran out). Keeps two nodes from routing one replay's batches twice;
   * a node that dies loses the lease, and another node's runner carries the replay on.
   */
  async claimReplay(arn: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.q(
      `INSERT INTO ${this.S}.events_replay_leases (arn, owner, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (arn) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE events_replay_leases.owner = excluded.owner OR events_replay_leases.expires_at <= $4`,
      [arn, owner, now + ttlMs, now],
    );
    return rowCount > 0;
  }

  async archivedEventsInWindow(
    archiveArn: string,
    fromTime: string,
    toTime: string,
    after: { time: string; eventId: string } | undefined,
    now: number,
    limit: number,
  ): Promise<ArchivedEventRow[]> {
    // Without a cursor, start just before the window: ('', '') sorts before every (time, id) in it.
    const { rows } = await this.q<{ event_id: string; event_time: string; event: string }>(
      `SELECT event_id, event_time, event FROM ${this.S}.events_archived
       WHERE archive_arn = $1 AND event_time >= $2 AND event_time < $3 AND (event_time, event_id) > ($4, $5)
         AND (expires_at IS NULL OR expires_at > $6)
       ORDER BY event_time, event_id LIMIT $7`,
      [archiveArn, fromTime, toTime, after?.time ?? '', after?.eventId ?? '', now, limit],
    );
    return rows.map((r) => ({ eventId: r.event_id, time: r.event_time, event: r.event }));
  }

  // --- Global endpoints ---

  async createEndpoint(e: EndpointRecord): Promise<boolean> {
    const { rowCount } = await this.q(
      `INSERT INTO ${this.S}.events_endpoints (arn, account_id, region, name, endpoint_id, record) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [e.arn, e.accountId, e.region, e.name, e.endpointId, JSON.stringify(e)],
    );
    return rowCount > 0;
  }

  getEndpoint(arn: string): Promise<EndpointRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_endpoints WHERE arn = $1`, [arn]);
  }

  getEndpointById(endpointId: string): Promise<EndpointRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_endpoints WHERE endpoint_id = $1`, [endpointId]);
  }

  listEndpoints(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<EndpointRecord[]> {
    return this.records(
      `SELECT record FROM ${this.S}.events_endpoints WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
       ORDER BY name LIMIT $5`,
      [accountId, region, startAfter ?? '', prefix, limit],
    );
  }

  async updateEndpoint(e: EndpointRecord): Promise<void> {
    await this.q(`UPDATE ${this.S}.events_endpoints SET record = $1 WHERE arn = $2`, [JSON.stringify(e), e.arn]);
  }

  async deleteEndpoint(arn: string): Promise<void> {
    await this.q(`DELETE FROM ${this.S}.events_endpoints WHERE arn = $1`, [arn]);
  }

  // --- Partner event sources ---

  async createPartnerSource(p: PartnerSourceRecord): Promise<boolean> {
    const { rowCount } = await this.q(
      `INSERT INTO ${this.S}.events_partner_sources (region, name, account_id, partner_account_id, record) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [p.region, p.name, p.accountId, p.partnerAccountId, JSON.stringify(p)],
    );
    return rowCount > 0;
  }

  getPartnerSource(region: string, name: string, accountId: string): Promise<PartnerSourceRecord | undefined> {
    return this.record(`SELECT record FROM ${this.S}.events_partner_sources WHERE region = $1 AND name = $2 AND account_id = $3`, [region, name, accountId]);
  }

  async updatePartnerSource(p: PartnerSourceRecord): Promise<void> {
    await this.q(`UPDATE ${this.S}.events_partner_sources SET record = $1 WHERE region = $2 AND name = $3 AND account_id = $4`, [
      JSON.stringify(p),
      p.region,
      p.name,
      p.accountId,
    ]);
  }

  async deletePartnerSource(region: string, name: string, accountId: string): Promise<void> {
    await this.q(`DELETE FROM ${this.S}.events_partner_sources WHERE region = $1 AND name = $2 AND account_id = $3`, [region, name, accountId]);
  }

  partnerSourceAccounts(region: string, name: string, startAfter: string | undefined, limit: number): Promise<PartnerSourceRecord[]> {
    return this.records(
      `SELECT record FROM ${this.S}.events_partner_sources WHERE region = $1 AND name = $2 AND account_id > $3 ORDER BY account_id LIMIT $4`,
      [region, name, startAfter ?? '', limit],
    );
  }

  async partnerSourceNames(partnerAccountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<string[]> {
    const { rows } = await this.q<{ name: string }>(
      `SELECT DISTINCT name FROM ${this.S}.events_partner_sources WHERE partner_account_id = $1 AND region = $2 AND name > $3
         AND starts_with(name, $4) ORDER BY name LIMIT $5`,
      [partnerAccountId, region, startAfter ?? '', prefix, limit],
    );
    return rows.map((r) => r.name);
  }

  eventSourcesOf(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<PartnerSourceRecord[]> {
    return this.records(
      `SELECT record FROM ${this.S}.events_partner_sources WHERE account_id = $1 AND region = $2 AND name > $3 AND starts_with(name, $4)
       ORDER BY name LIMIT $5`,
      [accountId, region, startAfter ?? '', prefix, limit],
    );
  }
}
