/**
 * Storage for Amazon SNS: topics, subscriptions, FIFO topic deduplication and the signing key. A separate
 * interface from `Store` (queues and messages) so that engines can add SNS without every queue engine changing at
 * once; an engine that has both implements both, over the same database, so that a publish and its deliveries into
 * the engine's own queues commit in one transaction.
 *
 * As in contract.ts: every method is one transaction, times come from the caller.
 */
import type { FifoSendOptions, NewMessage, QueueRecord, SendResult } from './contract.js';
import type { DeliveryRecordInput } from './delivery-log-contract.js';

export interface TopicRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly fifo: boolean;
  /** Settable attributes as AWS returns them (strings); read-only ones (TopicArn, Owner, counts) are computed. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly dataProtectionPolicy?: string;
  /** Subscriptions removed from the topic (AWS's SubscriptionsDeleted). */
  readonly subscriptionsDeleted: number;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

export interface SubscriptionRecord {
  readonly arn: string;
  readonly topicArn: string;
  /** The account and region of the topic (where ListSubscriptions finds it). */
  readonly accountId: string;
  readonly region: string;
  /** The account that subscribed. */
  readonly owner: string;
  readonly protocol: string;
  readonly endpoint: string;
  /** Settable attributes (RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy…). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly pendingConfirmation: boolean;
  /** For subscriptions awaiting ConfirmSubscription (kept after it, until it expires: confirming twice is fine). */
  readonly confirmationToken?: string;
  /** When the token stops confirming (AWS: three days after it was sent). */
  readonly confirmationTokenExpiresAt?: number;
  /**
   * Subscriptions made pending: when they lapse if still unconfirmed (AWS deletes unconfirmed subscriptions after 48
   * hours). From then on, while still pending, every read given a time leaves them out and the next
   * createSubscription on the topic deletes them; once confirmed, it no longer matters. Absent: never lapses.
   */
  readonly pendingExpiresAt?: number;
  /**
   * AWS's ConfirmationWasAuthenticated: confirmed by a signed ConfirmSubscription with AuthenticateOnUnsubscribe,
   * so that only signed requests may unsubscribe it. Absent means true (subscriptions confirmed at creation).
   */
  readonly confirmationWasAuthenticated?: boolean;
  readonly createdAt: number;
}

/**
 * What a subscription change sends, committed in the same transaction as the change: jobs for the HTTP delivery
 * worker (messages into an internal queue: a confirmation request, an UnsubscribeConfirmation) and deliveries
 * recorded in the delivery log (the confirmation e-mail of an e-mail subscription).
 */
export interface SubscriptionEffects {
  readonly deliveries?: FanoutDelivery[];
  readonly records?: DeliveryRecordInput[];
}

/** One queue's share of a publish: the messages it gets and, for a FIFO queue, its deduplication settings. */
export interface FanoutDelivery {
  readonly queue: QueueRecord;
  readonly messages: NewMessage[];
  readonly fifo?: FifoSendOptions;
}

/** Sends into several queues in one transaction: every queue gets its messages, or none does. */
export interface AtomicFanout {
  sendMany(deliveries: FanoutDelivery[]): Promise<SendResult[][]>;
}

export interface PublishRequest {
  readonly topic: TopicRecord;
  readonly messageId: string;
  readonly now: number;
  /** FIFO topics: the deduplication id (explicit or content-based) and how long it is remembered. */
  readonly dedup?: { readonly id: string; readonly windowMs: number };
  /**
   * Builds the deliveries once the topic's sequence number (FIFO) is allocated, inside the transaction — the
   * envelope carries the sequence number, so it cannot be built before. Must be synchronous and side-effect free.
   */
  readonly build: (sequenceNumber: string | undefined) => FanoutDelivery[];
  /** Deliveries recorded instead of made (e-mail, SMS, Lambda…), asked for after `build`, in the same transaction. */
  readonly records?: () => DeliveryRecordInput[];
}

export interface PublishOutcome {
  readonly messageId: string;
  readonly sequenceNumber?: string;
  /** A FIFO publish whose deduplication id was seen within the window: nothing was delivered. */
  readonly duplicate: boolean;
  /** Per delivery, as `build` returned them (empty for a duplicate). */
  readonly results: SendResult[][];
  /** Ids of the queues that received at least one new message (to wake their long polls). */
  readonly queueIds: number[];
}

