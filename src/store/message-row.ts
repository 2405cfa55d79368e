import type { StoredMessage } from './contract.js';

/**
 * A message row as both engines store it (column names as in the schemas); only the body's type differs (SQLite
 * text, PostgreSQL bytea, since a text column refuses U+0000).
 */
export interface MessageRowOf<Body> {
  id: number;
  queue_id: number;
  message_id: string;
  body: Body;
  md5_body: string;
  attributes: string | null;
  md5_attributes: string | null;
  system_attributes: string | null;
  md5_system_attributes: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  expires_at: number;
  receive_count: number;
  first_received_at: number | null;
  received_at: number | null;
  receipt_token: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sequence_number: string | null;
  dead_letter_source_arn: string | null;
}

/** The contract's view of a row, given its body as text. */
export function storedMessage(row: MessageRowOf<unknown>, body: string): StoredMessage {
  const m: StoredMessage = {
    rowId: row.id,
    messageId: row.message_id,
    body,
    md5OfBody: row.md5_body,
    senderId: row.sender_id,
    sentAt: row.sent_at,
    visibleAt: row.visible_at,
    expiresAt: row.expires_at,
    receiveCount: row.receive_count,
  };
  if (row.attributes !== null) m.messageAttributes = row.attributes;
  if (row.md5_attributes !== null) m.md5OfMessageAttributes = row.md5_attributes;
  if (row.system_attributes !== null) m.systemAttributes = row.system_attributes;
  if (row.md5_system_attributes !== null) m.md5OfSystemAttributes = row.md5_system_attributes;
  if (row.first_received_at !== null) m.firstReceivedAt = row.first_received_at;
  if (row.receipt_token !== null) m.receiptToken = row.receipt_token;
  if (row.group_id !== null) m.groupId = row.group_id;
  if (row.dedup_id !== null) m.deduplicationId = row.dedup_id;
  if (row.sequence_number !== null) m.sequenceNumber = row.sequence_number;
  if (row.dead_letter_source_arn !== null) m.deadLetterSourceArn = row.dead_letter_source_arn;
  return m;
}

/** The dead-letter queue ARN a RedrivePolicy names (indexed by both engines for ListDeadLetterSourceQueues). */
export function deadLetterArnOf(attributes: Record<string, string>): string | null {
  const policy = attributes['RedrivePolicy'];
  if (!policy) return null;
  try {
    const arn = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    return typeof arn === 'string' ? arn : null;
  } catch {
    return null;
  }
}
