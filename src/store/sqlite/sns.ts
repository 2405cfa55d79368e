import type { Database, Statement } from 'better-sqlite3';
import type { SendResult } from '../contract.js';
import type {
  FanoutDelivery,
  PublishOutcome,
  PublishRequest,
  PlatformApplicationRecord,
  PlatformEndpointRecord,
  SigningKeyRecord,
  SmsSandboxNumberRecord,
  SmsSettingsRecord,
  SnsStore,
  SubscriptionEffects,
  SubscriptionRecord,
  TopicRecord,
} from '../sns-contract.js';
import { SqliteDeliveryLog } from './delivery-log.js';
import type { GroupCommit } from './group-commit.js';
import { SqliteSnsMobile } from './sns-mobile.js';

/** FIFO topic sequence numbers: 20 digits, increasing per topic, as AWS's look. */
const topicSequenceNumber = (n: number): string => (10n ** 19n + BigInt(n)).toString();

const DEDUP_SWEEP_EVERY = 1_000;

interface TopicRow {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  data_protection_policy: string | null;
  subscriptions_deleted: number;
  created_at: number;
  modified_at: number;
}

interface SubscriptionRow {
  arn: string;
  topic_arn: string;
  account_id: string;
  region: string;
  owner: string;
  protocol: string;
  endpoint: string;
  attributes: string;
  pending: number;
  token: string | null;
  token_expires_at: number | null;
  authenticated: number;
  created_at: number;
  pending_expires_at: number | null;
}

function toTopic(r: TopicRow): TopicRecord {
  return Object.freeze({
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    fifo: r.fifo === 1,
    attributes: Object.freeze(JSON.parse(r.attributes) as Record<string, string>),
    tags: Object.freeze(JSON.parse(r.tags) as Record<string, string>),
    ...(r.data_protection_policy !== null ? { dataProtectionPolicy: r.data_protection_policy } : {}),
    subscriptionsDeleted: r.subscriptions_deleted,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  });
}

function toSubscription(r: SubscriptionRow): SubscriptionRecord {
  return Object.freeze({
    arn: r.arn,
    topicArn: r.topic_arn,
    accountId: r.account_id,
    region: r.region,
    owner: r.owner,
    protocol: r.protocol,
    endpoint: r.endpoint,
    attributes: Object.freeze(JSON.parse(r.attributes) as Record<string, string>),
    pendingConfirmation: r.pending === 1,
    ...(r.token !== null ? { confirmationToken: r.token } : {}),
    ...(r.token_expires_at !== null ? { confirmationTokenExpiresAt: r.token_expires_at } : {}),
    confirmationWasAuthenticated: r.authenticated === 1,
    ...(r.pending_expires_at !== null ? { pendingExpiresAt: r.pending_expires_at } : {}),
    createdAt: r.created_at,
  });
}

/**
 * SNS on the SQLite engine: the same database and the same group commit as the queues, so a publish and its
 * deliveries share one transaction. Topic records are cached (this process is the file's only writer).
 */
export class SqliteSnsStore implements SnsStore {
  private readonly s: ReturnType<typeof prepare>;
  private readonly topics = new Map<string, TopicRecord>();
  private readonly publishTx: (request: PublishRequest) => PublishOutcome;
  private readonly deleteTopicTx: (arn: string) => void;
  private readonly deleteSubscriptionTx: (arn: string, effects: SubscriptionEffects | undefined) => string | undefined;
  private readonly createSubscriptionTx: (
    sub: SubscriptionRecord,
    effects: SubscriptionEffects | undefined,
  ) => { subscription: SubscriptionRecord; created: boolean };
  private readonly renewConfirmationTx: (
    arn: string,
    expected: string | undefined,
    token: string,
    expiresAt: number,
    effects: SubscriptionEffects | undefined,
  ) => boolean;
  /** The delivery log's writes, run inside SNS's transactions (a publish records its deliveries in its own). */
  private readonly log: SqliteDeliveryLog;
  /** FIFO publishes until the next sweep of expired deduplication ids (indexed by expiry, so a sweep is cheap). */
  private dedupSweepCountdown = DEDUP_SWEEP_EVERY;

