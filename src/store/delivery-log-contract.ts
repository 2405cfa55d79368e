/**
 * Deliveries Postbox records instead of making: messages for e-mail addresses, phone numbers, mobile push
 * endpoints, Lambda functions, Firehose streams — destinations a development broker must not (or cannot) reach.
 * A developer reads them back through `GET /_postbox/deliveries` (and the console later) to check what would have
 * been sent, including the confirmation links of e-mail subscriptions and SMS sandbox one-time codes.
 *
 * As in contract.ts: every method is one transaction, times come from the caller.
 */

export interface DeliveryRecordInput {
  /** The service that delivered: `sns`, `events`. */
  readonly service: string;
  readonly accountId: string;
  readonly region: string;
  /** How it would have been delivered: `email`, `email-json`, `sms`, `application`, `lambda`, `firehose`, … */
  readonly protocol: string;
  /** Where to: the address, phone number or ARN. */
  readonly endpoint: string;
  /** What it came from: a topic, subscription or rule ARN. */
  readonly source?: string;
  /** The e-mail subject, where there is one. */
  readonly subject?: string;
  /** The exact text that would have been sent. */
  readonly payload: string;
  /** Anything else worth showing (message id, the kind of message: Notification, SubscriptionConfirmation, …). */
  readonly details?: Readonly<Record<string, string>>;
  readonly recordedAt: number;
}

export interface DeliveryRecord extends DeliveryRecordInput {
  /** Increasing in recording order. */
  readonly id: number;
}

export interface DeliveryFilter {
  readonly service?: string;
  readonly accountId?: string;
  readonly protocol?: string;
  readonly endpoint?: string;
  readonly source?: string;
}

export interface DeliveryLog {
  record(entries: readonly DeliveryRecordInput[]): Promise<void>;
  /** Records matching `filter`, oldest first, after `afterId`. */
  list(filter: DeliveryFilter, afterId: number, limit: number): Promise<DeliveryRecord[]>;
  /** Forgets the records matching `filter`; returns how many. */
  clear(filter: DeliveryFilter): Promise<number>;
}
