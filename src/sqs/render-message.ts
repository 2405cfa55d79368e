import type { StoredMessage } from '../store/contract.js';
import { md5OfAttributes } from './md5.js';
import type { Message, MessageAttributeMap } from './types.js';

/** System attributes `All` returns, in AWS's names; the rest appear only when the message has them. */
const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

function systemAttribute(m: StoredMessage, name: (typeof SYSTEM_ATTRIBUTES)[number]): string | undefined {
  switch (name) {
    case 'SenderId':
      return m.senderId;
    case 'SentTimestamp':
      return String(m.sentAt);
    case 'ApproximateReceiveCount':
      return String(m.receiveCount);
    case 'ApproximateFirstReceiveTimestamp':
      return m.firstReceivedAt === undefined ? undefined : String(m.firstReceivedAt);
    case 'SequenceNumber':
      return m.sequenceNumber;
    case 'MessageDeduplicationId':
      return m.deduplicationId;
    case 'MessageGroupId':
      return m.groupId === '' ? undefined : m.groupId;
    case 'AWSTraceHeader':
      return m.systemAttributes ? (JSON.parse(m.systemAttributes) as MessageAttributeMap)['AWSTraceHeader']?.StringValue : undefined;
    case 'DeadLetterQueueSourceArn':
      return m.deadLetterSourceArn;
  }
}

/**
 * Message attribute names as ReceiveMessage filters them: `All` or `.*` for every attribute, `prefix.*` for those
 * starting with the prefix, otherwise exact names.
 */
function selectAttributes(all: MessageAttributeMap, filters: string[]): MessageAttributeMap | undefined {
  if (filters.some((f) => f === 'All' || f === '.*')) return all;
  const out: MessageAttributeMap = Object.create(null) as MessageAttributeMap;
  for (const [name, value] of Object.entries(all)) {
    for (const f of filters) {
      if (f === name || (f.endsWith('.*') && name.startsWith(f.slice(0, -2)))) {
        out[name] = value;
        break;
      }
    }
  }
  return Object.keys(out).length ? out : undefined;
}

export function renderMessage(m: StoredMessage, receiptHandle: string, systemNames: ReadonlySet<string>, attributeNames: string[]): Message {
  const out: Message = { MessageId: m.messageId, ReceiptHandle: receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body };
  if (systemNames.size) {
    const all = systemNames.has('All');
    const attrs: Record<string, string> = {};
    for (const name of SYSTEM_ATTRIBUTES) {
      if (!all && !systemNames.has(name)) continue;
      const v = systemAttribute(m, name);
      if (v !== undefined) attrs[name] = v;
    }
    out.Attributes = attrs;
  }
  if (attributeNames.length && m.messageAttributes) {
    const all = JSON.parse(m.messageAttributes) as MessageAttributeMap;
    const selected = selectAttributes(all, attributeNames);
    if (selected) {
      out.MessageAttributes = selected;
      // AWS computes the digest over the attributes it returns.
      out.MD5OfMessageAttributes =
        Object.keys(selected).length === Object.keys(all).length ? m.md5OfMessageAttributes! : md5OfAttributes(selected);
    }
  }
  return out;
}