  constructor(
    private readonly db: Database,
    private readonly group: GroupCommit,
    /** The queue engine's multi-queue send, run inside the caller's transaction. */
    private readonly sendManyInTransaction: (deliveries: FanoutDelivery[]) => SendResult[][],
  ) {
    this.s = prepare(db);
    this.publishTx = db.transaction((request: PublishRequest) => this.publishInTransaction(request));
    this.deleteTopicTx = db.transaction((arn: string) => {
      this.s.deleteTopic.run(arn);
      this.s.deleteTopicSubscriptions.run(arn);
      this.s.deleteTopicDedup.run(arn);
    });
    this.log = new SqliteDeliveryLog(db, group);
    this.deleteSubscriptionTx = db.transaction((arn: string, effects: SubscriptionEffects | undefined) => {
      const row = this.s.getSubscription.get(arn, asOf(undefined)) as SubscriptionRow | undefined;
      if (!row) return undefined;
      this.s.deleteSubscription.run(arn);
      this.s.countDeleted.run(row.topic_arn);
      this.applyEffects(effects);
      return row.topic_arn;
    });
    this.createSubscriptionTx = db.transaction((sub: SubscriptionRecord, effects: SubscriptionEffects | undefined) => {
      // Lapsed pending subscriptions of the topic go first: one of them must not stand for the endpoint, and every
      // Subscribe sweeping its own topic keeps them from piling up.
      this.s.deleteLapsedSubscriptions.run(sub.topicArn, sub.createdAt);
      // The check and the insert share this transaction (and the unique index backs it): one subscription per
      // endpoint, however Subscribes interleave.
      const existing = this.s.subscriptionByEndpoint.get(sub.topicArn, sub.protocol, sub.endpoint) as SubscriptionRow | undefined;
      if (existing) return { subscription: toSubscription(existing), created: false };
      this.s.insertSubscription.run(
        sub.arn,
        sub.topicArn,
        sub.accountId,
        sub.region,
        sub.owner,
        sub.protocol,
        sub.endpoint,
        JSON.stringify(sub.attributes),
        sub.pendingConfirmation ? 1 : 0,
        sub.confirmationToken ?? null,
        sub.confirmationTokenExpiresAt ?? null,
        sub.confirmationWasAuthenticated === false ? 0 : 1,
        sub.createdAt,
        sub.pendingExpiresAt ?? null,
      );
      this.applyEffects(effects);
      return { subscription: freezeSubscription(sub), created: true };
    });
    this.renewConfirmationTx = db.transaction(
      (arn: string, expected: string | undefined, token: string, expiresAt: number, effects: SubscriptionEffects | undefined) => {
        const changed = this.s.renewConfirmation.run(token, expiresAt, arn, expected ?? null).changes > 0;
        // A subscription confirmed or deleted meanwhile sends nothing.
        if (changed) this.applyEffects(effects);
        return changed;
      },
    );
  }

  /** Drops cached records after a failed commit. */
  forget(): void {
    this.topics.clear();
  }

  async createTopic(topic: TopicRecord): Promise<{ topic: TopicRecord; created: boolean }> {
    return this.group.write(() => {
      const existing = this.s.getTopic.get(topic.arn) as TopicRow | undefined;
      if (existing) return { topic: this.remember(toTopic(existing)), created: false };
      this.s.insertTopic.run(
        topic.arn,
        topic.accountId,
        topic.region,
        topic.name,
        topic.fifo ? 1 : 0,
        JSON.stringify(topic.attributes),
        JSON.stringify(topic.tags),
        topic.dataProtectionPolicy ?? null,
        topic.createdAt,
        topic.modifiedAt,
      );
      return { topic: this.remember(freezeTopic(topic)), created: true };
    });
  }

  async getTopic(arn: string): Promise<TopicRecord | undefined> {
    const cached = this.topics.get(arn);
    if (cached) return cached;
    return this.group.read(() => {
      const row = this.s.getTopic.get(arn) as TopicRow | undefined;
      return row && this.remember(toTopic(row));
    });
  }

  async listTopics(accountId: string, region: string, startAfterArn: string | undefined, limit: number): Promise<TopicRecord[]> {
    return this.group.read(() => (this.s.listTopics.all(accountId, region, startAfterArn ?? '', limit) as TopicRow[]).map(toTopic));
  }

  async updateTopic(topic: TopicRecord): Promise<void> {
    await this.group.write(() => {
      const changed = this.s.updateTopic.run(
        JSON.stringify(topic.attributes),
        JSON.stringify(topic.tags),
        topic.dataProtectionPolicy ?? null,
        topic.modifiedAt,
        topic.arn,
      ).changes;
      // A topic deleted meanwhile stays deleted.
      if (changed) {
        this.topics.delete(topic.arn);
      }
    });
  }

  async deleteTopic(arn: string): Promise<void> {
    await this.group.write(() => {
      this.deleteTopicTx(arn);
      this.topics.delete(arn);
    });
  }

