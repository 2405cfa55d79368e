import type { PoolClient } from 'pg';
import type {
  PlatformApplicationRecord,
  PlatformEndpointRecord,
  PublishOutcome,
  PublishRequest,
  SigningKeyRecord,
  SmsSandboxNumberRecord,
  SmsSettingsRecord,
  SnsStore,
  SubscriptionEffects,
  SubscriptionRecord,
  TopicRecord,
} from '../sns-contract.js';
import { PostgresDeliveryLog } from './delivery-log.js';
import { countOf, rowsOf, type PostgresHost, type Sql } from './host.js';
import { PostgresSnsMobile } from './sns-mobile.js';

/** FIFO topic sequence numbers: 20 digits, increasing per topic, as AWS's look (the same as on SQLite). */
const topicSequenceNumber = (n: number): string => (10n ** 19n + BigInt(n)).toString();

/** Thrown to roll back a change that found its row gone meanwhile. */
const GONE = new Error('gone meanwhile');

/** FIFO publishes (on this node) between sweeps of expired deduplication ids. */
const DEDUP_SWEEP_EVERY = 1_000;

interface TopicRow {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  fifo: boolean;
  attributes: string;
  tags: string;
  data_protection_policy: string | null;
  subscriptions_deleted: number;
  subscriptions_version: number;
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
  pending: boolean;
  token: string | null;
  token_expires_at: number | null;
  authenticated: boolean;
  created_at: number;
  pending_expires_at: number | null;
}

function toTopic(r: TopicRow): TopicRecord {
  return Object.freeze({
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    fifo: r.fifo,
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
    pendingConfirmation: r.pending,
    ...(r.token !== null ? { confirmationToken: r.token } : {}),
    ...(r.token_expires_at !== null ? { confirmationTokenExpiresAt: r.token_expires_at } : {}),
    confirmationWasAuthenticated: r.authenticated,
    ...(r.pending_expires_at !== null ? { pendingExpiresAt: r.pending_expires_at } : {}),
    createdAt: r.created_at,
  });
}

/**
 * SNS on the PostgreSQL engine: the tables of the SQLite engine's sns.ts, in the queue engine's schema, so that a
 * publish commits its FIFO deduplication, the topic's sequence number, its deliveries into queues (through the
 * engine's own send path) and its delivery-log records in one transaction.
 *
 * Several nodes share the database, so nothing here is cached. What nodes do cache is each topic's compiled
 * subscriptions (src/sns/topic-subscriptions.ts): every change to a topic's subscriptions gives the topic row a new
 * `subscriptions_version`, and every read of the topic row compares it with the version this node saw last. A
 * publish reads its topic before it looks at the subscriptions, so a node learns of a Subscribe committed on any
 * other node before its next publish plans — exactly, with no extra query and no race with a notification in
 * flight. `onSubscriptionsChanged` hands such changes to the cache.
 */
export class PostgresSnsStore implements SnsStore {
  private readonly s: ReturnType<typeof statements>;
  private readonly log: PostgresDeliveryLog;
  private readonly mobile: PostgresSnsMobile;
  /** Per topic, the subscriptions version this node saw last. */
  private readonly seenVersions = new Map<string, number>();
  private readonly changeListeners = new Set<(topicArn: string) => void>();
  /**
   * FIFO publishes of each topic on this node, in call order: PublishBatch commits its entries in request order
   * (the caller makes the calls in order), so each waits for the one before to commit. Across nodes the topic's
   * row lock orders them.
   */
  private readonly fifoTails = new Map<string, Promise<unknown>>();
  private dedupSweepCountdown = DEDUP_SWEEP_EVERY;

  constructor(private readonly host: PostgresHost) {
    this.s = statements(host.quotedSchema);
    this.log = new PostgresDeliveryLog(host);
    this.mobile = new PostgresSnsMobile(host);
  }

  private get pool() {
    return this.host.pool;
  }

