import type { Database } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/** The automatic checkpoint threshold (pages) of connections that write while the checkpoint thread runs: a backstop. */
export const BACKSTOP_CHECKPOINT_PAGES = 8_000;

/**
 * Moves WAL checkpoints off the thread that serves requests.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that pushes the write-ahead log past its threshold: that
 * commit copies a thousand pages back into the database file and waits for two fsyncs, milliseconds during which
 * the event loop answers nobody (the bench saw commit p99 at ~8 ms against a p50 of ~0.12 ms). Here a worker
 * thread with its own connection runs PASSIVE checkpoints every few milliseconds on the other core instead; a
 * passive checkpoint never holds up a writer, and the writer restarts the log from its start once everything in it
 * has been copied.
 *
 * Durability does not change: a commit is in the log (and, with `synchronous = FULL`, on disk) before it is
 * acknowledged, whoever later copies it into the file.
 *
 * The main connection keeps a high automatic threshold as a backstop, so the log stays bounded even if the worker
 * falls behind or stops; if the worker fails, the default threshold comes back.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(
    private readonly db: Database,
    path: string,
    options: { intervalMs?: number; backstopPages?: number } = {},
  ) {
    db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? BACKSTOP_CHECKPOINT_PAGES}`);
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      workerData: { path, intervalMs: options.intervalMs ?? 20 },
      // No inherited Node options (see log-committer.ts).
      execArgv: [],
    });
    const fallBack = (): void => {
      if (this.stopped || !this.db.open) return;
      this.stopped = true;
      this.db.pragma('wal_autocheckpoint = 1000');
    };
    this.worker.on('message', fallBack);
    this.worker.on('error', fallBack);
    this.worker.on('exit', fallBack);
    // The thread must not keep a process alive that has nothing else to do. (After the listeners: a 'message'
    // listener refs the worker's port again.)
    this.worker.unref();
  }

  /**
   * Stops the thread; the caller checkpoints what is left as it closes the database. Terminating it is safe at any
   * point (a checkpoint cut short is redone by the next one; the thread's connection closes as the thread ends) and
   * does not wait for a thread that is still starting, so a stop right after start stays quick.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.worker.terminate();
  }
}