  async createSubscription(sub: SubscriptionRecord, effects?: SubscriptionEffects): Promise<{ subscription: SubscriptionRecord; created: boolean }> {
    return this.group.write(() => this.createSubscriptionTx(sub, effects));
  }

  /** Jobs into internal queues and recorded deliveries that go with a subscription change (same transaction). */
  private applyEffects(effects: SubscriptionEffects | undefined): void {
    if (!effects) return;
    if (effects.deliveries?.length) this.sendManyInTransaction(effects.deliveries);
    if (effects.records?.length) this.log.recordInTransaction(effects.records);
  }

  async getSubscription(arn: string, now?: number): Promise<SubscriptionRecord | undefined> {
    return this.group.read(() => {
      const row = this.s.getSubscription.get(arn, asOf(now)) as SubscriptionRow | undefined;
      return row && toSubscription(row);
    });
  }

  async subscriptionsOf(topicArn: string, now?: number): Promise<SubscriptionRecord[]> {
    return this.group.read(() => (this.s.subscriptionsOf.all(topicArn, asOf(now)) as SubscriptionRow[]).map(toSubscription));
  }

  async listSubscriptions(accountId: string, region: string, startAfterArn: string | undefined, limit: number, now?: number) {
    return this.group.read(() =>
      (this.s.listSubscriptions.all(accountId, region, startAfterArn ?? '', asOf(now), limit) as SubscriptionRow[]).map(toSubscription),
    );
  }

  async listSubscriptionsByTopic(topicArn: string, startAfterArn: string | undefined, limit: number, now?: number) {
    return this.group.read(() =>
      (this.s.listSubscriptionsByTopic.all(topicArn, startAfterArn ?? '', asOf(now), limit) as SubscriptionRow[]).map(toSubscription),
    );
  }

  async confirmSubscription(arn: string, authenticated: boolean, now?: number): Promise<boolean> {
    return this.group.write(() => this.s.confirmSubscription.run(authenticated ? 1 : 0, arn, asOf(now)).changes > 0);
  }

  async setSubscriptionAttribute(arn: string, name: string, value: string | undefined): Promise<boolean> {
    // The attribute's own key of the JSON object, quoted: attribute names are plain words, never path syntax.
    const path = `$.${JSON.stringify(name)}`;
    return this.group.write(() =>
      (value === undefined ? this.s.removeSubscriptionAttribute.run(path, arn) : this.s.setSubscriptionAttribute.run(path, value, arn)).changes > 0,
    );
  }

  async renewConfirmation(
    arn: string,
    expected: string | undefined,
    token: string,
    expiresAt: number,
    effects?: SubscriptionEffects,
  ): Promise<boolean> {
    return this.group.write(() => this.renewConfirmationTx(arn, expected, token, expiresAt, effects));
  }

  async deleteSubscription(arn: string, effects?: SubscriptionEffects): Promise<void> {
    await this.group.write(() => {
      const topicArn = this.deleteSubscriptionTx(arn, effects);
      // SubscriptionsDeleted changed under the cached topic record.
      if (topicArn) this.topics.delete(topicArn);
    });
  }

  async publish(request: PublishRequest): Promise<PublishOutcome> {
    return this.group.write(() => this.publishTx(request));
  }

  private publishInTransaction(r: PublishRequest): PublishOutcome {
    let sequenceNumber: string | undefined;
    if (r.topic.fifo) {
      if (r.dedup) {
        const seen = this.s.getDedup.get(r.topic.arn, r.dedup.id, r.now) as { message_id: string; sequence_number: string } | undefined;
        if (seen) return { messageId: seen.message_id, sequenceNumber: seen.sequence_number, duplicate: true, results: [], queueIds: [] };
      }
      const row = this.s.nextSequence.get(r.topic.arn) as { sequence: number } | undefined;
      sequenceNumber = topicSequenceNumber(row?.sequence ?? 0);
      if (--this.dedupSweepCountdown <= 0) {
        this.dedupSweepCountdown = DEDUP_SWEEP_EVERY;
        this.s.deleteExpiredDedup.run(r.now);
      }
      if (r.dedup) this.s.putDedup.run(r.topic.arn, r.dedup.id, r.messageId, sequenceNumber, r.now + r.dedup.windowMs);
    }
    const deliveries = r.build(sequenceNumber);
    const results = this.sendManyInTransaction(deliveries);
    if (r.records) this.log.recordInTransaction(r.records());
    const queueIds = new Set<number>();
    deliveries.forEach((d, i) => {
      if (results[i]!.some((s) => !s.duplicate)) queueIds.add(d.queue.id);
    });
    return {
      messageId: r.messageId,
      ...(sequenceNumber !== undefined ? { sequenceNumber } : {}),
      duplicate: false,
      results,
      queueIds: [...queueIds],
    };
  }

