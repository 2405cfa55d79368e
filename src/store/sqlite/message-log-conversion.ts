import type { Database } from 'better-sqlite3';
import { contentOf } from './queue-index.js';
import { encodeSend } from './message-log-codec.js';
import { MESSAGE_COLUMNS, messageRow, toMessage } from './rows.js';

/** Send records per log row written here. */
const RECORDS_PER_BULK_ROW = 1_000;

/**
 * Moves standard queues' messages from their rows in `messages` (one per message, as files before the message log
 * kept them) into `message_log`, keeping each message's id and whole state, in rows of RECORDS_PER_BULK_ROW sends
 * so that reading one message's content back later decodes a bounded row. Runs inside the migration's transaction.
 */
export function convertStandardRowsToLog(db: Database): void {
  const rows = db
    .prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sequence_number IS NULL AND id > ? ORDER BY id LIMIT ?`)
    .raw(true);
  const insert = db.prepare('INSERT INTO message_log (seq, records) VALUES (?, ?)');
  let seq = ((db.prepare('SELECT max(seq) FROM message_log').pluck().get() as number | null) ?? 0) + 1;
  // Chunk by chunk: better-sqlite3 runs no other statement on a connection while one is being iterated.
  for (let after = 0; ; ) {
    const chunk = (rows.all(after, RECORDS_PER_BULK_ROW) as unknown[][]).map(messageRow);
    if (chunk.length === 0) break;
    const records = chunk.map((row) =>
      encodeSend(
        {
          id: row.id,
          queueId: row.queue_id,
          visibleAt: row.visible_at,
          expiresAt: row.expires_at,
          receiveCount: row.receive_count,
          firstReceivedAt: row.first_received_at,
          receivedAt: row.received_at,
          receiptToken: row.receipt_token,
        },
        contentOf(toMessage(row)),
      ),
    );
    insert.run(seq++, records.join(''));
    after = chunk[chunk.length - 1]!.id;
  }
  db.exec('DELETE FROM messages WHERE sequence_number IS NULL');
}
