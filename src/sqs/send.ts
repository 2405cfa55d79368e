import { AwsError, invalidParameter } from '../core/errors.js';
import { newMessageId } from '../core/ids.js';
import type { CallContext } from '../core/service.js';
import type { NewMessage, QueueRecord } from '../store/contract.js';
import * as L from './limits.js';
import {
  checkBodyCharacters,
  checkFifoId,
  checkMessageAttributes,
  checkSystemAttributes,
  md5Hex,
  md5OfAttributes,
  sha256Hex,
} from './message-input.js';
import { numberAttribute } from './queue-attributes.js';
import type { MessageAttributeMap, SendMessageBatchRequestEntry, SendMessageResult } from './types.js';

export interface PreparedSend {
  message: NewMessage;
  result: Omit<SendMessageResult, 'MessageId' | 'SequenceNumber'>;
  /** Body plus attributes, as counted against MaximumMessageSize. */
  size: number;
}

/** Keeps only the members AWS stores of each attribute, so nothing else round-trips. */
function canonicalAttributes(attributes: MessageAttributeMap): MessageAttributeMap {
  // No prototype: an attribute named `__proto__` is an ordinary (valid) name and must be kept like any other.
  const out: MessageAttributeMap = Object.create(null) as MessageAttributeMap;
  for (const [name, a] of Object.entries(attributes)) {
    out[name] =
      a.BinaryValue !== undefined && a.DataType.startsWith('Binary')
        ? { DataType: a.DataType, BinaryValue: a.BinaryValue }
        : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  }
  return out;
}

/**
 * The last body a batch checked and hashed. Entries of one batch often carry the same text (one event sent to
 * many ids): a body equal to the last one is known valid, and has the same size and MD5, so neither the character
 * scan nor the hash runs again. Comparing costs far less than hashing, also when the bodies differ.
 */
export interface BodyMemo {
  body: string | undefined;
  bytes: number;
  md5: string;
}

export const newBodyMemo = (): BodyMemo => ({ body: undefined, bytes: 0, md5: '' });

/**
 * Validates one message of a SendMessage or SendMessageBatch call against its queue and builds what the store
 * writes. `batch` changes only how AWS words a missing MessageGroupId.
 */
export function prepareSend(
  queue: QueueRecord,
  entry: SendMessageBatchRequestEntry,
  ctx: CallContext,
  now: number,
  batch: boolean,
  memo?: BodyMemo,
): PreparedSend {
  const body = entry.MessageBody;
  if (body === undefined || body === '') {
    throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  const known = memo?.body === body;
  if (!known) checkBodyCharacters(body);
  const attributes = entry.MessageAttributes && Object.keys(entry.MessageAttributes).length ? entry.MessageAttributes : undefined;
  const attributesSize = attributes ? checkMessageAttributes(attributes) : 0;
  const bodyBytes = known ? memo.bytes : Buffer.byteLength(body, 'utf8');
  const size = bodyBytes + attributesSize;
  const maxSize = numberAttribute(queue, 'MaximumMessageSize', L.MESSAGE_SIZE_MAX);
  if (size > maxSize) {
    throw new AwsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
  }
  let system = entry.MessageSystemAttributes && Object.keys(entry.MessageSystemAttributes).length ? entry.MessageSystemAttributes : undefined;
  if (system) checkSystemAttributes(system);
  // AWS takes the X-Ray trace header from the request when the message names none.
  else if (ctx.traceHeader) system = { AWSTraceHeader: { DataType: 'String', StringValue: ctx.traceHeader } };

  let delaySeconds = numberAttribute(queue, 'DelaySeconds', 0);
  if (entry.DelaySeconds !== undefined) {
    if (entry.DelaySeconds < 0 || entry.DelaySeconds > L.DELAY_SECONDS_MAX) {
      throw invalidParameter('DelaySeconds', entry.DelaySeconds, `DelaySeconds must be >= 0 and <= ${L.DELAY_SECONDS_MAX}`);
    }
    // AWS: FIFO queues take delays per queue only.
    if (queue.fifo && entry.DelaySeconds !== 0) {
      throw invalidParameter('DelaySeconds', entry.DelaySeconds, 'The request include parameter that is not valid for this queue type.');
    }
    if (!queue.fifo) delaySeconds = entry.DelaySeconds;
  }

  let groupId = entry.MessageGroupId;
  let deduplicationId = entry.MessageDeduplicationId;
  if (queue.fifo) {
    if (groupId === undefined || groupId === '') {
      const message = 'The request must contain the parameter MessageGroupId.';
      throw new AwsError(batch ? 'InvalidParameterValue' : 'MissingParameter', message);
    }
    checkFifoId('MessageGroupId', groupId);
    if (deduplicationId !== undefined) checkFifoId('MessageDeduplicationId', deduplicationId);
    else if (queue.attributes['ContentBasedDeduplication'] === 'true') deduplicationId = sha256Hex(body);
    else {
      throw new AwsError(
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
  } else {
    if (deduplicationId !== undefined) {
      throw invalidParameter('MessageDeduplicationId', deduplicationId, 'The request includes a parameter that is not valid for this queue type.');
    }
    // Fair queues (2025): a standard queue accepts MessageGroupId and hands it back; it orders nothing.
    if (groupId !== undefined) checkFifoId('MessageGroupId', groupId);
    if (groupId === '') groupId = undefined;
  }

  const retentionMs = numberAttribute(queue, 'MessageRetentionPeriod', L.RETENTION_DEFAULT) * 1000;
  const md5OfBody = known ? memo.md5 : md5Hex(body);
  if (memo && !known) {
    memo.body = body;
    memo.bytes = bodyBytes;
    memo.md5 = md5OfBody;
  }
  const message: NewMessage = {
    messageId: newMessageId(),
    body,
    md5OfBody,
    senderId: ctx.accessKeyId ?? ctx.accountId,
    sentAt: now,
    visibleAt: now + delaySeconds * 1000,
    expiresAt: now + retentionMs,
  };
  const result: PreparedSend['result'] = { MD5OfMessageBody: md5OfBody };
  if (attributes) {
    const canonical = canonicalAttributes(attributes);
    message.messageAttributes = JSON.stringify(canonical);
    message.md5OfMessageAttributes = result.MD5OfMessageAttributes = md5OfAttributes(canonical);
  }
  if (system) {
    const canonical = canonicalAttributes(system);
    message.systemAttributes = JSON.stringify(canonical);
    message.md5OfSystemAttributes = result.MD5OfMessageSystemAttributes = md5OfAttributes(canonical);
  }
  if (groupId !== undefined) message.groupId = groupId;
  if (deduplicationId !== undefined) message.deduplicationId = deduplicationId;
  return { message, result, size };
}

export function fifoOptions(queue: QueueRecord) {
  if (!queue.fifo) return undefined;
  return {
    scope: queue.attributes['DeduplicationScope'] === 'messageGroup' ? ('messageGroup' as const) : ('queue' as const),
    windowMs: L.DEDUP_WINDOW_MS,
  };
}
