/**
 * The body of the checkpoint thread (see checkpointer.ts): its own connection to the database file, copying the
 * write-ahead log back into the file every few milliseconds with a PASSIVE checkpoint, which never blocks the
 * writer on the main thread.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
}

const { path, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(path);
// The main thread's writer holds the write lock only for the length of one commit group; a checkpoint that
// meets it retries on the next tick rather than waiting.
db.pragma('busy_timeout = 0');
// The checkpointer's own connection never writes, so it must not checkpoint on close with a mode that waits.
db.pragma('wal_autocheckpoint = 0');

// The main thread stops this thread with terminate(); the connection closes as the thread ends.
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // SQLITE_BUSY and the like: the next tick tries again; anything else is reported once and the thread stops,
    // after which the main connection checkpoints for itself again.
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return;
    clearInterval(timer);
    parentPort?.postMessage({ failed: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);
