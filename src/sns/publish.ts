import { createHash } from 'node:crypto';
import { AwsError } from '../core/errors.js';
import { newMessageId } from '../core/ids.js';
import type { CallContext } from '../core/service.js';
import { parseQueueArn } from '../sqs/queue-ref.js';
import { fifoOptions, prepareSend } from '../sqs/send.js';
import type { QueueRecord } from '../store/contract.js';
import type { DeliveryRecordInput } from '../store/delivery-log-contract.js';
import type { FanoutDelivery, PublishOutcome, SubscriptionRecord, TopicRecord } from '../store/sns-contract.js';
import { deadLetterQueueOf } from './delivery/dead-letter.js';
import { platformOf, RECORDED } from './delivery/endpoints.js';
import { HttpDeliveries, type HttpJob } from './delivery/http-deliveries.js';
import { DEFAULT_EMAIL_SUBJECT, emailSender, firehoseRecord, lambdaEvent, notificationEmail, unsubscribeUrl } from './delivery/messages.js';
import { renderNotification } from './envelope.js';
import { snsInvalidParameter } from './errors.js';
import * as L from './limits.js';
import { checkMessageAttributes, envelopeAttributes, sqsAttributes } from './message-attributes.js';
import type { SnsRuntime } from './runtime.js';
import { certificatePath, notificationStringToSign, signatureOf, signatureOfAsync, type SigningKey } from './signing.js';
import { maximumMessageSize } from './topic-attributes.js';
import type { MessageAttributeMap, PublishBatchRequestEntry } from './types.js';

/** A validated publish: what every subscription's delivery is built from. */
export interface PreparedPublish {
  readonly messageId: string;
  /** The message for protocols without their own entry (MessageStructure=json: its "default"). */
  readonly message: string;
  /** MessageStructure=json: the message per protocol. */
  readonly perProtocol?: Readonly<Record<string, string>>;
  readonly subject?: string;
  readonly attributes?: MessageAttributeMap;
  readonly groupId?: string;
  readonly dedupId?: string;
  /** Message plus attributes, as counted against the topic's MaximumMessageSize. */
  readonly size: number;
}

/** Subject rules (API_Publish): printable ASCII, no line breaks or control characters, under 100 characters. */
const SUBJECT = /^[\x20-\x7e]+$/;