export interface SigningKeyRecord {
  /** Names the certificate: SigningCertURL ends in SimpleNotificationService-<id>.pem. */
  readonly id: string;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly createdAt: number;
}

// ---- Mobile push and SMS: platform applications, endpoints, SMS settings, opt-outs, the SMS sandbox ----

export interface PlatformApplicationRecord {
  /** `arn:aws:sns:<region>:<account>:app/<PLATFORM>/<name>` */
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** ADM, APNS, APNS_SANDBOX, BAIDU, GCM, MPNS, WNS */
  readonly platform: string;
  /** Every attribute as set, credentials included (GetPlatformApplicationAttributes leaves those out). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

export interface PlatformEndpointRecord {
  /** `arn:aws:sns:<region>:<account>:endpoint/<PLATFORM>/<app name>/<uuid>` */
  readonly arn: string;
  readonly applicationArn: string;
  readonly token: string;
  /** Enabled, CustomUserData (and ChannelId, UserId for Baidu); Token is the column above. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/** An account's SMS settings in one region. */
export interface SmsSettingsRecord {
  /** As set with SetSMSAttributes. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Whether SMS goes only to verified sandbox numbers. */
  readonly inSandbox: boolean;
}

export interface SmsSandboxNumberRecord {
  readonly accountId: string;
  readonly region: string;
  /** E.164, with the leading `+`. */
  readonly phoneNumber: string;
  readonly status: 'Pending' | 'Verified';
  /** The one-time password sent for verification (kept until verified). */
  readonly oneTimePassword?: string;
  readonly createdAt: number;
}

/** Mobile push and SMS storage. Every method is one transaction, as everywhere in the store. */
export interface SnsMobileStore {
  /** Creates the application, or replaces the attributes of the one with that ARN (keeping its endpoints). */
  putPlatformApplication(app: PlatformApplicationRecord): Promise<void>;
  getPlatformApplication(arn: string): Promise<PlatformApplicationRecord | undefined>;
  /** Replaces the attributes of an existing application (one deleted meanwhile stays deleted). */
  updatePlatformApplication(app: PlatformApplicationRecord): Promise<void>;
  /** The account's applications in the region, in ARN order, after `startAfterArn`. */
  listPlatformApplications(accountId: string, region: string, startAfterArn: string | undefined, limit: number): Promise<PlatformApplicationRecord[]>;
  /** Removes the application and every endpoint of it. */
  deletePlatformApplication(arn: string): Promise<void>;

  /**
   * Creates the endpoint unless the application already has one with that token: then answers the existing one
   * and `created: false`, without changing it (the caller compares attributes).
   */
  createPlatformEndpoint(endpoint: PlatformEndpointRecord): Promise<{ endpoint: PlatformEndpointRecord; created: boolean }>;
  getPlatformEndpoint(arn: string): Promise<PlatformEndpointRecord | undefined>;
  listPlatformEndpoints(applicationArn: string, startAfterArn: string | undefined, limit: number): Promise<PlatformEndpointRecord[]>;
  updatePlatformEndpoint(endpoint: PlatformEndpointRecord): Promise<void>;
  deletePlatformEndpoint(arn: string): Promise<void>;

  /** The settings, or the defaults (no attributes, `inSandbox` as given) when none were stored. */
  smsSettings(accountId: string, region: string, defaultInSandbox: boolean): Promise<SmsSettingsRecord>;
  putSmsSettings(accountId: string, region: string, settings: SmsSettingsRecord): Promise<void>;

  /** Marks the number opted out (what a STOP reply does). */
  optOutPhoneNumber(accountId: string, region: string, phoneNumber: string): Promise<void>;
  /** Opts the number back in and remembers when (OptInPhoneNumber works once every 30 days). */
  optInPhoneNumber(accountId: string, region: string, phoneNumber: string, now: number): Promise<void>;
  phoneNumberStatus(accountId: string, region: string, phoneNumber: string): Promise<{ optedOut: boolean; optedInAt?: number }>;
  /** Opted-out numbers in number order, after `startAfter`. */
  listOptedOutPhoneNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number): Promise<string[]>;

