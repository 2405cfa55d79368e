import type { Logger } from 'pino';
import { compile, match, parsePattern, type CompiledRuleSet, type RuleInput } from '../pattern/index.js';
import type { ArchiveRecord, EventsStore, RuleRecord, TargetRecord } from '../store/events-contract.js';

/**
 * A bus's routing table: its enabled pattern rules and its archives' patterns compiled into one index (ids: the
 * rule or archive ARN), each rule's targets, and the archives without a pattern, which keep every event.
 */
export interface BusRouting {
  readonly index: CompiledRuleSet | undefined;
  readonly rules: ReadonlyMap<string, { readonly rule: RuleRecord; readonly targets: readonly TargetRecord[] }>;
  readonly archives: ReadonlyMap<string, ArchiveRecord>;
  readonly archivesOfAll: readonly ArchiveRecord[];
}

export interface RoutedEvent {
  readonly rules: { readonly rule: RuleRecord; readonly targets: readonly TargetRecord[] }[];
  readonly archives: readonly ArchiveRecord[];
}

/**
 * Routing per bus, in memory: the enabled rules' patterns are parsed and compiled once (pattern/compile) when the
 * bus's rules or targets change, not per event, so matching cost does not grow with the number of rules. Every
 * change to a bus's rules or targets drops its entry; the next PutEvents reloads and recompiles.
 *
 * With SQLite this process is the store's only writer, so the cache cannot miss a change made elsewhere. With
 * PostgreSQL other nodes change rules too: the store then gives a `version` per bus, bumped in the transaction of
 * every change to the bus's rules, targets or archives, and each `get` reads it (one primary-key lookup) and reloads
 * when it moved. A rule put on node A therefore routes the next PutEvents on node B, as soon as A has answered —
 * stricter than AWS, which documents that rule changes may take a short while to take effect.
 */
export class BusRoutes {
  private readonly cache = new Map<string, { version: number; routing: Promise<BusRouting> }>();
  /** Bumped by every invalidation, so that a load that started before a change is not cached after it. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly store: EventsStore,
    private readonly logger: Logger,
    /** The bus's routing version in a store shared with other nodes; absent when this process is the only writer. */
    private readonly version?: (busArn: string) => Promise<number>,
  ) {}

  async get(busArn: string): Promise<BusRouting> {
    // Read before loading: a change landing between the two leaves an older version cached, so the next get reloads.
    const version = this.version ? await this.version(busArn) : 0;
    const cached = this.cache.get(busArn);
    if (cached && cached.version === version) return cached.routing;
    const generation = this.generation.get(busArn) ?? 0;
    const loading = Promise.all([this.store.rulesWithTargets(busArn), this.store.archivesOfBus(busArn)]).then(([rules, archives]) =>
      this.compile(rules, archives),
    );
    const entry = { version, routing: loading };
    this.cache.set(busArn, entry);
    void loading.then(
      () => {
        if ((this.generation.get(busArn) ?? 0) !== generation && this.cache.get(busArn) === entry) this.cache.delete(busArn);
      },
      () => {
        if (this.cache.get(busArn) === entry) this.cache.delete(busArn);
      },
    );
    return loading;
  }

  invalidate(busArn: string): void {
    this.cache.delete(busArn);
    this.generation.set(busArn, (this.generation.get(busArn) ?? 0) + 1);
  }

  /** The rules an event matches (rule-name order) with their targets, and the archives that keep it. */
  matching(routing: BusRouting, event: object): RoutedEvent {
    const rules: RoutedEvent['rules'] = [];
    const archives = [...routing.archivesOfAll];
    for (const id of routing.index ? match(routing.index, event) : []) {
      const rule = routing.rules.get(id);
      if (rule) rules.push(rule);
      else archives.push(routing.archives.get(id)!);
    }
    return { rules, archives };
  }

  private compile(rules: { rule: RuleRecord; targets: TargetRecord[] }[], archiveList: ArchiveRecord[]): BusRouting {
    const inputs: RuleInput[] = [];
    const archives = new Map<string, ArchiveRecord>();
    const archivesOfAll: ArchiveRecord[] = [];
    for (const archive of archiveList) {
      if (archive.eventPattern === undefined) {
        archivesOfAll.push(archive);
        continue;
      }
      try {
        inputs.push({ id: archive.arn, pattern: parsePattern(archive.eventPattern, 'eventbridge') });
        archives.set(archive.arn, archive);
      } catch (err) {
        this.logger.warn({ err, archive: archive.arn }, 'archive event pattern does not parse; archive keeps nothing');
      }
    }
    const byArn = new Map<string, { rule: RuleRecord; targets: TargetRecord[] }>();
    for (const entry of rules) {
      const { rule } = entry;
      // Disabled rules match nothing; schedule-only rules are not matched against events (schedules come later).
      if (rule.state === 'DISABLED' || rule.eventPattern === undefined) continue;
      try {
        inputs.push({ id: rule.arn, pattern: parsePattern(rule.eventPattern, 'eventbridge') });
        byArn.set(rule.arn, entry);
      } catch (err) {
        // Patterns are validated by PutRule; one that no longer parses matches nothing rather than everything.
        this.logger.warn({ err, rule: rule.arn }, 'event pattern does not parse; rule matches nothing');
      }
    }
    return { index: inputs.length ? compile(inputs) : undefined, rules: byArn, archives, archivesOfAll };
  }
}