/** Validates one message of a Publish or PublishBatch call against its topic, as AWS orders the checks. */
export function preparePublish(topic: TopicRecord, entry: PublishBatchRequestEntry): PreparedPublish {
  const message = entry.Message;
  if (message === undefined) {
    throw new AwsError('ValidationError', "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
  }
  if (message === '') throw snsInvalidParameter('Empty message');
  if (entry.Subject !== undefined && (entry.Subject === '' || entry.Subject.length > L.SUBJECT_MAX || !SUBJECT.test(entry.Subject))) {
    throw snsInvalidParameter('Subject');
  }
  let perProtocol: Record<string, string> | undefined;
  let defaultMessage = message;
  if (entry.MessageStructure !== undefined) {
    if (entry.MessageStructure !== 'json') throw snsInvalidParameter('MessageStructure');
    perProtocol = parseMessageStructure(message);
    defaultMessage = perProtocol['default']!;
  }
  const attributes = entry.MessageAttributes && Object.keys(entry.MessageAttributes).length ? entry.MessageAttributes : undefined;
  const size = Buffer.byteLength(message, 'utf8') + (attributes ? checkMessageAttributes(attributes) : 0);
  if (size > maximumMessageSize(topic)) throw snsInvalidParameter('Message too long');

  let groupId = entry.MessageGroupId;
  let dedupId = entry.MessageDeduplicationId;
  if (topic.fifo) {
    if (groupId === undefined || groupId === '') throw snsInvalidParameter('The MessageGroupId parameter is required for FIFO topics');
    if (!L.FIFO_ID_PATTERN.test(groupId)) throw snsInvalidParameter('MessageGroupId');
    if (dedupId !== undefined) {
      if (!L.FIFO_ID_PATTERN.test(dedupId)) throw snsInvalidParameter('MessageDeduplicationId');
    } else if (topic.attributes['ContentBasedDeduplication'] === 'true') {
      // AWS: content-based deduplication hashes the message body (SHA-256), not its attributes.
      dedupId = createHash('sha256').update(message, 'utf8').digest('hex');
    } else {
      throw snsInvalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  } else {
    if (dedupId !== undefined) {
      throw snsInvalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    // Standard topics accept MessageGroupId (2025, for SQS fair queues) and pass it on.
    if (groupId !== undefined && !L.FIFO_ID_PATTERN.test(groupId)) throw snsInvalidParameter('MessageGroupId');
    if (groupId === '') groupId = undefined;
  }
  return {
    messageId: newMessageId(),
    message: defaultMessage,
    ...(perProtocol ? { perProtocol } : {}),
    ...(entry.Subject !== undefined ? { subject: entry.Subject } : {}),
    ...(attributes ? { attributes } : {}),
    ...(groupId !== undefined ? { groupId } : {}),
    ...(dedupId !== undefined ? { dedupId } : {}),
    size,
  };
}

/** MessageStructure=json: a JSON object of strings by protocol, with a "default" (API_Publish). */
function parseMessageStructure(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw snsInvalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw snsInvalidParameter('Message Structure - JSON message body failed to parse');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  if (out['default'] === undefined) throw snsInvalidParameter('Message Structure - No default entry in JSON message body');
  return out;
}

/**
 * One subscription's delivery, resolved before the publish transaction: into a queue of this engine, a job for the
 * HTTP delivery worker, or a record in the delivery log (e-mail, SMS, mobile push, Lambda, Firehose).
 */
type Target =
  | {
      readonly kind: 'queue';
      readonly subscription: SubscriptionRecord;
      readonly queue: QueueRecord;
      /** Delivering to the subscription's dead-letter queue because its own queue does not exist. */
      readonly deadLetter: boolean;
    }
  | { readonly kind: 'http'; readonly subscription: SubscriptionRecord }
  | { readonly kind: 'record'; readonly subscription: SubscriptionRecord };

/** A publish ready to commit: everything async (subscriptions, queues, the signing key) already looked up. */
export interface PlannedPublish {
  readonly topic: TopicRecord;
  readonly prepared: PreparedPublish;
  readonly targets: readonly Target[];
  readonly key: SigningKey | undefined;
  /** Signatures made ahead of the transaction, by message text (see signAhead). */
  readonly signatures: ReadonlyMap<string, string>;
  /** The HTTP delivery worker's internal queue, when an HTTP/S subscription matched. */
  readonly jobQueue: QueueRecord | undefined;
  readonly now: number;
  readonly ctx: CallContext;
}

/** Finds the subscriptions a message goes to (compiled filter policies) and the queues behind them. */
export async function planPublish(rt: SnsRuntime, topic: TopicRecord, prepared: PreparedPublish, ctx: CallContext): Promise<PlannedPublish> {
  const fanout = await rt.subscriptions.get(topic.arn);
  const matched = rt.subscriptions.matching(fanout, { attributes: prepared.attributes ?? {}, body: prepared.message });
  const targets: Target[] = [];
  for (const subscription of matched) {
    if (subscription.protocol === 'http' || subscription.protocol === 'https') {
      targets.push({ kind: 'http', subscription });
      continue;
    }
    if (RECORDED.has(subscription.protocol)) {
      targets.push({ kind: 'record', subscription });
      continue;
    }
    if (subscription.protocol !== 'sqs') continue;
    const key = parseQueueArn(subscription.endpoint);
    const queue = key && (await rt.queues.getQueue(key));
    if (queue) {
      targets.push({ kind: 'queue', subscription, queue, deadLetter: false });
      continue;
    }
    // AWS fails the delivery; with a RedrivePolicy the message goes to the subscription's dead-letter queue.
    const dlq = await deadLetterQueueOf(rt.queues, subscription);
    if (dlq) targets.push({ kind: 'queue', subscription, queue: dlq, deadLetter: true });
    else rt.logger.warn({ subscription: subscription.arn, endpoint: subscription.endpoint }, 'SNS delivery skipped: the queue does not exist');
  }
  const needsKey = targets.some((t) => needsSignature(t.subscription));
  const key = needsKey ? await rt.signer.key() : undefined;
  const jobQueue = targets.some((t) => t.kind === 'http') ? await rt.http.queue() : undefined;
  const now = rt.clock.now();
  const signatures = key ? await signAhead(topic, prepared, targets, key, now) : new Map<string, string>();
  return { topic, prepared, targets, key, signatures, jobQueue, now, ctx };
}

/** Deliveries that carry the signed envelope (every one but raw deliveries, the plain-text protocols and Firehose). */
function needsSignature(s: SubscriptionRecord): boolean {
  if (s.protocol === 'email' || s.protocol === 'sms' || s.protocol === 'application' || s.protocol === 'firehose') return false;
  return s.attributes['RawMessageDelivery'] !== 'true';
}

/**
 * Signs the notification before the publish transaction, on libuv's thread pool: an RSA-2048 signature costs
 * about a quarter of a millisecond of CPU, which inside the transaction would hold up every other request (it was
 * three quarters of the server's time under a publish load). Every field the signature covers is known by now.
 */
async function signAhead(
  topic: TopicRecord,
  prepared: PreparedPublish,
  targets: readonly Target[],
  key: SigningKey,
  now: number,
): Promise<Map<string, string>> {
  const version = signatureVersionOf(topic);
  const timestamp = new Date(now).toISOString();
  // One signature per distinct text: the subscription (and so the UnsubscribeURL) is not signed.
  const texts = new Set(targets.filter((t) => needsSignature(t.subscription)).map((t) => messageFor(prepared, t.subscription)));
  const entries = await Promise.all(
    [...texts].map(async (text) => {
      const fields = notificationFields(topic, prepared, text, timestamp);
      return [text, await signatureOfAsync(notificationStringToSign(fields), version, key.privateKey)] as const;
    }),
  );
  return new Map(entries);
}

/** The fields of a notification its signature covers (the UnsubscribeURL is not among them). */
const notificationFields = (topic: TopicRecord, prepared: PreparedPublish, text: string, timestamp: string) => ({
  Message: text,
  MessageId: prepared.messageId,
  ...(prepared.subject !== undefined ? { Subject: prepared.subject } : {}),
  Timestamp: timestamp,
  TopicArn: topic.arn,
  Type: 'Notification' as const,
});

const signatureVersionOf = (topic: TopicRecord): '1' | '2' => (topic.attributes['SignatureVersion'] === '2' ? '2' : '1');

/**
 * Commits a planned publish: one transaction writes the message into every matching queue, the jobs for HTTP/S
 * endpoints into the delivery worker's queue and the recorded deliveries into the delivery log (and, for FIFO
 * topics, deduplicates and numbers it); then the queues' long polls and the worker are woken. Call synchronously in
 * request order: the store call is made before the first await, so a batch's messages are numbered in order.
 */
export function commitPublish(rt: SnsRuntime, plan: PlannedPublish): Promise<PublishOutcome> {
  const { topic, prepared, now } = plan;
  let records: DeliveryRecordInput[] = [];
  const outcome = rt.store.publish({
    topic,
    messageId: prepared.messageId,
    now,
    ...(topic.fifo && prepared.dedupId !== undefined ? { dedup: { id: prepared.dedupId, windowMs: L.DEDUP_WINDOW_MS } } : {}),
    build: (sequenceNumber) => {
      const built = buildDeliveries(rt, plan, sequenceNumber);
      records = built.records;
      return built.deliveries;
    },
    records: () => records,
  });
  return outcome.then((o) => {
    for (const id of o.queueIds) rt.notifyQueue(id);
    if (plan.jobQueue && !o.duplicate) rt.http.kick();
    return o;
  });
}

/** The message a subscription gets: its protocol's entry of a MessageStructure=json publish, else the default. */
function messageFor(prepared: PreparedPublish, s: SubscriptionRecord): string {
  const key = s.protocol === 'application' ? platformOf(s.endpoint) : s.protocol;
  return prepared.perProtocol?.[key] ?? prepared.message;
}

function buildDeliveries(
  rt: SnsRuntime,
  plan: PlannedPublish,
  sequenceNumber: string | undefined,
): { deliveries: FanoutDelivery[]; records: DeliveryRecordInput[] } {
  const { topic, prepared, now, ctx } = plan;
  const timestamp = new Date(now).toISOString();
  const version = signatureVersionOf(topic);
  const signatures = new Map<string, string>(plan.signatures);
  const signingCertUrl = plan.key ? `http://${ctx.host}${certificatePath(plan.key.id)}` : '';
  /** The signature of the notification of `text` (the same for every subscription: the URL is not signed). */
  const signed = (text: string): string => {
    let signature = signatures.get(text);
    if (signature === undefined) {
      signature = signatureOf(notificationStringToSign(notificationFields(topic, prepared, text, timestamp)), version, plan.key!.privateKey);
      signatures.set(text, signature);
    }
    return signature;
  };
  const envelope = (s: SubscriptionRecord, text: string): string =>
    renderNotification({
      Type: 'Notification',
      MessageId: prepared.messageId,
      ...(sequenceNumber !== undefined ? { SequenceNumber: sequenceNumber } : {}),
      TopicArn: topic.arn,
      ...(prepared.subject !== undefined ? { Subject: prepared.subject } : {}),
      Message: text,
      Timestamp: timestamp,
      SignatureVersion: version,
      Signature: signed(text),
      SigningCertURL: signingCertUrl,
      UnsubscribeURL: unsubscribeUrl(ctx.host, s.arn),
      ...(prepared.attributes ? { MessageAttributes: envelopeAttributes(prepared.attributes) } : {}),
    });

  const deliveries: FanoutDelivery[] = [];
  const jobs: HttpJob[] = [];
  const records: DeliveryRecordInput[] = [];
  for (const target of plan.targets) {
    const s = target.subscription;
    const text = messageFor(prepared, s);
    const raw = s.attributes['RawMessageDelivery'] === 'true';
    if (target.kind === 'http') {
      jobs.push({
        type: 'Notification',
        subscriptionArn: s.arn,
        topicArn: topic.arn,
        endpoint: s.endpoint,
        messageId: prepared.messageId,
        body: raw ? text : envelope(s, text),
        ...(raw ? { raw: true } : {}),
        ...(prepared.attributes ? { attributes: prepared.attributes } : {}),
      });
      continue;
    }
    if (target.kind === 'record') {
      records.push(recordFor({ s, topic, prepared, text, raw, now, host: ctx.host, envelope, signed, signingCertUrl, version, timestamp }));
      continue;
    }
    let body: string;
    let attributes: MessageAttributeMap | undefined;
    if (raw) {
      body = text;
      attributes = prepared.attributes;
    } else {
      body = envelope(s, text);
    }
    try {
      // The queue's own rules apply (size, characters, FIFO ids, attribute limits): SQS's send path builds the
      // message, MD5s included. A message the queue refuses is a failed delivery, as on AWS.
      const sent = prepareSend(
        target.queue,
        {
          MessageBody: body,
          ...(attributes ? { MessageAttributes: sqsAttributes(attributes) } : {}),
          ...(target.queue.fifo && prepared.groupId !== undefined ? { MessageGroupId: prepared.groupId } : {}),
          ...(target.queue.fifo && prepared.dedupId !== undefined ? { MessageDeduplicationId: prepared.dedupId } : {}),
          ...(target.queue.fifo && prepared.dedupId === undefined ? { MessageDeduplicationId: prepared.messageId } : {}),
        },
        ctx,
        now,
        false,
      );
      const fifo = fifoOptions(target.queue);
      deliveries.push({ queue: target.queue, messages: [sent.message], ...(fifo ? { fifo } : {}) });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      rt.logger.warn({ subscription: s.arn, queue: target.queue.name, reason: err.message }, 'SNS delivery refused by the queue');
    }
  }
  if (jobs.length) deliveries.push(HttpDeliveries.enqueue(plan.jobQueue!, jobs, now));
  return { deliveries, records };
}

/**
 * A delivery Postbox records instead of making, with the payload exactly as AWS would send it: e-mail gets the
 * message text and SNS's unsubscribe footer; email-json the JSON envelope; Firehose its compact, unsigned record
 * (the bare message with RawMessageDelivery); SMS and mobile push the message text (a MessageStructure=json publish picks the
 * protocol's, or the platform's, entry); Lambda the event a function is invoked with.
 */
interface RecordInput {
  readonly s: SubscriptionRecord;
  readonly topic: TopicRecord;
  readonly prepared: PreparedPublish;
  /** The message this subscription gets. */
  readonly text: string;
  readonly raw: boolean;
  readonly now: number;
  /** The host the publish came to (for the URLs in the payload). */
  readonly host: string;
  /** The signed envelope of `text` for `s`. */
  readonly envelope: (s: SubscriptionRecord, text: string) => string;
  /** The signature of the notification of `text`. */
  readonly signed: (text: string) => string;
  readonly signingCertUrl: string;
  readonly version: string;
  readonly timestamp: string;
}

function recordFor({ s, topic, prepared, text, raw, now, host, envelope, signed, signingCertUrl, version, timestamp }: RecordInput): DeliveryRecordInput {
  let payload: string;
  let subject: string | undefined;
  const details: Record<string, string> = { type: 'Notification', messageId: prepared.messageId, subscriptionArn: s.arn };
  switch (s.protocol) {
    case 'email':
      payload = notificationEmail(text, unsubscribeUrl(host, s.arn));
      subject = prepared.subject ?? DEFAULT_EMAIL_SUBJECT;
      details['from'] = emailSender(topic.attributes['DisplayName']);
      break;
    case 'email-json':
      payload = envelope(s, text);
      subject = prepared.subject ?? DEFAULT_EMAIL_SUBJECT;
      details['from'] = emailSender(topic.attributes['DisplayName']);
      break;
    case 'lambda':
      payload = lambdaEvent({
        subscriptionArn: s.arn,
        signatureVersion: version,
        timestamp,
        signature: signed(text),
        signingCertUrl,
        messageId: prepared.messageId,
        message: text,
        attributes: prepared.attributes ? envelopeAttributes(prepared.attributes) : {},
        unsubscribeUrl: unsubscribeUrl(host, s.arn),
        topicArn: topic.arn,
        subject: prepared.subject,
      });
      break;
    case 'firehose':
      payload = raw
        ? text
        : firehoseRecord({
            messageId: prepared.messageId,
            topicArn: topic.arn,
            subject: prepared.subject,
            message: text,
            timestamp,
            unsubscribeUrl: unsubscribeUrl(host, s.arn),
            attributes: prepared.attributes ? envelopeAttributes(prepared.attributes) : undefined,
          });
      break;
    default: // sms, application
      payload = text;
  }
  return {
    service: 'sns',
    accountId: s.accountId,
    region: s.region,
    protocol: s.protocol,
    endpoint: s.endpoint,
    source: topic.arn,
    ...(subject !== undefined ? { subject } : {}),
    payload,
    details,
    recordedAt: now,
  };
}