  putSandboxNumber(number: SmsSandboxNumberRecord): Promise<void>;
  getSandboxNumber(accountId: string, region: string, phoneNumber: string): Promise<SmsSandboxNumberRecord | undefined>;
  deleteSandboxNumber(accountId: string, region: string, phoneNumber: string): Promise<boolean>;
  listSandboxNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number): Promise<SmsSandboxNumberRecord[]>;
}

export interface SnsStore extends SnsMobileStore {
  /** Creates the topic unless one of that ARN exists; answers the existing one then. */
  createTopic(topic: TopicRecord): Promise<{ topic: TopicRecord; created: boolean }>;
  getTopic(arn: string): Promise<TopicRecord | undefined>;
  /** The account's topics in the region, in ARN order, after `startAfterArn`. */
  listTopics(accountId: string, region: string, startAfterArn: string | undefined, limit: number): Promise<TopicRecord[]>;
  updateTopic(topic: TopicRecord): Promise<void>;
  /** Removes the topic and its subscriptions. */
  deleteTopic(arn: string): Promise<void>;

  /**
   * Creates the subscription unless its topic already has one of the same protocol and endpoint: then answers that
   * one with `created: false`, writing nothing and applying no effects (AWS answers a repeated Subscribe of an
   * endpoint with the subscription it has). Check and insert are one step, so Subscribes of one endpoint racing each
   * other — in one process or on several nodes — make one subscription. Pending subscriptions of the topic that
   * lapsed (`pendingExpiresAt` at or before the new one's `createdAt`) are deleted first and never answered.
   */
  createSubscription(subscription: SubscriptionRecord, effects?: SubscriptionEffects): Promise<{ subscription: SubscriptionRecord; created: boolean }>;
  /*
   * Reads given `now` leave out pending subscriptions that lapsed by then (`pendingExpiresAt` ≤ `now`), as if they
   * had been deleted; without it they show every stored subscription.
   */
  getSubscription(arn: string, now?: number): Promise<SubscriptionRecord | undefined>;
  /** Every subscription of a topic, in ARN order (what a publish fans out to). */
  subscriptionsOf(topicArn: string, now?: number): Promise<SubscriptionRecord[]>;
  listSubscriptions(accountId: string, region: string, startAfterArn: string | undefined, limit: number, now?: number): Promise<SubscriptionRecord[]>;
  listSubscriptionsByTopic(topicArn: string, startAfterArn: string | undefined, limit: number, now?: number): Promise<SubscriptionRecord[]>;
  /*
   * Subscription changes are targeted updates of the columns they change, never a whole row read earlier and
   * written back: two requests changing one subscription at once (SetSubscriptionAttributes of two attributes, a
   * confirmation and a re-Subscribe) must not undo each other.
   */
  /**
   * Confirms a pending subscription (`authenticated`: ConfirmationWasAuthenticated). False when it is not pending
   * (confirmed meanwhile, or gone) or, given `now`, lapsed by then: nothing is changed.
   */
  confirmSubscription(arn: string, authenticated: boolean, now?: number): Promise<boolean>;
  /** Sets one attribute (`value` undefined: removes it), leaving the others as they are. False when it is gone. */
  setSubscriptionAttribute(arn: string, name: string, value: string | undefined): Promise<boolean>;
  /**
   * A pending subscription's confirmation token becomes `token`, valid until `expiresAt`, if its token is still
   * `expected` (compare and set: a concurrent renewal wins); the effects (the new confirmation request) are
   * committed with it, and only if it was made. False when nothing was changed.
   */
  renewConfirmation(
    arn: string,
    expected: string | undefined,
    token: string,
    expiresAt: number,
    effects?: SubscriptionEffects,
  ): Promise<boolean>;
  /** Removes the subscription and counts it in its topic's SubscriptionsDeleted. */
  deleteSubscription(arn: string, effects?: SubscriptionEffects): Promise<void>;

  /**
   * A publish, in one transaction: FIFO deduplication against the topic, the topic's next sequence number, and the
   * deliveries into the engine's own queues.
   */
  publish(request: PublishRequest): Promise<PublishOutcome>;

  /** Forgets FIFO deduplication ids whose window has passed. */
  deleteExpiredDedup(now: number): Promise<void>;

  /** The signing key, creating it with `create` the first time (kept for good: certificates stay valid). */
  signingKey(create: () => Promise<Omit<SigningKeyRecord, 'createdAt'>>, now: number): Promise<SigningKeyRecord>;
}