  async signingKey(create: () => Promise<Omit<SigningKeyRecord, 'createdAt'>>, now: number): Promise<SigningKeyRecord> {
    const existing = await this.group.read(() => this.readSigningKey());
    if (existing) return existing;
    const fresh = await create();
    // Another caller may have stored a key meanwhile: the first one stored wins, for everyone.
    await this.group.write(() => this.s.putSigningKey.run(fresh.id, fresh.privateKeyPem, fresh.certificatePem, now));
    return (await this.group.read(() => this.readSigningKey()))!;
  }

  private readSigningKey(): SigningKeyRecord | undefined {
    const row = this.s.getSigningKey.get() as { id: string; private_key: string; certificate: string; created_at: number } | undefined;
    return row && { id: row.id, privateKeyPem: row.private_key, certificatePem: row.certificate, createdAt: row.created_at };
  }

  /** Deletes FIFO deduplication entries past their window; the queue engine's sweep calls this too. */
  deleteExpiredDedup(now: number): Promise<void> {
    return this.group.write(() => void this.s.deleteExpiredDedup.run(now));
  }

  // ---- Mobile push and SMS (SnsMobileStore): implemented in sns-mobile.ts, on this database and group commit ----
  private mobileStore: SqliteSnsMobile | undefined;
  private get mobile(): SqliteSnsMobile {
    return (this.mobileStore ??= new SqliteSnsMobile(this.db, this.group));
  }
  putPlatformApplication(app: PlatformApplicationRecord) {
    return this.mobile.putPlatformApplication(app);
  }
  getPlatformApplication(arn: string) {
    return this.mobile.getPlatformApplication(arn);
  }
  updatePlatformApplication(app: PlatformApplicationRecord) {
    return this.mobile.updatePlatformApplication(app);
  }
  listPlatformApplications(accountId: string, region: string, startAfterArn: string | undefined, limit: number) {
    return this.mobile.listPlatformApplications(accountId, region, startAfterArn, limit);
  }
  deletePlatformApplication(arn: string) {
    return this.mobile.deletePlatformApplication(arn);
  }
  createPlatformEndpoint(endpoint: PlatformEndpointRecord) {
    return this.mobile.createPlatformEndpoint(endpoint);
  }
  getPlatformEndpoint(arn: string) {
    return this.mobile.getPlatformEndpoint(arn);
  }
  listPlatformEndpoints(applicationArn: string, startAfterArn: string | undefined, limit: number) {
    return this.mobile.listPlatformEndpoints(applicationArn, startAfterArn, limit);
  }
  updatePlatformEndpoint(endpoint: PlatformEndpointRecord) {
    return this.mobile.updatePlatformEndpoint(endpoint);
  }
  deletePlatformEndpoint(arn: string) {
    return this.mobile.deletePlatformEndpoint(arn);
  }
  smsSettings(accountId: string, region: string, defaultInSandbox: boolean) {
    return this.mobile.smsSettings(accountId, region, defaultInSandbox);
  }
  putSmsSettings(accountId: string, region: string, settings: SmsSettingsRecord) {
    return this.mobile.putSmsSettings(accountId, region, settings);
  }
  optOutPhoneNumber(accountId: string, region: string, phoneNumber: string) {
    return this.mobile.optOutPhoneNumber(accountId, region, phoneNumber);
  }
  optInPhoneNumber(accountId: string, region: string, phoneNumber: string, now: number) {
    return this.mobile.optInPhoneNumber(accountId, region, phoneNumber, now);
  }
  phoneNumberStatus(accountId: string, region: string, phoneNumber: string) {
    return this.mobile.phoneNumberStatus(accountId, region, phoneNumber);
  }
  listOptedOutPhoneNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number) {
    return this.mobile.listOptedOutPhoneNumbers(accountId, region, startAfter, limit);
  }
  putSandboxNumber(number: SmsSandboxNumberRecord) {
    return this.mobile.putSandboxNumber(number);
  }
  getSandboxNumber(accountId: string, region: string, phoneNumber: string) {
    return this.mobile.getSandboxNumber(accountId, region, phoneNumber);
  }
  deleteSandboxNumber(accountId: string, region: string, phoneNumber: string) {
    return this.mobile.deleteSandboxNumber(accountId, region, phoneNumber);
  }
  listSandboxNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number) {
    return this.mobile.listSandboxNumbers(accountId, region, startAfter, limit);
  }
  // ---- end of mobile push and SMS ----

  private remember(topic: TopicRecord): TopicRecord {
    this.topics.set(topic.arn, topic);
    return topic;
  }
}

