import { createHash } from 'node:crypto';
import { AwsError } from '../core/errors.js';
import { newMessageId } from '../core/ids.js';
import type { CallContext } from '../core/service.js';
import { parseQueueArn } from '../sqs/queue-ref.js';
import { fifoOptions, prepareSend } from '../sqs/send.js';
import type { QueueRecord } from '../store/contract.js';
import type { FanoutDelivery, PublishOutcome, SubscriptionRecord, TopicRecord } from '../store/sns-contract.js';
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

/** One subscription's delivery target, resolved before the publish transaction. */
interface Target {
  readonly subscription: SubscriptionRecord;
  readonly queue: QueueRecord;
  /** Delivering to the subscription's dead-letter queue because its own queue does not exist. */
  readonly deadLetter: boolean;
}

/** A publish ready to commit: everything async (subscriptions, queues, the signing key) already looked up. */
export interface PlannedPublish {
  readonly topic: TopicRecord;
  readonly prepared: PreparedPublish;
  readonly targets: readonly Target[];
  readonly key: SigningKey | undefined;
  /** Signatures made ahead of the transaction, by `${version}\n${message}` (see signAhead). */
  readonly signatures: ReadonlyMap<string, string>;
  readonly now: number;
  readonly ctx: CallContext;
}

/** Finds the subscriptions a message goes to (compiled filter policies) and the queues behind them. */
export async function planPublish(rt: SnsRuntime, topic: TopicRecord, prepared: PreparedPublish, ctx: CallContext): Promise<PlannedPublish> {
  const fanout = await rt.subscriptions.get(topic.arn);
  const matched = rt.subscriptions.matching(fanout, { attributes: prepared.attributes ?? {}, body: prepared.message });
  const targets: Target[] = [];
  for (const subscription of matched) {
    if (subscription.protocol !== 'sqs') continue; // Subscribe accepts only sqs endpoints so far.
    const key = parseQueueArn(subscription.endpoint);
    const queue = key && (await rt.queues.getQueue(key));
    if (queue) {
      targets.push({ subscription, queue, deadLetter: false });
      continue;
    }
    // AWS fails the delivery; with a RedrivePolicy the message goes to the subscription's dead-letter queue.
    const dlq = await deadLetterQueue(rt, subscription);
    if (dlq) targets.push({ subscription, queue: dlq, deadLetter: true });
    else rt.logger.warn({ subscription: subscription.arn, endpoint: subscription.endpoint }, 'SNS delivery skipped: the queue does not exist');
  }
  const needsKey = targets.some((t) => t.subscription.attributes['RawMessageDelivery'] !== 'true');
  const key = needsKey ? await rt.signer.key() : undefined;
  const now = rt.clock.now();
  const signatures = key ? await signAhead(topic, prepared, key, now) : new Map<string, string>();
  return { topic, prepared, targets, key, signatures, now, ctx };
}

/**
 * Signs the notification before the publish transaction, on libuv's thread pool: an RSA-2048 signature costs
 * about a quarter of a millisecond of CPU, which inside the transaction would hold up every other request (it was
 * three quarters of the server's time under a publish load). Every field the signature covers is known by now.
 */
async function signAhead(topic: TopicRecord, prepared: PreparedPublish, key: SigningKey, now: number): Promise<Map<string, string>> {
  const version = signatureVersionOf(topic);
  const text = prepared.perProtocol?.['sqs'] ?? prepared.message;
  const signed = { Message: text, MessageId: prepared.messageId, ...(prepared.subject !== undefined ? { Subject: prepared.subject } : {}), Timestamp: new Date(now).toISOString(), TopicArn: topic.arn, Type: 'Notification' as const };
  const signature = await signatureOfAsync(notificationStringToSign(signed), version, key.privateKey);
  return new Map([[`${version}\n${text}`, signature]]);
}

const signatureVersionOf = (topic: TopicRecord): '1' | '2' => (topic.attributes['SignatureVersion'] === '2' ? '2' : '1');

async function deadLetterQueue(rt: SnsRuntime, s: SubscriptionRecord): Promise<QueueRecord | undefined> {
  const policy = s.attributes['RedrivePolicy'];
  if (!policy) return undefined;
  try {
    const key = parseQueueArn((JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn);
    return key && (await rt.queues.getQueue(key));
  } catch {
    return undefined;
  }
}

/**
 * Commits a planned publish: one transaction writes the message into every matching queue (and, for FIFO topics,
 * deduplicates and numbers it), then the queues' long polls are woken. Call synchronously in request order: the
 * store call is made before the first await, so a batch's messages are numbered in order.
 */
export function commitPublish(rt: SnsRuntime, plan: PlannedPublish): Promise<PublishOutcome> {
  const { topic, prepared, now } = plan;
  const outcome = rt.store.publish({
    topic,
    messageId: prepared.messageId,
    now,
    ...(topic.fifo && prepared.dedupId !== undefined ? { dedup: { id: prepared.dedupId, windowMs: L.DEDUP_WINDOW_MS } } : {}),
    build: (sequenceNumber) => buildDeliveries(rt, plan, sequenceNumber),
  });
  return outcome.then((o) => {
    for (const id of o.queueIds) rt.notifyQueue(id);
    return o;
  });
}

function buildDeliveries(rt: SnsRuntime, plan: PlannedPublish, sequenceNumber: string | undefined): FanoutDelivery[] {
  const { topic, prepared, now, ctx } = plan;
  const timestamp = new Date(now).toISOString();
  const signatures = new Map<string, string>(plan.signatures);
  const deliveries: FanoutDelivery[] = [];
  for (const target of plan.targets) {
    const s = target.subscription;
    const text = prepared.perProtocol?.['sqs'] ?? prepared.message;
    const raw = s.attributes['RawMessageDelivery'] === 'true';
    let body: string;
    let attributes: MessageAttributeMap | undefined;
    if (raw) {
      body = text;
      attributes = prepared.attributes;
    } else {
      const version = signatureVersionOf(topic);
      const signed = { Message: text, MessageId: prepared.messageId, ...(prepared.subject !== undefined ? { Subject: prepared.subject } : {}), Timestamp: timestamp, TopicArn: topic.arn, Type: 'Notification' as const };
      const signatureKey = `${version}\n${text}`;
      let signature = signatures.get(signatureKey);
      if (signature === undefined) {
        signature = signatureOf(notificationStringToSign(signed), version, plan.key!.privateKey);
        signatures.set(signatureKey, signature);
      }
      body = renderNotification({
        Type: 'Notification',
        MessageId: prepared.messageId,
        ...(sequenceNumber !== undefined ? { SequenceNumber: sequenceNumber } : {}),
        TopicArn: topic.arn,
        ...(prepared.subject !== undefined ? { Subject: prepared.subject } : {}),
        Message: text,
        Timestamp: timestamp,
        SignatureVersion: version,
        Signature: signature,
        SigningCertURL: `http://${ctx.host}${certificatePath(plan.key!.id)}`,
        UnsubscribeURL: `http://${ctx.host}/?Action=Unsubscribe&SubscriptionArn=${s.arn}`,
        ...(prepared.attributes ? { MessageAttributes: envelopeAttributes(prepared.attributes) } : {}),
      });
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
  return deliveries;
}
