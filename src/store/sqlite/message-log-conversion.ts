import type { Database } from 'better-sqlite3';
import { IndexedMessage, type MessageContent } from './queue-index.js';
import { RECORDS_PER_BULK_ROW, sendRecordText } from './message-log.js';

/**
 * Moves standard queues' messages from their rows in `messages` (one per message, as files before the message log
 * kept them) into `message_log`, keeping each message's id and whole state, in rows of RECORDS_PER_BULK_ROW sends
 * so that reading one message's content back later decodes a bounded row. Runs inside the migration's transaction.
 */
export function convertStandardRowsToLog(db: Database): void {
  const rows = db
    .prepare(
      `SELECT id, queue_id, visible_at, expires_at, receive_count, first_received_at, received_at, receipt_token,
         message_id, body, md5_body, sender_id, sent_at, attributes, md5_attributes, system_attributes,
         md5_system_attributes, group_id, dedup_id, dead_letter_source_arn
       FROM messages WHERE sequence_number IS NULL AND id > ? ORDER BY id LIMIT ?`,
    )
    .raw(true);
  const insert = db.prepare('INSERT INTO message_log (seq, records) VALUES (?, ?)');
  let seq = ((db.prepare('SELECT max(seq) FROM message_log').pluck().get() as number | null) ?? 0) + 1;
  // Chunk by chunk: better-sqlite3 runs no other statement on a connection while one is being iterated.
  for (let after = 0; ; ) {
    const chunk = rows.all(after, RECORDS_PER_BULK_ROW) as unknown[][];
    if (chunk.length === 0) break;
    const records: string[] = [];
    for (const r of chunk) {
    const e = new IndexedMessage(
      r[0] as number,
      r[2] as number,
      r[3] as number,
      r[4] as number,
      r[5] as number | null,
      r[6] as number | null,
      r[7] as string | null,
    );
    const c: MessageContent = { messageId: r[8] as string, body: r[9] as string, md5OfBody: r[10] as string, senderId: r[11] as string, sentAt: r[12] as number };
    const optional: [keyof MessageContent, unknown][] = [
      ['messageAttributes', r[13]],
      ['md5OfMessageAttributes', r[14]],
      ['systemAttributes', r[15]],
      ['md5OfSystemAttributes', r[16]],
      ['groupId', r[17]],
      ['deduplicationId', r[18]],
      ['deadLetterSourceArn', r[19]],
    ];
    for (const [k, v] of optional) if (v !== null) (c as unknown as Record<string, unknown>)[k] = v;
    records.push(sendRecordText(r[1] as number, e, c));
    }
    insert.run(seq++, records.join(''));
    after = chunk[chunk.length - 1]![0] as number;
  }
  db.exec('DELETE FROM messages WHERE sequence_number IS NULL');
}
