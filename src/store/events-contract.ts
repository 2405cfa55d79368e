/**
 * Storage for Amazon EventBridge: event buses, rules and their targets. A separate interface from `Store` (queues)
 * and `SnsStore`, as sns-contract.ts explains: an engine adds EventBridge without every engine changing at once.
 * `commitEvents` writes a PutEvents call's deliveries into the engine's own queues and its archived events in one
 * transaction, so that every queue and archive the call routes to gets its events, or none does.
 *
 * As in contract.ts: every method is one transaction, times come from the caller.
 */

import type { SendResult } from './contract.js';
import type { FanoutDelivery } from './sns-contract.js';

export interface EventBusKey {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export interface EventBusRecord extends EventBusKey {
  readonly arn: string;
  readonly description?: string;
  readonly kmsKeyIdentifier?: string;
  /** DeadLetterConfig.Arn: stored and returned; Postbox does not dead-letter bus deliveries yet. */
  readonly deadLetterArn?: string;
  /** The bus's resource policy (PutPermission / RemovePermission), JSON text as DescribeEventBus returns it. */
  readonly policy?: string;
  /** A partner bus: the partner event source it receives from (CreateEventBus EventSourceName). */
  readonly eventSourceName?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RuleRecord {
  readonly arn: string;
  /** The bus the rule belongs to (its ARN) and the bus's name, as DescribeRule returns it. */
  readonly busArn: string;
  readonly busName: string;
  readonly name: string;
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly state: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
  /** The account that created the rule (DescribeRule's CreatedBy). */
  readonly createdBy: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/**
 * A rule's target, kept as the client sent it (the AWS JSON `Target` structure), so ListTargetsByRule returns every
 * member unchanged, including those of target kinds Postbox does not deliver to.
 */
export interface TargetRecord {
  readonly id: string;
  readonly arn: string;
  readonly target: Readonly<Record<string, unknown>>;
}

export interface ArchiveRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** The bus whose events the archive keeps (EventSourceArn). */
  readonly busArn: string;
  readonly description?: string;
  readonly eventPattern?: string;
  /** 0 keeps events for ever. */
  readonly retentionDays: number;
  readonly createdAt: number;
}

export interface ArchivedEvent {
  readonly archiveArn: string;
  readonly eventId: string;
  /** The event as EventBridge built it (JSON text); its UTF-8 length is what SizeBytes adds up. */
  readonly event: string;
  /** When retention drops it; undefined for archives that keep events for ever. */
  readonly expiresAt?: number;
}


export type ConnectionState = 'CREATING' | 'UPDATING' | 'DELETING' | 'AUTHORIZED' | 'DEAUTHORIZED' | 'AUTHORIZING' | 'DEAUTHORIZING' | 'ACTIVE' | 'FAILED_CONNECTIVITY';

/** A connection (CreateConnection): how API destinations authorize. `authParameters` keeps the secrets, which no action returns. */
export interface ConnectionRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly description?: string;
  readonly authorizationType: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
  /** The AWS JSON `AuthParameters` structure as last set (CreateConnection, merged by UpdateConnection). */
  readonly authParameters: Readonly<Record<string, unknown>>;
  readonly state: ConnectionState;
  readonly stateReason?: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly lastAuthorizedAt?: number;
}

/** An API destination (CreateApiDestination): an HTTP endpoint called through a connection. */
export interface ApiDestinationRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly description?: string;
  readonly connectionArn: string;
  readonly invocationEndpoint: string;
  readonly httpMethod: string;
  readonly invocationRateLimitPerSecond?: number;
  readonly state: 'ACTIVE' | 'INACTIVE';
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/** A scheduled rule's next firing, as kept for the scheduler. */
export interface ScheduleDue {
  readonly ruleArn: string;
  readonly nextFireAt: number;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface ReplayRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly description?: string;
  /** The archive replayed (EventSourceArn). */
  readonly archiveArn: string;
  /** Destination.Arn (the archive's bus) and FilterArns (the only rules that get the events, when given). */
  readonly destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
  readonly eventStartTime: number;
  readonly eventEndTime: number;
  readonly state: ReplayState;
  readonly stateReason?: string;
  readonly replayStartTime: number;
  readonly replayEndTime?: number;
  /** Event time of the last event replayed. */
  readonly eventLastReplayedTime?: number;
  /** Where the replay is in the archive: the last event replayed, by (event time text, event id). */
  readonly cursor?: { readonly time: string; readonly eventId: string };
}

/** An archived event as a replay reads it: in (time, eventId) order. */
export interface ArchivedEventRow {
  readonly eventId: string;
  /** The envelope's `time` (ISO 8601 to the second). */
  readonly time: string;
  readonly event: string;
}

export interface EndpointRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly endpointId: string;
  readonly description?: string;
  /** RoutingConfig, ReplicationConfig and EventBuses as the client sent them (AWS JSON shapes). */
  readonly routingConfig: Readonly<Record<string, unknown>>;
  readonly replicationConfig?: Readonly<Record<string, unknown>>;
  readonly eventBuses: readonly { readonly EventBusArn: string }[];
  readonly roleArn?: string;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

export type EventSourceState = 'PENDING' | 'ACTIVE' | 'DELETED';

/**
 * A partner event source as created for one customer account: the partner's account made it (CreatePartnerEventSource),
 * the customer account sees it as an event source and may create the matching partner bus.
 */
export interface PartnerSourceRecord {
  readonly region: string;
  /** aws.partner/<partner>/<…>, which is also the name of the customer's partner bus. */
  readonly name: string;
  /** The customer account the source is for. */
  readonly accountId: string;
  readonly partnerAccountId: string;
  readonly state: EventSourceState;
  readonly createdAt: number;
  readonly expiresAt?: number;
}

export interface EventsStore {
  /** Creates the bus unless one of that ARN exists; answers the existing one then. */
  createBus(bus: EventBusRecord): Promise<{ bus: EventBusRecord; created: boolean }>;
  getBus(arn: string): Promise<EventBusRecord | undefined>;
  /** The account's buses in the region whose name starts with `prefix`, in name order, after `startAfter`. */
  listBuses(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<EventBusRecord[]>;
  updateBus(bus: EventBusRecord): Promise<void>;
  /** Removes the bus, its rules and their targets. */
  deleteBus(arn: string): Promise<void>;

  /** Creates or replaces the rule (its targets stay). */
  putRule(rule: RuleRecord): Promise<void>;
  getRule(arn: string): Promise<RuleRecord | undefined>;
  /** The bus's rules whose name starts with `prefix`, in name order, after `startAfter`. */
  listRules(busArn: string, prefix: string, startAfter: string | undefined, limit: number): Promise<RuleRecord[]>;
  /** Every rule of a bus with its targets: what routing compiles. */
  rulesWithTargets(busArn: string): Promise<{ rule: RuleRecord; targets: TargetRecord[] }[]>;
  /** Removes the rule; refuses (answers false, removes nothing) while it has targets. */
  deleteRule(arn: string): Promise<boolean>;

  /**
   * Adds or replaces targets by id, in one transaction, unless the rule would then have more than `maxTargets`
   * (answers false, changes nothing).
   */
  putTargets(ruleArn: string, targets: TargetRecord[], maxTargets: number): Promise<boolean>;
  /** Removes the targets of those ids that exist; answers the ids removed. */
  removeTargets(ruleArn: string, ids: string[]): Promise<string[]>;
  /** The rule's targets in id order, after `startAfter`. */
  listTargets(ruleArn: string, startAfter: string | undefined, limit: number): Promise<TargetRecord[]>;
  /** Names of the bus's rules with a target of that ARN, in name order, after `startAfter`. */
  ruleNamesByTarget(busArn: string, targetArn: string, startAfter: string | undefined, limit: number): Promise<string[]>;

  createArchive(archive: ArchiveRecord): Promise<boolean>;
  getArchive(arn: string): Promise<ArchiveRecord | undefined>;
  /** The account's archives in the region, in name order, after `startAfter`, optionally of one bus only. */
  listArchives(accountId: string, region: string, prefix: string, busArn: string | undefined, startAfter: string | undefined, limit: number): Promise<ArchiveRecord[]>;
  updateArchive(archive: ArchiveRecord): Promise<void>;
  /** Removes the archive and its events. */
  deleteArchive(arn: string): Promise<void>;
  archivesOfBus(busArn: string): Promise<ArchiveRecord[]>;
  /** Events the archive holds at `now` (retention passed: not counted), and their size in bytes. */
  archiveStats(arn: string, now: number): Promise<{ eventCount: number; sizeBytes: number }>;

  /**
   * A PutEvents call's writes, in one transaction: every delivery into the engine's queues and every archived event.
   * Answers the queue engine's send results per delivery.
   */
  commitEvents(deliveries: FanoutDelivery[], archived: ArchivedEvent[], now: number): Promise<SendResult[][]>;

  // --- Connections, API destinations and schedules (deliveries beyond SQS) ---

  /** Creates the connection unless one of that ARN exists (answers false then). */
  createConnection(connection: ConnectionRecord): Promise<boolean>;
  getConnection(arn: string): Promise<ConnectionRecord | undefined>;
  /** The account's connections in the region, in name order, after `startAfter`, optionally in one state only. */
  listConnections(accountId: string, region: string, prefix: string, state: string | undefined, startAfter: string | undefined, limit: number): Promise<ConnectionRecord[]>;
  updateConnection(connection: ConnectionRecord): Promise<void>;
  deleteConnection(arn: string): Promise<void>;

  createApiDestination(destination: ApiDestinationRecord): Promise<boolean>;
  getApiDestination(arn: string): Promise<ApiDestinationRecord | undefined>;
  /** The account's API destinations in the region, in name order, after `startAfter`, optionally of one connection. */
  listApiDestinations(accountId: string, region: string, prefix: string, connectionArn: string | undefined, startAfter: string | undefined, limit: number): Promise<ApiDestinationRecord[]>;
  updateApiDestination(destination: ApiDestinationRecord): Promise<void>;
  deleteApiDestination(arn: string): Promise<void>;

  /** Sets (or, with undefined, forgets) when a scheduled rule next fires. */
  setSchedule(ruleArn: string, nextFireAt: number | undefined): Promise<void>;
  getSchedule(ruleArn: string): Promise<number | undefined>;
  /** The earliest next firing of any rule, for the scheduler's sleep. */
  nextScheduleAt(): Promise<number | undefined>;
  /** Schedules due at `now`, earliest first. */
  dueSchedules(now: number, limit: number): Promise<ScheduleDue[]>;
  /**
   * Claims one firing: moves the rule's next fire time from `expectedAt` to `nextAt` and commits the firing's
   * deliveries in the same transaction, only if the fire time is still `expectedAt` (compare-and-set). Answers the
   * send results, or undefined when another scheduler claimed it first (nothing is written then).
   */
  claimSchedule(ruleArn: string, expectedAt: number, nextAt: number | undefined, deliveries: FanoutDelivery[]): Promise<SendResult[][] | undefined>;

  // Replays, global endpoints, partner event sources, grouped here (see the migration that adds their tables).

  /** Creates the replay unless one of that ARN exists ('exists') or the account has `maxActive` unfinished ('limit'). */
  createReplay(replay: ReplayRecord, maxActive: number): Promise<'created' | 'exists' | 'limit'>;
  getReplay(arn: string): Promise<ReplayRecord | undefined>;
  /** The account's replays in the region, in name order after `startAfter`, filtered by prefix, state and archive. */
  listReplays(
    accountId: string,
    region: string,
    filter: { prefix: string; state?: string; archiveArn?: string },
    startAfter: string | undefined,
    limit: number,
  ): Promise<ReplayRecord[]>;
  /** Replaces the replay if its state is still `expectedState` (answers false otherwise, changing nothing). */
  updateReplay(replay: ReplayRecord, expectedState: ReplayState): Promise<boolean>;
  /** Replays that are STARTING, RUNNING or CANCELLING: what the runner carries on after a restart. */
  unfinishedReplays(): Promise<ReplayRecord[]>;
  /**
   * Up to `limit` events of the archive whose time is in [fromTime, toTime) (ISO 8601 texts), after `after` in
   * (time, eventId) order, not past retention at `now`.
   */
  archivedEventsInWindow(
    archiveArn: string,
    fromTime: string,
    toTime: string,
    after: { time: string; eventId: string } | undefined,
    now: number,
    limit: number,
  ): Promise<ArchivedEventRow[]>;

  createEndpoint(endpoint: EndpointRecord): Promise<boolean>;
  getEndpoint(arn: string): Promise<EndpointRecord | undefined>;
  getEndpointById(endpointId: string): Promise<EndpointRecord | undefined>;
  listEndpoints(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<EndpointRecord[]>;
  updateEndpoint(endpoint: EndpointRecord): Promise<void>;
  deleteEndpoint(arn: string): Promise<void>;

  /** Creates the partner source for its account unless it exists (answers false). */
  createPartnerSource(source: PartnerSourceRecord): Promise<boolean>;
  getPartnerSource(region: string, name: string, accountId: string): Promise<PartnerSourceRecord | undefined>;
  updatePartnerSource(source: PartnerSourceRecord): Promise<void>;
  deletePartnerSource(region: string, name: string, accountId: string): Promise<void>;
  /** The accounts a source of that name was created for, in account order after `startAfter`. */
  partnerSourceAccounts(region: string, name: string, startAfter: string | undefined, limit: number): Promise<PartnerSourceRecord[]>;
  /** Distinct names of the sources a partner account created, starting with `prefix`, in name order. */
  partnerSourceNames(partnerAccountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<string[]>;
  /** The sources created for a customer account, starting with `prefix`, in name order. */
  eventSourcesOf(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<PartnerSourceRecord[]>;
}
