import type { Database, Statement } from 'better-sqlite3';
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
import type { GroupCommit } from './group-commit.js';

/** Archive writes between two sweeps of events past their retention (indexed by expiry, so a sweep is cheap). */
const ARCHIVE_SWEEP_EVERY = 1_000;

/**
 * EventBridge on the SQLite engine: the same database and group commit as the queues (migration 3). Records are
 * stored as JSON; the columns beside them are what listings seek on.
 */
export class SqliteEventsStore implements EventsStore {
  private readonly s: ReturnType<typeof prepare>;
  private readonly tx: ReturnType<SqliteEventsStore['transactions']>;
  private archiveSweepCountdown = ARCHIVE_SWEEP_EVERY;

  constructor(
    private readonly db: Database,
    private readonly group: GroupCommit,
    /** The queue engine's multi-queue send, run inside the caller's transaction. */
    private readonly sendManyInTransaction: (deliveries: FanoutDelivery[]) => SendResult[][],
  ) {
    this.s = prepare(db);
    this.tx = this.transactions();
  }

  private transactions() {
    const t = <A extends unknown[], R>(fn: (...args: A) => R) => this.db.transaction(fn);
    return {
      createBus: t((bus: EventBusRecord) => {
        const existing = this.s.getBus.get(bus.arn) as { record: string } | undefined;
        if (existing) return { bus: JSON.parse(existing.record) as EventBusRecord, created: false };
        this.s.insertBus.run(bus.arn, bus.accountId, bus.region, bus.name, JSON.stringify(bus));
        return { bus, created: true };
      }),
      updateBus: t((bus: EventBusRecord) => void this.s.updateBus.run(JSON.stringify(bus), bus.arn)),
      deleteBus: t((arn: string) => {
        this.s.deleteBusArchivedEvents.run(arn);
        this.s.deleteBusArchives.run(arn);
        this.s.deleteBusTargets.run(arn);
        this.s.deleteBusRules.run(arn);
        this.s.deleteBus.run(arn);
      }),
      putRule: t((rule: RuleRecord) => void this.s.putRule.run(rule.arn, rule.busArn, rule.name, JSON.stringify(rule))),
      deleteRule: t((arn: string) => {
        if (this.s.anyTarget.get(arn)) return false;
        this.s.deleteRule.run(arn);
        this.s.deleteSchedule.run(arn);
        return true;
      }),
      putTargets: t((ruleArn: string, targets: TargetRecord[], maxTargets: number) => {
        const existing = new Set((this.s.targetIds.all(ruleArn) as { id: string }[]).map((r) => r.id));
        for (const target of targets) existing.add(target.id);
        if (existing.size > maxTargets) return false;
        for (const target of targets) this.s.putTarget.run(ruleArn, target.id, target.arn, JSON.stringify(target.target));
        return true;
      }),
      removeTargets: t((ruleArn: string, ids: string[]) => ids.filter((id) => this.s.deleteTarget.run(ruleArn, id).changes > 0)),
      createArchive: t((a: ArchiveRecord) => this.s.insertArchive.run(a.arn, a.accountId, a.region, a.name, a.busArn, JSON.stringify(a)).changes > 0),
      deleteArchive: t((arn: string) => {
        this.s.deleteArchivedEvents.run(arn);
        this.s.deleteArchive.run(arn);
      }),
      commitEvents: t((deliveries: FanoutDelivery[], archived: ArchivedEvent[], now: number) => {
        const results = this.sendManyInTransaction(deliveries);
        if (archived.length) {
          for (const e of archived) this.s.archiveEvent.run(e.archiveArn, e.eventId, Buffer.byteLength(e.event, 'utf8'), e.expiresAt ?? null, e.event);
          this.archiveSweepCountdown -= archived.length;
          if (this.archiveSweepCountdown <= 0) {
            this.archiveSweepCountdown = ARCHIVE_SWEEP_EVERY;
            this.s.deleteExpiredArchived.run(now);
          }
        }
        return results;
      }),
      claimSchedule: t((ruleArn: string, expectedAt: number, nextAt: number | undefined, deliveries: FanoutDelivery[]) => {
        const claimed =
          nextAt === undefined
            ? this.s.claimScheduleEnd.run(ruleArn, expectedAt).changes
            : this.s.claimSchedule.run(nextAt, ruleArn, expectedAt).changes;
        if (claimed === 0) return undefined;
        return this.sendManyInTransaction(deliveries);
      }),
      createReplay: t((r: ReplayRecord, maxActive: number): 'created' | 'exists' | 'limit' => {
        if (this.s.getReplay.get(r.arn)) return 'exists';
        if ((this.s.countActiveReplays.get(r.accountId, r.region) as { n: number }).n >= maxActive) return 'limit';
        this.s.insertReplay.run(r.arn, r.accountId, r.region, r.name, r.state, r.archiveArn, JSON.stringify(r));
        return 'created';
      }),
    };
  }