function freezeSubscription(s: SubscriptionRecord): SubscriptionRecord {
  return Object.freeze({ ...s, attributes: Object.freeze({ ...s.attributes }) });
}

/** A read's `now`; without one, a time before every lapse, so that nothing is left out. */
const asOf = (now: number | undefined): number => now ?? Number.MIN_SAFE_INTEGER;

/** What a read as of `?` shows: every subscription but the pending ones that lapsed by then. */
const LIVE = '(pending = 0 OR pending_expires_at IS NULL OR pending_expires_at > ?)';

function freezeTopic(t: TopicRecord): TopicRecord {
  return Object.freeze({ ...t, attributes: Object.freeze({ ...t.attributes }), tags: Object.freeze({ ...t.tags }) });
}

function prepare(db: Database) {
  const q = (sql: string): Statement => db.prepare(sql);
  return {
    getTopic: q('SELECT * FROM sns_topics WHERE arn = ?'),
    insertTopic: q(
      `INSERT INTO sns_topics (arn, account_id, region, name, fifo, attributes, tags, data_protection_policy, created_at, modified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listTopics: q('SELECT * FROM sns_topics WHERE account_id = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?'),
    updateTopic: q('UPDATE sns_topics SET attributes = ?, tags = ?, data_protection_policy = ?, modified_at = ? WHERE arn = ?'),
    deleteTopic: q('DELETE FROM sns_topics WHERE arn = ?'),
    deleteTopicSubscriptions: q('DELETE FROM sns_subscriptions WHERE topic_arn = ?'),
    deleteTopicDedup: q('DELETE FROM sns_fifo_dedup WHERE topic_arn = ?'),
    nextSequence: q('UPDATE sns_topics SET sequence = sequence + 1 WHERE arn = ? RETURNING sequence'),
    countDeleted: q('UPDATE sns_topics SET subscriptions_deleted = subscriptions_deleted + 1 WHERE arn = ?'),
    insertSubscription: q(
      `INSERT INTO sns_subscriptions (arn, topic_arn, account_id, region, owner, protocol, endpoint, attributes, pending, token,
         token_expires_at, authenticated, created_at, pending_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    subscriptionByEndpoint: q('SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ? AND endpoint = ?'),
    deleteLapsedSubscriptions: q('DELETE FROM sns_subscriptions WHERE topic_arn = ? AND pending = 1 AND pending_expires_at <= ?'),
    getSubscription: q(`SELECT * FROM sns_subscriptions WHERE arn = ? AND ${LIVE}`),
    subscriptionsOf: q(`SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND ${LIVE} ORDER BY arn`),
    listSubscriptions: q(`SELECT * FROM sns_subscriptions WHERE account_id = ? AND region = ? AND arn > ? AND ${LIVE} ORDER BY arn LIMIT ?`),
    listSubscriptionsByTopic: q(`SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND arn > ? AND ${LIVE} ORDER BY arn LIMIT ?`),
    confirmSubscription: q(`UPDATE sns_subscriptions SET pending = 0, authenticated = ? WHERE arn = ? AND pending = 1 AND ${LIVE}`),
    setSubscriptionAttribute: q('UPDATE sns_subscriptions SET attributes = json_set(attributes, ?, ?) WHERE arn = ?'),
    removeSubscriptionAttribute: q('UPDATE sns_subscriptions SET attributes = json_remove(attributes, ?) WHERE arn = ?'),
    renewConfirmation: q(
      'UPDATE sns_subscriptions SET token = ?, token_expires_at = ? WHERE arn = ? AND pending = 1 AND token IS ?',
    ),
    deleteSubscription: q('DELETE FROM sns_subscriptions WHERE arn = ?'),
    getDedup: q('SELECT message_id, sequence_number FROM sns_fifo_dedup WHERE topic_arn = ? AND dedup_id = ? AND expires_at > ?'),
    putDedup: q(
      `INSERT INTO sns_fifo_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (topic_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id,
         sequence_number = excluded.sequence_number, expires_at = excluded.expires_at`,
    ),
    deleteExpiredDedup: q('DELETE FROM sns_fifo_dedup WHERE expires_at <= ?'),
    getSigningKey: q('SELECT * FROM sns_signing_key ORDER BY created_at, id LIMIT 1'),
    putSigningKey: q(
      `INSERT INTO sns_signing_key (id, private_key, certificate, created_at)
       SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sns_signing_key)`,
    ),
  };
}