  /**
   * Calls `listener` with a topic's ARN when a read of the topic shows that its subscriptions changed (on any node)
   * since this node last looked. Returns an unsubscribe.
   */
  onSubscriptionsChanged(listener: (topicArn: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Notes the version a read of the topic found; a different one than before means the subscriptions changed. */
  private observe(arn: string, version: number | undefined): void {
    const seen = this.seenVersions.get(arn);
    if (version === undefined) this.seenVersions.delete(arn);
    else this.seenVersions.set(arn, version);
    if (seen === version) return;
    for (const l of [...this.changeListeners]) l(arn);
  }

  async createTopic(topic: TopicRecord): Promise<{ topic: TopicRecord; created: boolean }> {
    const [inserted] = await rowsOf<TopicRow>(this.pool, this.s.insertTopic, [
      topic.arn,
      topic.accountId,
      topic.region,
      topic.name,
      topic.fifo,
      JSON.stringify(topic.attributes),
      JSON.stringify(topic.tags),
      topic.dataProtectionPolicy ?? null,
      topic.createdAt,
      topic.modifiedAt,
    ]);
    if (inserted) {
      this.observe(inserted.arn, inserted.subscriptions_version);
      return { topic: toTopic(inserted), created: true };
    }
    // It exists (a concurrent create waited on the primary key until the first one committed).
    const existing = await this.getTopic(topic.arn);
    if (existing) return { topic: existing, created: false };
    // Deleted between the two statements: try again.
    return this.createTopic(topic);
  }

  async getTopic(arn: string): Promise<TopicRecord | undefined> {
    const [row] = await rowsOf<TopicRow>(this.pool, this.s.getTopic, [arn]);
    this.observe(arn, row?.subscriptions_version);
    return row && toTopic(row);
  }

  async listTopics(accountId: string, region: string, startAfterArn: string | undefined, limit: number): Promise<TopicRecord[]> {
    return (await rowsOf<TopicRow>(this.pool, this.s.listTopics, [accountId, region, startAfterArn ?? '', limit])).map(toTopic);
  }

  async updateTopic(topic: TopicRecord): Promise<void> {
    // A topic deleted meanwhile stays deleted: the UPDATE finds no row.
    await countOf(this.pool, this.s.updateTopic, [
      JSON.stringify(topic.attributes),
      JSON.stringify(topic.tags),
      topic.dataProtectionPolicy ?? null,
      topic.modifiedAt,
      topic.arn,
    ]);
  }

  async deleteTopic(arn: string): Promise<void> {
    await this.host.transaction(async (c) => {
      await countOf(c, this.s.deleteTopic, [arn]);
      await countOf(c, this.s.deleteTopicSubscriptions, [arn]);
      await countOf(c, this.s.deleteTopicDedup, [arn]);
    });
    this.observe(arn, undefined);
  }

  async createSubscription(sub: SubscriptionRecord, effects?: SubscriptionEffects): Promise<{ subscription: SubscriptionRecord; created: boolean }> {
    return this.host.transaction(async (c) => {
      // The topic's row first, as a publish takes it, then the internal queues: one lock order for everyone. A topic
      // deleted meanwhile (on any node) keeps no subscription: DeleteTopic removed the others with it.
      // The lock also orders Subscribes of one topic on every node: the lookup below runs after the one before has
      // committed, and sees its subscription (READ COMMITTED: each statement reads what is committed when it starts).
      if ((await rowsOf(c, this.s.lockTopic, [sub.topicArn])).length === 0) return { subscription: sub, created: true };
      // Lapsed pending subscriptions of the topic go first: one of them must not stand for the endpoint, and every
      // Subscribe sweeping its own topic keeps them from piling up.
      await countOf(c, this.s.deleteLapsedSubscriptions, [sub.topicArn, sub.createdAt]);
      const [existing] = await rowsOf<SubscriptionRow>(c, this.s.subscriptionByEndpoint, [sub.topicArn, sub.protocol, sub.endpoint]);
      if (existing) return { subscription: toSubscription(existing), created: false };
      await this.bumpVersion(c, sub.topicArn);
      const [inserted] = await rowsOf<SubscriptionRow>(c, this.s.insertSubscription, [
        sub.arn,
        sub.topicArn,
        sub.accountId,
        sub.region,
        sub.owner,
        sub.protocol,
        sub.endpoint,
        JSON.stringify(sub.attributes),
        sub.pendingConfirmation,
        sub.confirmationToken ?? null,
        sub.confirmationTokenExpiresAt ?? null,
        sub.confirmationWasAuthenticated !== false,
        sub.createdAt,
        sub.pendingExpiresAt ?? null,
      ]);
      // The unique index (topic, protocol, md5 of the endpoint) backs the lookup; it only refuses a row here if a
      // node of an older Postbox, which takes no such care, inserted the endpoint meanwhile.
      if (!inserted) throw new Error(`a subscription of ${sub.protocol} endpoint ${sub.endpoint} to ${sub.topicArn} appeared meanwhile`);
      await this.applyEffects(c, effects);
      return { subscription: toSubscription(inserted), created: true };
    });
  }

  async updateSubscription(sub: SubscriptionRecord, effects?: SubscriptionEffects): Promise<void> {
    await this.host.transaction(async (c) => {
      await this.bumpVersion(c, sub.topicArn);
      const changed = await countOf(c, this.s.updateSubscription, [
        JSON.stringify(sub.attributes),
        sub.pendingConfirmation,
        sub.confirmationToken ?? null,
        sub.confirmationTokenExpiresAt ?? null,
        sub.confirmationWasAuthenticated !== false,
        sub.arn,
      ]);
      // A subscription deleted meanwhile stays deleted, and sends nothing.
      if (changed) await this.applyEffects(c, effects);
    });
  }

  // Targeted changes (see SnsStore): each touches only its own columns, so concurrent ones never undo each other.
  // The topic's version moves first (its row before the subscription's, as everywhere), so every node recompiles.

  async confirmSubscription(arn: string, authenticated: boolean, now?: number): Promise<boolean> {
    return this.host.transaction(async (c) => {
      const [row] = await rowsOf<{ topic_arn: string }>(c, this.s.getSubscriptionTopic, [arn]);
      if (!row) return false;
      await this.bumpVersion(c, row.topic_arn);
      return (await countOf(c, this.s.confirmSubscription, [authenticated, arn, asOf(now)])) > 0;
    });
  }

  async setSubscriptionAttribute(arn: string, name: string, value: string | undefined): Promise<boolean> {
    return this.host.transaction(async (c) => {
      const [row] = await rowsOf<{ topic_arn: string }>(c, this.s.getSubscriptionTopic, [arn]);
      if (!row) return false;
      await this.bumpVersion(c, row.topic_arn);
      const changed =
        value === undefined
          ? await countOf(c, this.s.removeSubscriptionAttribute, [name, arn])
          : await countOf(c, this.s.setSubscriptionAttribute, [name, value, arn]);
      return changed > 0;
    });
  }

  async renewConfirmation(
    arn: string,
    expected: string | undefined,
    token: string,
    expiresAt: number,
    effects?: SubscriptionEffects,
  ): Promise<boolean> {
    // Still pending either way: what a publish routes to does not change, so the topic's version stays.
    return this.host.transaction(async (c) => {
      const changed = (await countOf(c, this.s.renewConfirmation, [token, expiresAt, arn, expected ?? null])) > 0;
      // A subscription confirmed or deleted meanwhile sends nothing.
      if (changed) await this.applyEffects(c, effects);
      return changed;
    });
  }

  async deleteSubscription(arn: string, effects?: SubscriptionEffects): Promise<void> {
    await this.host
      .transaction(async (c) => {
        const [row] = await rowsOf<{ topic_arn: string }>(c, this.s.getSubscriptionTopic, [arn]);
        if (!row) return;
        // The topic's row (SubscriptionsDeleted, the version) before the subscription's, as everywhere.
        await countOf(c, this.s.countDeleted, [row.topic_arn]);
        // Deleted by someone else since the first read: count nothing (the rollback undoes the topic's update).
        if ((await countOf(c, this.s.deleteSubscription, [arn])) === 0) throw GONE;
        await this.applyEffects(c, effects);
      })
      .catch((err: unknown) => {
        if (err !== GONE) throw err;
      });
  }

  /** Gives the topic a new subscriptions version (locking its row until the transaction ends); false if it is gone. */
  private async bumpVersion(c: PoolClient, topicArn: string): Promise<boolean> {
    return (await countOf(c, this.s.bumpVersion, [topicArn])) > 0;
  }

  /** Jobs into internal queues and recorded deliveries that go with a subscription change (same transaction). */
  private async applyEffects(c: PoolClient, effects: SubscriptionEffects | undefined): Promise<void> {
    if (!effects) return;
    if (effects.deliveries?.length) await this.host.sendManyIn(c, effects.deliveries);
    if (effects.records?.length) await this.log.recordIn(c, effects.records);
  }

  async getSubscription(arn: string, now?: number): Promise<SubscriptionRecord | undefined> {
    const [row] = await rowsOf<SubscriptionRow>(this.pool, this.s.getSubscription, [arn, asOf(now)]);
    return row && toSubscription(row);
  }

  async subscriptionsOf(topicArn: string, now?: number): Promise<SubscriptionRecord[]> {
    return (await rowsOf<SubscriptionRow>(this.pool, this.s.subscriptionsOf, [topicArn, asOf(now)])).map(toSubscription);
  }

  async listSubscriptions(accountId: string, region: string, startAfterArn: string | undefined, limit: number, now?: number) {
    return (
      await rowsOf<SubscriptionRow>(this.pool, this.s.listSubscriptions, [accountId, region, startAfterArn ?? '', limit, asOf(now)])
    ).map(toSubscription);
  }

  async listSubscriptionsByTopic(topicArn: string, startAfterArn: string | undefined, limit: number, now?: number) {
    return (
      await rowsOf<SubscriptionRow>(this.pool, this.s.listSubscriptionsByTopic, [topicArn, startAfterArn ?? '', limit, asOf(now)])
    ).map(toSubscription);
  }

  publish(request: PublishRequest): Promise<PublishOutcome> {
    if (!request.topic.fifo) return this.publishStandard(request);
    const arn = request.topic.arn;
    const previous = this.fifoTails.get(arn) ?? Promise.resolve();
    const outcome = previous.then(
      () => this.host.transaction((c) => this.publishIn(c, request)),
      () => this.host.transaction((c) => this.publishIn(c, request)),
    );
    const tail = outcome.then(
      () => {},
      () => {},
    );
    this.fifoTails.set(arn, tail);
    void tail.then(() => {
      if (this.fifoTails.get(arn) === tail) this.fifoTails.delete(arn);
    });
    return outcome;
  }

  /**
   * A standard topic's publish: no lock, no number, so the deliveries can be built first. The common case — one
   * standard queue and nothing to record — is one statement (the engine's send), atomic without a transaction.
   */
  private async publishStandard(r: PublishRequest): Promise<PublishOutcome> {
    const deliveries = r.build(undefined);
    const records = r.records?.() ?? [];
    const only = deliveries.length === 1 ? deliveries[0]! : undefined;
    if (only && !only.fifo && records.length === 0) {
      const results = [await this.host.send(only.queue, only.messages)];
      return { messageId: r.messageId, duplicate: false, results, queueIds: only.messages.length ? [only.queue.id] : [] };
    }
    return this.host.transaction((c) => this.publishIn(c, { ...r, build: () => deliveries, records: () => records }));
  }

  /**
   * One publish inside its transaction. A FIFO topic's row is locked first: deduplication, numbering and the
   * deliveries then happen under it, so two nodes publishing one deduplication id deliver once, and a topic's
   * messages reach its FIFO queues in sequence order.
   */
  private async publishIn(c: PoolClient, r: PublishRequest): Promise<PublishOutcome> {
    let sequenceNumber: string | undefined;
    if (r.topic.fifo) {
      await rowsOf(c, this.s.lockTopic, [r.topic.arn]);
      if (r.dedup) {
        const [seen] = await rowsOf<{ message_id: string; sequence_number: string }>(c, this.s.getDedup, [r.topic.arn, r.dedup.id, r.now]);
        if (seen) return { messageId: seen.message_id, sequenceNumber: seen.sequence_number, duplicate: true, results: [], queueIds: [] };
      }
      // A topic deleted meanwhile numbers from 0, as on SQLite (its deliveries still go out: the caller saw it).
      const [row] = await rowsOf<{ sequence: number }>(c, this.s.nextSequence, [r.topic.arn]);
      sequenceNumber = topicSequenceNumber(row?.sequence ?? 0);
      if (--this.dedupSweepCountdown <= 0) {
        this.dedupSweepCountdown = DEDUP_SWEEP_EVERY;
        await countOf(c, this.s.deleteExpiredDedup, [r.now]);
      }
      if (r.dedup) await countOf(c, this.s.putDedup, [r.topic.arn, r.dedup.id, r.messageId, sequenceNumber, r.now + r.dedup.windowMs]);
    }
    const deliveries = r.build(sequenceNumber);
    const results = deliveries.length ? await this.host.sendManyIn(c, deliveries) : [];
    if (r.records) await this.log.recordIn(c, r.records());
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

  async deleteExpiredDedup(now: number): Promise<void> {
    await countOf(this.pool, this.s.deleteExpiredDedup, [now]);
  }

  async signingKey(create: () => Promise<Omit<SigningKeyRecord, 'createdAt'>>, now: number): Promise<SigningKeyRecord> {
    const existing = await this.readSigningKey();
    if (existing) return existing;
    const fresh = await create();
    // Another node may have stored a key meanwhile: the table holds one row, so the first one stored wins for all.
    await countOf(this.pool, this.s.putSigningKey, [fresh.id, fresh.privateKeyPem, fresh.certificatePem, now]);
    return (await this.readSigningKey())!;
  }

  private async readSigningKey(): Promise<SigningKeyRecord | undefined> {
    const [row] = await rowsOf<{ id: string; private_key: string; certificate: string; created_at: number }>(this.pool, this.s.getSigningKey, []);
    return row && { id: row.id, privateKeyPem: row.private_key, certificatePem: row.certificate, createdAt: row.created_at };
  }

  // ---- Mobile push and SMS (SnsMobileStore): implemented in sns-mobile.ts, on this database ----
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
}

/** A read's `now`; without one, a time before every lapse, so that nothing is left out. */
const asOf = (now: number | undefined): number => now ?? Number.MIN_SAFE_INTEGER;

/** What a read as of `$n` shows: every subscription but the pending ones that lapsed by then. */
const live = (n: number) => `(NOT pending OR pending_expires_at IS NULL OR pending_expires_at > $${n})`;

function statements(S: string) {
  const st = (name: string, text: string): Sql => ({ name: `pb_sns_${name}`, text });
  const TOPIC_COLUMNS =
    'arn, account_id, region, name, fifo, attributes, tags, data_protection_policy, subscriptions_deleted, subscriptions_version, created_at, modified_at';
  return {
    getTopic: st('get_topic', `SELECT ${TOPIC_COLUMNS} FROM ${S}.sns_topics WHERE arn = $1`),
    insertTopic: st(
      'insert_topic',
      `INSERT INTO ${S}.sns_topics (arn, account_id, region, name, fifo, attributes, tags, data_protection_policy, created_at, modified_at,
         subscriptions_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nextval('${S}.sns_subscriptions_versions'))
       ON CONFLICT (arn) DO NOTHING
       RETURNING ${TOPIC_COLUMNS}`,
    ),
    listTopics: st(
      'list_topics',
      `SELECT ${TOPIC_COLUMNS} FROM ${S}.sns_topics WHERE account_id = $1 AND region = $2 AND arn > $3 ORDER BY arn LIMIT $4`,
    ),
    updateTopic: st(
      'update_topic',
      `UPDATE ${S}.sns_topics SET attributes = $1, tags = $2, data_protection_policy = $3, modified_at = $4 WHERE arn = $5`,
    ),
    deleteTopic: st('delete_topic', `DELETE FROM ${S}.sns_topics WHERE arn = $1`),
    deleteTopicSubscriptions: st('delete_topic_subscriptions', `DELETE FROM ${S}.sns_subscriptions WHERE topic_arn = $1`),
    deleteTopicDedup: st('delete_topic_dedup', `DELETE FROM ${S}.sns_fifo_dedup WHERE topic_arn = $1`),
    lockTopic: st('lock_topic', `SELECT 1 FROM ${S}.sns_topics WHERE arn = $1 FOR UPDATE`),
    nextSequence: st('next_sequence', `UPDATE ${S}.sns_topics SET sequence = sequence + 1 WHERE arn = $1 RETURNING sequence`),
    bumpVersion: st(
      'bump_subscriptions_version',
      `UPDATE ${S}.sns_topics SET subscriptions_version = nextval('${S}.sns_subscriptions_versions') WHERE arn = $1`,
    ),
    countDeleted: st(
      'count_deleted_subscription',
      `UPDATE ${S}.sns_topics SET subscriptions_deleted = subscriptions_deleted + 1,
         subscriptions_version = nextval('${S}.sns_subscriptions_versions') WHERE arn = $1`,
    ),
    insertSubscription: st(
      'insert_subscription',
      `INSERT INTO ${S}.sns_subscriptions (arn, topic_arn, account_id, region, owner, protocol, endpoint, attributes, pending, token,
         token_expires_at, authenticated, created_at, pending_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (topic_arn, protocol, md5(endpoint)) DO NOTHING
       RETURNING *`,
    ),
    subscriptionByEndpoint: st(
      'subscription_by_endpoint',
      `SELECT * FROM ${S}.sns_subscriptions WHERE topic_arn = $1 AND protocol = $2 AND md5(endpoint) = md5($3) AND endpoint = $3`,
    ),
    deleteLapsedSubscriptions: st(
      'delete_lapsed_subscriptions',
      `DELETE FROM ${S}.sns_subscriptions WHERE topic_arn = $1 AND pending AND pending_expires_at <= $2`,
    ),
    getSubscription: st('get_subscription', `SELECT * FROM ${S}.sns_subscriptions WHERE arn = $1 AND ${live(2)}`),
    getSubscriptionTopic: st('get_subscription_topic', `SELECT topic_arn FROM ${S}.sns_subscriptions WHERE arn = $1`),
    subscriptionsOf: st('subscriptions_of', `SELECT * FROM ${S}.sns_subscriptions WHERE topic_arn = $1 AND ${live(2)} ORDER BY arn`),
    listSubscriptions: st(
      'list_subscriptions',
      `SELECT * FROM ${S}.sns_subscriptions WHERE account_id = $1 AND region = $2 AND arn > $3 AND ${live(5)} ORDER BY arn LIMIT $4`,
    ),
    listSubscriptionsByTopic: st(
      'list_subscriptions_by_topic',
      `SELECT * FROM ${S}.sns_subscriptions WHERE topic_arn = $1 AND arn > $2 AND ${live(4)} ORDER BY arn LIMIT $3`,
    ),
    updateSubscription: st(
      'update_subscription',
      `UPDATE ${S}.sns_subscriptions SET attributes = $1, pending = $2, token = $3, token_expires_at = $4, authenticated = $5 WHERE arn = $6`,
    ),
    confirmSubscription: st(
      'confirm_subscription',
      `UPDATE ${S}.sns_subscriptions SET pending = false, authenticated = $1 WHERE arn = $2 AND pending AND ${live(3)}`,
    ),
    // Attributes are JSON text; jsonb sets or removes the one key (key order is not kept, and none is promised).
    setSubscriptionAttribute: st(
      'set_subscription_attribute',
      `UPDATE ${S}.sns_subscriptions SET attributes = (attributes::jsonb || jsonb_build_object($1::text, $2::text))::text WHERE arn = $3`,
    ),
    removeSubscriptionAttribute: st(
      'remove_subscription_attribute',
      `UPDATE ${S}.sns_subscriptions SET attributes = (attributes::jsonb - $1::text)::text WHERE arn = $2`,
    ),
    renewConfirmation: st(
      'renew_confirmation',
      `UPDATE ${S}.sns_subscriptions SET token = $1, token_expires_at = $2
       WHERE arn = $3 AND pending AND token IS NOT DISTINCT FROM $4::text`,
    ),
    deleteSubscription: st('delete_subscription', `DELETE FROM ${S}.sns_subscriptions WHERE arn = $1`),
    getDedup: st(
      'get_topic_dedup',
      `SELECT message_id, sequence_number FROM ${S}.sns_fifo_dedup WHERE topic_arn = $1 AND dedup_id = $2 AND expires_at > $3`,
    ),
    putDedup: st(
      'put_topic_dedup',
      `INSERT INTO ${S}.sns_fifo_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (topic_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id,
         sequence_number = excluded.sequence_number, expires_at = excluded.expires_at`,
    ),
    deleteExpiredDedup: st('delete_expired_topic_dedup', `DELETE FROM ${S}.sns_fifo_dedup WHERE expires_at <= $1`),
    getSigningKey: st('get_signing_key', `SELECT id, private_key, certificate, created_at FROM ${S}.sns_signing_key`),
    putSigningKey: st(
      'put_signing_key',
      `INSERT INTO ${S}.sns_signing_key (id, private_key, certificate, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (singleton) DO NOTHING`,
    ),
  };
}