  createBus(bus: EventBusRecord): Promise<{ bus: EventBusRecord; created: boolean }> {
    return this.group.write(() => this.tx.createBus(bus));
  }

  getBus(arn: string): Promise<EventBusRecord | undefined> {
    return this.group.read(() => parse<EventBusRecord>(this.s.getBus.get(arn)));
  }

  listBuses(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<EventBusRecord[]> {
    return this.group.read(() =>
      (this.s.listBuses.all(accountId, region, startAfter ?? '', prefix.length, prefix, limit) as { record: string }[]).map(
        (r) => JSON.parse(r.record) as EventBusRecord,
      ),
    );
  }

  async updateBus(bus: EventBusRecord): Promise<void> {
    await this.group.write(() => this.tx.updateBus(bus));
  }

  async deleteBus(arn: string): Promise<void> {
    await this.group.write(() => this.tx.deleteBus(arn));
  }

  async putRule(rule: RuleRecord): Promise<void> {
    await this.group.write(() => this.tx.putRule(rule));
  }

  getRule(arn: string): Promise<RuleRecord | undefined> {
    return this.group.read(() => parse<RuleRecord>(this.s.getRule.get(arn)));
  }

  listRules(busArn: string, prefix: string, startAfter: string | undefined, limit: number): Promise<RuleRecord[]> {
    return this.group.read(() =>
      (this.s.listRules.all(busArn, startAfter ?? '', prefix.length, prefix, limit) as { record: string }[]).map((r) => JSON.parse(r.record) as RuleRecord),
    );
  }

  rulesWithTargets(busArn: string): Promise<{ rule: RuleRecord; targets: TargetRecord[] }[]> {
    return this.group.read(() => {
      const rules = (this.s.rulesOfBus.all(busArn) as { record: string }[]).map((r) => JSON.parse(r.record) as RuleRecord);
      const byRule = new Map<string, TargetRecord[]>(rules.map((r) => [r.arn, []]));
      for (const row of this.s.targetsOfBus.all(busArn) as TargetRow[]) byRule.get(row.rule_arn)?.push(toTarget(row));
      return rules.map((rule) => ({ rule, targets: byRule.get(rule.arn)! }));
    });
  }

  deleteRule(arn: string): Promise<boolean> {
    return this.group.write(() => this.tx.deleteRule(arn));
  }

  putTargets(ruleArn: string, targets: TargetRecord[], maxTargets: number): Promise<boolean> {
    return this.group.write(() => this.tx.putTargets(ruleArn, targets, maxTargets));
  }

  removeTargets(ruleArn: string, ids: string[]): Promise<string[]> {
    return this.group.write(() => this.tx.removeTargets(ruleArn, ids));
  }

  listTargets(ruleArn: string, startAfter: string | undefined, limit: number): Promise<TargetRecord[]> {
    return this.group.read(() => (this.s.listTargets.all(ruleArn, startAfter ?? '', limit) as TargetRow[]).map(toTarget));
  }

  ruleNamesByTarget(busArn: string, targetArn: string, startAfter: string | undefined, limit: number): Promise<string[]> {
    return this.group.read(() =>
      (this.s.ruleNamesByTarget.all(targetArn, busArn, startAfter ?? '', limit) as { name: string }[]).map((r) => r.name),
    );
  }

  createArchive(archive: ArchiveRecord): Promise<boolean> {
    return this.group.write(() => this.tx.createArchive(archive));
  }

  getArchive(arn: string): Promise<ArchiveRecord | undefined> {
    return this.group.read(() => parse<ArchiveRecord>(this.s.getArchive.get(arn)));
  }

  listArchives(accountId: string, region: string, prefix: string, busArn: string | undefined, startAfter: string | undefined, limit: number) {
    return this.group.read(() =>
      (this.s.listArchives.all(accountId, region, startAfter ?? '', prefix.length, prefix, busArn ?? null, busArn ?? null, limit) as { record: string }[]).map(
        (r) => JSON.parse(r.record) as ArchiveRecord,
      ),
    );
  }

  async updateArchive(archive: ArchiveRecord): Promise<void> {
    await this.group.write(() => this.s.updateArchive.run(JSON.stringify(archive), archive.arn));
  }

  async deleteArchive(arn: string): Promise<void> {
    await this.group.write(() => this.tx.deleteArchive(arn));
  }

  archivesOfBus(busArn: string): Promise<ArchiveRecord[]> {
    return this.group.read(() => (this.s.archivesOfBus.all(busArn) as { record: string }[]).map((r) => JSON.parse(r.record) as ArchiveRecord));
  }

  archiveStats(arn: string, now: number): Promise<{ eventCount: number; sizeBytes: number }> {
    return this.group.read(() => {
      const row = this.s.archiveStats.get(arn, now) as { n: number; bytes: number | null };
      return { eventCount: row.n, sizeBytes: row.bytes ?? 0 };
    });
  }

  commitEvents(deliveries: FanoutDelivery[], archived: ArchivedEvent[], now: number): Promise<SendResult[][]> {
    return this.group.write(() => this.tx.commitEvents(deliveries, archived, now));
  }

  // --- Connections, API destinations and schedules ---

  createConnection(c: ConnectionRecord): Promise<boolean> {
    return this.group.write(() => this.s.insertConnection.run(c.arn, c.accountId, c.region, c.name, JSON.stringify(c)).changes > 0);
  }

  getConnection(arn: string): Promise<ConnectionRecord | undefined> {
    return this.group.read(() => parse<ConnectionRecord>(this.s.getConnection.get(arn)));
  }

  listConnections(accountId: string, region: string, prefix: string, state: string | undefined, startAfter: string | undefined, limit: number) {
    // The state is inside the JSON record: filtered here, reading pages until `limit` match (connections are few).
    return this.group.read(() => {
      const out: ConnectionRecord[] = [];
      let after = startAfter ?? '';
      for (;;) {
        const rows = this.s.listConnections.all(accountId, region, after, prefix.length, prefix, 100) as { record: string; name: string }[];
        for (const row of rows) {
          const c = JSON.parse(row.record) as ConnectionRecord;
          if (state === undefined || c.state === state) out.push(c);
          if (out.length >= limit) return out;
        }
        if (rows.length < 100) return out;
        after = rows[rows.length - 1]!.name;
      }
    });
  }

  async updateConnection(c: ConnectionRecord): Promise<void> {
    await this.group.write(() => this.s.updateConnection.run(JSON.stringify(c), c.arn));
  }

  async deleteConnection(arn: string): Promise<void> {
    await this.group.write(() => this.s.deleteConnection.run(arn));
  }

  createApiDestination(d: ApiDestinationRecord): Promise<boolean> {
    return this.group.write(
      () => this.s.insertApiDestination.run(d.arn, d.accountId, d.region, d.name, d.connectionArn, JSON.stringify(d)).changes > 0,
    );
  }

  getApiDestination(arn: string): Promise<ApiDestinationRecord | undefined> {
    return this.group.read(() => parse<ApiDestinationRecord>(this.s.getApiDestination.get(arn)));
  }

  listApiDestinations(accountId: string, region: string, prefix: string, connectionArn: string | undefined, startAfter: string | undefined, limit: number) {
    return this.group.read(() =>
      (
        this.s.listApiDestinations.all(accountId, region, startAfter ?? '', prefix.length, prefix, connectionArn ?? null, connectionArn ?? null, limit) as {
          record: string;
        }[]
      ).map((r) => JSON.parse(r.record) as ApiDestinationRecord),
    );
  }

  async updateApiDestination(d: ApiDestinationRecord): Promise<void> {
    await this.group.write(() => this.s.updateApiDestination.run(d.connectionArn, JSON.stringify(d), d.arn));
  }

  async deleteApiDestination(arn: string): Promise<void> {
    await this.group.write(() => this.s.deleteApiDestination.run(arn));
  }

  async setSchedule(ruleArn: string, nextFireAt: number | undefined): Promise<void> {
    await this.group.write(() => (nextFireAt === undefined ? this.s.deleteSchedule.run(ruleArn) : this.s.putSchedule.run(ruleArn, nextFireAt)));
  }

  getSchedule(ruleArn: string): Promise<number | undefined> {
    return this.group.read(() => (this.s.getSchedule.get(ruleArn) as { next_fire_at: number } | undefined)?.next_fire_at);
  }

  nextScheduleAt(): Promise<number | undefined> {
    return this.group.read(() => (this.s.nextSchedule.get() as { at: number | null }).at ?? undefined);
  }

  dueSchedules(now: number, limit: number): Promise<ScheduleDue[]> {
    return this.group.read(() =>
      (this.s.dueSchedules.all(now, limit) as { rule_arn: string; next_fire_at: number }[]).map((r) => ({ ruleArn: r.rule_arn, nextFireAt: r.next_fire_at })),
    );
  }

  claimSchedule(ruleArn: string, expectedAt: number, nextAt: number | undefined, deliveries: FanoutDelivery[]): Promise<SendResult[][] | undefined> {
    return this.group.write(() => this.tx.claimSchedule(ruleArn, expectedAt, nextAt, deliveries));
  }

  // Replays, global endpoints, partner event sources (their own migration).

  createReplay(replay: ReplayRecord, maxActive: number): Promise<'created' | 'exists' | 'limit'> {
    return this.group.write(() => this.tx.createReplay(replay, maxActive));
  }

  getReplay(arn: string): Promise<ReplayRecord | undefined> {
    return this.group.read(() => parse<ReplayRecord>(this.s.getReplay.get(arn)));
  }

  listReplays(
    accountId: string,
    region: string,
    filter: { prefix: string; state?: string; archiveArn?: string },
    startAfter: string | undefined,
    limit: number,
  ): Promise<ReplayRecord[]> {
    const { prefix, state = null, archiveArn = null } = filter;
    return this.group.read(() =>
      records<ReplayRecord>(this.s.listReplays.all(accountId, region, startAfter ?? '', prefix.length, prefix, state, state, archiveArn, archiveArn, limit)),
    );
  }

  updateReplay(replay: ReplayRecord, expectedState: ReplayState): Promise<boolean> {
    return this.group.write(() => this.s.updateReplay.run(replay.state, JSON.stringify(replay), replay.arn, expectedState).changes > 0);
  }

  unfinishedReplays(): Promise<ReplayRecord[]> {
    return this.group.read(() => records<ReplayRecord>(this.s.unfinishedReplays.all()));
  }

  archivedEventsInWindow(
    archiveArn: string,
    fromTime: string,
    toTime: string,
    after: { time: string; eventId: string } | undefined,
    now: number,
    limit: number,
  ): Promise<ArchivedEventRow[]> {
    // Without a cursor, start just before the window: ('', '') sorts before every (time, id) in it.
    const afterTime = after?.time ?? '';
    const afterId = after?.eventId ?? '';
    return this.group.read(() =>
      (this.s.archivedInWindow.all(archiveArn, fromTime, toTime, afterTime, afterTime, afterId, now, limit) as { event_id: string; t: string; event: string }[]).map(
        (r) => ({ eventId: r.event_id, time: r.t, event: r.event }),
      ),
    );
  }

  createEndpoint(e: EndpointRecord): Promise<boolean> {
    return this.group.write(() => this.s.insertEndpoint.run(e.arn, e.accountId, e.region, e.name, e.endpointId, JSON.stringify(e)).changes > 0);
  }

  getEndpoint(arn: string): Promise<EndpointRecord | undefined> {
    return this.group.read(() => parse<EndpointRecord>(this.s.getEndpoint.get(arn)));
  }

  getEndpointById(endpointId: string): Promise<EndpointRecord | undefined> {
    return this.group.read(() => parse<EndpointRecord>(this.s.getEndpointById.get(endpointId)));
  }

  listEndpoints(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<EndpointRecord[]> {
    return this.group.read(() => records<EndpointRecord>(this.s.listEndpoints.all(accountId, region, startAfter ?? '', prefix.length, prefix, limit)));
  }

  async updateEndpoint(e: EndpointRecord): Promise<void> {
    await this.group.write(() => this.s.updateEndpoint.run(JSON.stringify(e), e.arn));
  }

  async deleteEndpoint(arn: string): Promise<void> {
    await this.group.write(() => this.s.deleteEndpoint.run(arn));
  }

  createPartnerSource(p: PartnerSourceRecord): Promise<boolean> {
    return this.group.write(() => this.s.insertPartnerSource.run(p.region, p.name, p.accountId, p.partnerAccountId, JSON.stringify(p)).changes > 0);
  }

  getPartnerSource(region: string, name: string, accountId: string): Promise<PartnerSourceRecord | undefined> {
    return this.group.read(() => parse<PartnerSourceRecord>(this.s.getPartnerSource.get(region, name, accountId)));
  }

  async updatePartnerSource(p: PartnerSourceRecord): Promise<void> {
    await this.group.write(() => this.s.updatePartnerSource.run(JSON.stringify(p), p.region, p.name, p.accountId));
  }

  async deletePartnerSource(region: string, name: string, accountId: string): Promise<void> {
    await this.group.write(() => this.s.deletePartnerSource.run(region, name, accountId));
  }

  partnerSourceAccounts(region: string, name: string, startAfter: string | undefined, limit: number): Promise<PartnerSourceRecord[]> {
    return this.group.read(() => records<PartnerSourceRecord>(this.s.partnerSourceAccounts.all(region, name, startAfter ?? '', limit)));
  }

  partnerSourceNames(partnerAccountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<string[]> {
    return this.group.read(() =>
      (this.s.partnerSourceNames.all(partnerAccountId, region, startAfter ?? '', prefix.length, prefix, limit) as { name: string }[]).map((r) => r.name),
    );
  }

  eventSourcesOf(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<PartnerSourceRecord[]> {
    return this.group.read(() => records<PartnerSourceRecord>(this.s.eventSourcesOf.all(accountId, region, startAfter ?? '', prefix.length, prefix, limit)));
  }
}

interface TargetRow {
  rule_arn: string;
  id: string;
  target_arn: string;
  target: string;
}

const toTarget = (r: TargetRow): TargetRecord => ({ id: r.id, arn: r.target_arn, target: JSON.parse(r.target) as Record<string, unknown> });

const records = <T>(rows: unknown[]): T[] => (rows as { record: string }[]).map((r) => JSON.parse(r.record) as T);

function parse<T>(row: unknown): T | undefined {
  return row ? (JSON.parse((row as { record: string }).record) as T) : undefined;
}

function prepare(db: Database) {
  const q = (sql: string): Statement => db.prepare(sql);
  // Prefix filters use substr() rather than LIKE, whose `_` and `%` would be wildcards in names that contain them.
  return {
    getBus: q('SELECT record FROM events_buses WHERE arn = ?'),
    insertBus: q('INSERT INTO events_buses (arn, account_id, region, name, record) VALUES (?, ?, ?, ?, ?)'),
    updateBus: q('UPDATE events_buses SET record = ? WHERE arn = ?'),
    deleteBus: q('DELETE FROM events_buses WHERE arn = ?'),
    deleteBusRules: q('DELETE FROM events_rules WHERE bus_arn = ?'),
    deleteBusTargets: q('DELETE FROM events_targets WHERE rule_arn IN (SELECT arn FROM events_rules WHERE bus_arn = ?)'),
    listBuses: q(
      `SELECT record FROM events_buses WHERE account_id = ? AND region = ? AND name > ?
         AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?`,
    ),
    putRule: q(
      `INSERT INTO events_rules (arn, bus_arn, name, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET record = excluded.record`,
    ),
    getRule: q('SELECT record FROM events_rules WHERE arn = ?'),
    listRules: q('SELECT record FROM events_rules WHERE bus_arn = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?'),
    rulesOfBus: q('SELECT record FROM events_rules WHERE bus_arn = ? ORDER BY name'),
    deleteRule: q('DELETE FROM events_rules WHERE arn = ?'),
    anyTarget: q('SELECT 1 FROM events_targets WHERE rule_arn = ? LIMIT 1'),
    targetIds: q('SELECT id FROM events_targets WHERE rule_arn = ?'),
    putTarget: q(
      `INSERT INTO events_targets (rule_arn, id, target_arn, target) VALUES (?, ?, ?, ?)
       ON CONFLICT (rule_arn, id) DO UPDATE SET target_arn = excluded.target_arn, target = excluded.target`,
    ),
    deleteTarget: q('DELETE FROM events_targets WHERE rule_arn = ? AND id = ?'),
    listTargets: q('SELECT * FROM events_targets WHERE rule_arn = ? AND id > ? ORDER BY id LIMIT ?'),
    targetsOfBus: q(
      'SELECT t.* FROM events_targets t JOIN events_rules r ON r.arn = t.rule_arn WHERE r.bus_arn = ? ORDER BY t.rule_arn, t.id',
    ),
    getArchive: q('SELECT record FROM events_archives WHERE arn = ?'),
    insertArchive: q('INSERT OR IGNORE INTO events_archives (arn, account_id, region, name, bus_arn, record) VALUES (?, ?, ?, ?, ?, ?)'),
    updateArchive: q('UPDATE events_archives SET record = ? WHERE arn = ?'),
    deleteArchive: q('DELETE FROM events_archives WHERE arn = ?'),
    deleteArchivedEvents: q('DELETE FROM events_archived WHERE archive_arn = ?'),
    deleteBusArchives: q('DELETE FROM events_archives WHERE bus_arn = ?'),
    deleteBusArchivedEvents: q('DELETE FROM events_archived WHERE archive_arn IN (SELECT arn FROM events_archives WHERE bus_arn = ?)'),
    listArchives: q(
      `SELECT record FROM events_archives WHERE account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ?
         AND (? IS NULL OR bus_arn = ?) ORDER BY name LIMIT ?`,
    ),
    archivesOfBus: q('SELECT record FROM events_archives WHERE bus_arn = ? ORDER BY name'),
    archiveEvent: q('INSERT OR IGNORE INTO events_archived (archive_arn, event_id, size, expires_at, event) VALUES (?, ?, ?, ?, ?)'),
    archiveStats: q('SELECT count(*) AS n, sum(size) AS bytes FROM events_archived WHERE archive_arn = ? AND (expires_at IS NULL OR expires_at > ?)'),
    deleteExpiredArchived: q('DELETE FROM events_archived WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    ruleNamesByTarget: q(
      `SELECT r.name FROM events_targets t JOIN events_rules r ON r.arn = t.rule_arn
       WHERE t.target_arn = ? AND r.bus_arn = ? AND r.name > ? GROUP BY r.name ORDER BY r.name LIMIT ?`,
    ),
    getConnection: q('SELECT record FROM events_connections WHERE arn = ?'),
    insertConnection: q('INSERT OR IGNORE INTO events_connections (arn, account_id, region, name, record) VALUES (?, ?, ?, ?, ?)'),
    updateConnection: q('UPDATE events_connections SET record = ? WHERE arn = ?'),
    deleteConnection: q('DELETE FROM events_connections WHERE arn = ?'),
    listConnections: q(
      'SELECT name, record FROM events_connections WHERE account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?',
    ),
    getApiDestination: q('SELECT record FROM events_api_destinations WHERE arn = ?'),
    insertApiDestination: q(
      'INSERT OR IGNORE INTO events_api_destinations (arn, account_id, region, name, connection_arn, record) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    updateApiDestination: q('UPDATE events_api_destinations SET connection_arn = ?, record = ? WHERE arn = ?'),
    deleteApiDestination: q('DELETE FROM events_api_destinations WHERE arn = ?'),
    listApiDestinations: q(
      `SELECT record FROM events_api_destinations WHERE account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ?
         AND (? IS NULL OR connection_arn = ?) ORDER BY name LIMIT ?`,
    ),
    putSchedule: q(
      `INSERT INTO events_schedules (rule_arn, next_fire_at) VALUES (?, ?)
       ON CONFLICT (rule_arn) DO UPDATE SET next_fire_at = excluded.next_fire_at`,
    ),
    getSchedule: q('SELECT next_fire_at FROM events_schedules WHERE rule_arn = ?'),
    deleteSchedule: q('DELETE FROM events_schedules WHERE rule_arn = ?'),
    nextSchedule: q('SELECT min(next_fire_at) AS at FROM events_schedules'),
    dueSchedules: q('SELECT rule_arn, next_fire_at FROM events_schedules WHERE next_fire_at <= ? ORDER BY next_fire_at LIMIT ?'),
    claimSchedule: q('UPDATE events_schedules SET next_fire_at = ? WHERE rule_arn = ? AND next_fire_at = ?'),
    claimScheduleEnd: q('DELETE FROM events_schedules WHERE rule_arn = ? AND next_fire_at = ?'),
    // Replays, global endpoints, partner event sources (their own migration).
    getReplay: q('SELECT record FROM events_replays WHERE arn = ?'),
    insertReplay: q('INSERT INTO events_replays (arn, account_id, region, name, state, archive_arn, record) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    countActiveReplays: q(`SELECT count(*) AS n FROM events_replays WHERE account_id = ? AND region = ? AND state IN ('STARTING', 'RUNNING', 'CANCELLING')`),
    listReplays: q(
      `SELECT record FROM events_replays WHERE account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ?
         AND (? IS NULL OR state = ?) AND (? IS NULL OR archive_arn = ?) ORDER BY name LIMIT ?`,
    ),
    updateReplay: q('UPDATE events_replays SET state = ?, record = ? WHERE arn = ? AND state = ?'),
    unfinishedReplays: q(`SELECT record FROM events_replays WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING') ORDER BY arn`),
    // The time expression is the one events_archived_time indexes.
    archivedInWindow: q(
      `SELECT event_id, json_extract(event, '$.time') AS t, event FROM events_archived
       WHERE archive_arn = ? AND json_extract(event, '$.time') >= ? AND json_extract(event, '$.time') < ?
         AND (json_extract(event, '$.time') > ? OR (json_extract(event, '$.time') = ? AND event_id > ?))
         AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY json_extract(event, '$.time'), event_id LIMIT ?`,
    ),
    getEndpoint: q('SELECT record FROM events_endpoints WHERE arn = ?'),
    getEndpointById: q('SELECT record FROM events_endpoints WHERE endpoint_id = ?'),
    insertEndpoint: q('INSERT OR IGNORE INTO events_endpoints (arn, account_id, region, name, endpoint_id, record) VALUES (?, ?, ?, ?, ?, ?)'),
    updateEndpoint: q('UPDATE events_endpoints SET record = ? WHERE arn = ?'),
    deleteEndpoint: q('DELETE FROM events_endpoints WHERE arn = ?'),
    listEndpoints: q('SELECT record FROM events_endpoints WHERE account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?'),
    getPartnerSource: q('SELECT record FROM events_partner_sources WHERE region = ? AND name = ? AND account_id = ?'),
    insertPartnerSource: q(
      'INSERT OR IGNORE INTO events_partner_sources (region, name, account_id, partner_account_id, record) VALUES (?, ?, ?, ?, ?)',
    ),
    updatePartnerSource: q('UPDATE events_partner_sources SET record = ? WHERE region = ? AND name = ? AND account_id = ?'),
    deletePartnerSource: q('DELETE FROM events_partner_sources WHERE region = ? AND name = ? AND account_id = ?'),
    partnerSourceAccounts: q('SELECT record FROM events_partner_sources WHERE region = ? AND name = ? AND account_id > ? ORDER BY account_id LIMIT ?'),
    partnerSourceNames: q(
      `SELECT DISTINCT name FROM events_partner_sources WHERE partner_account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ?
       ORDER BY name LIMIT ?`,
    ),
    eventSourcesOf: q(
      'SELECT record FROM events_partner_sources WHERE account_id = ? AND region = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?',
    ),
  };
}
