import type { Database } from 'better-sqlite3';
import type { LogBatch } from './log-batch.js';
import { LogCommitter, type LogCommitFailure } from './log-committer.js';

/**
 * Something that buffers a group's writes in memory and writes them in the group's transaction just before it
 * commits (the message log). It hears where each write began, so that a write that fails takes back only its own.
 */
export interface GroupJournal {
  mark(): number;
  rollbackTo(mark: number): void;
  /** Runs inside the transaction, before COMMIT; a throw fails the whole group. */
  beforeCommit(): void;
  /** The group's transaction is gone: drop everything buffered for it. */
  discard(): void;
  /** A log-only group closes: its writes as one batch for the commit thread (undefined: nothing to write). */
  ship(): LogBatch | undefined;
  /** A shipped batch is committed. */
  committed(batch: LogBatch): void;
  /** Every shipped batch not reported committed is lost (the commit thread failed). */
  lost(): void;
  /** Whether a shipped batch's row is in the table (asked only once the commit thread has ended unasked). */
  inTable(batch: LogBatch): boolean;
}

/** A write or read waiting for its group to commit, with what it ran (run again if a pipelined group is lost). */
interface Waiter {
  kind: 'write' | 'read';
  run: () => unknown;
  result: unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A log-only group shipped to the commit thread, waiting for its report. */
interface InFlight {
  n: number;
  batch: LogBatch;
  waiters: Waiter[];
}

/** What the engine does when the commit thread is in use (see enablePipeline). */
export interface PipelineOptions {
  path: string;
  durability: 'normal' | 'full';
  autocheckpointPages: number;
  /** This store's writer token, already claimed in the file. */
  writer: string;
  /** Whether this store is still the last writer of the file (nobody else committed since it last did). */
  writerIsMine(): boolean;
  /** The pipeline has ended: everything derived from the file is to be read again (and other writers noticed). */
  ended(): void;
}

/**
 * Group commit. Every write that arrives in the same turn of the event loop belongs to one commit group, and the
 * group commits once, on `setImmediate`; only then are the writes' promises settled — a request is answered after
 * its data is committed, but many requests share one commit's cost (WAL page writes, and the fsync in `full`
 * durability). Reads join the open group when there is one, so that nobody is answered with data that is not yet
 * committed.
 *
 * Two kinds of group. A group whose writes touched SQLite (`write`) is a transaction on the main connection, each
 * write in its own savepoint so that a failing one rolls back alone. A group whose writes only appended message-log
 * records (`writeLog`: the standard-queue hot path) needs no transaction while it runs; when the commit thread is
 * enabled (`enablePipeline`), its batch is shipped to that thread and the group's requests are answered when the
 * thread reports the commit, while this thread goes on with the next groups. A log group that meets a `write` in
 * the same turn becomes a transaction group. Commits stay in order: before this thread begins a transaction of its
 * own it waits for the batches in flight.
 *
 * Without the thread (in-memory databases, or after it failed) a log group is a transaction group like any other.
 * If the thread fails, or another connection is found to have written the file, the pipeline ends for good: the
 * groups it had not committed are run again, in order, as transaction groups on this thread (nobody was answered for
 * them yet), after the engine has re-read its state from the file.
 */
export class GroupCommit {
  private open = false;
  /** The open group holds a transaction on the main connection. */
  private inTransaction = false;
  private waiters: Waiter[] = [];
  private journal: GroupJournal | undefined;
  private committer: LogCommitter | undefined;
  private pipeline: PipelineOptions | undefined;
  private inFlight: InFlight[] = [];
  /** endPipeline is running (a failure reported while it drains must not start it again). */
  private ending = false;
  /** How the commit thread stopped, when it did (see LogCommitter). */
  private failure: LogCommitFailure | undefined;
  private readonly schedule = (): void => this.commit();

  /**
   * `onRollback` runs when a group fails to commit, or one write of it fails (its savepoint rolls back), so callers
   * can drop state derived from those writes. `onBegin` runs once a transaction group holds the write lock, before
   * its first write: the moment to check whether another connection changed the file since this one last looked.
   */
  constructor(
    private readonly db: Database,
    private readonly onRollback: () => void = () => {},
    private readonly onBegin: () => void = () => {},
  ) {}

  /** Attaches the journal whose buffered records each group writes before it commits. */
  attach(journal: GroupJournal): void {
    this.journal = journal;
  }

  /** Starts the commit thread: from now on log-only groups are committed there. */
  enablePipeline(options: PipelineOptions): void {
    this.pipeline = options;
    const { path, durability, autocheckpointPages, writer } = options;
    this.committer = new LogCommitter({ path, durability, autocheckpointPages, writer }, {
      committed: (upTo) => this.committed(upTo),
      failed: (_from, _error, kind) => {
        this.failure = kind;
        this.endPipeline();
      },
    });
  }

  /** Whether log-only groups are committed by the commit thread. */
  get pipelined(): boolean {
    return this.committer !== undefined;
  }

  /** Runs `fn`, a write of SQLite (a better-sqlite3 transaction function: a savepoint in the group's transaction). */
  write<T>(fn: () => T): Promise<T> {
    if (!this.inTransaction) {
      try {
        this.begin();
      } catch (err) {
        // BEGIN failed (the file is locked), or the commit thread did not report in time: nothing of fn ran.
        return Promise.reject(err);
      }
    }
    return this.run(fn);
  }

  /** Runs `fn`, a write whose only durable effect is message-log records; settles once they are committed. */
  writeLog<T>(fn: () => T): Promise<T> {
    if (!this.committer) return this.write(fn);
    // No check for other writers here (it would cost a read per group): the commit thread checks in each of its
    // transactions, and a batch computed from a state another connection changed is never committed but run again.
    if (!this.open) this.openGroup();
    return this.run(fn);
  }

  /** Runs a read at once; if a group is open or in flight, answers only after it commits. */
  read<T>(fn: () => T): Promise<T> {
    let result: T;
    try {
      result = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    const joined = this.open ? this.waiters : this.inFlight[this.inFlight.length - 1]?.waiters;
    if (!joined) return Promise.resolve(result);
    return new Promise<T>((resolve, reject) => {
      joined.push({ kind: 'read', run: fn, result, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** Checks for other writers now (a read from memory is about to be answered); see the engine's onBegin. */
  noticeOtherWriters(): void {
    if (!this.committer) this.onBegin();
    else if (!this.pipeline!.writerIsMine()) this.endPipeline();
  }

  /** Commits the open group now and waits for everything in flight (before closing the database). */
  flush(): void {
    if (this.open) this.commit();
    this.committer?.drain();
  }

  /** Stops the commit thread (after flush). */
  async stop(): Promise<void> {
    const committer = this.committer;
    this.committer = undefined;
    await committer?.stop();
  }

  private openGroup(): void {
    this.open = true;
    setImmediate(this.schedule);
  }

  /** Makes the open group (or a new one) a transaction group, after the batches in flight have committed. */
  private begin(): void {
    // Nothing may commit on this connection before the batches shipped earlier; if the thread fails meanwhile, the
    // pipeline ends and its groups run again here (in a transaction group of their own, which may already be open).
    if (this.committer?.pending) this.committer.drain();
    if (this.inTransaction) return;
    if (!this.open) this.openGroup();
    this.db.exec('BEGIN IMMEDIATE');
    this.inTransaction = true;
    if (!this.committer) {
      this.onBegin();
      return;
    }
    if (this.pipeline!.writerIsMine()) return;
    // Another connection wrote: the log writes this group already ran were computed from a stale state. Give the
    // transaction back and let the end of the pipeline run them again, in a transaction group that starts afresh.
    this.db.exec('ROLLBACK');
    this.inTransaction = false;
    this.endPipeline();
    if (!this.inTransaction) this.begin();
  }

  private run<T>(fn: () => T): Promise<T> {
    let result: T;
    const mark = this.journal?.mark() ?? 0;
    try {
      result = fn();
    } catch (err) {
      this.journal?.rollbackTo(mark);
      // Some failures (disk full, I/O errors) make SQLite roll back the whole transaction, not just the savepoint:
      // then nothing of this group will commit, and its waiters must hear so now — before a later write of the
      // same turn runs outside any transaction and commits on its own.
      if (this.inTransaction && !this.db.inTransaction) this.abandon(err);
      // Otherwise only this write's savepoint rolled back (or, in a log group, only its records went); state
      // derived from it must go all the same.
      else this.onRollback();
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ kind: 'write', run: fn, result, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** The open transaction is gone: everyone waiting on it is told it failed; the next write starts a new group. */
  private abandon(err: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    this.inTransaction = false;
    this.journal?.discard();
    this.onRollback();
    for (const w of waiters) w.reject(err);
  }

  private commit(): void {
    if (!this.open) return; // flushed already (close), or abandoned
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    if (!this.inTransaction) {
      if (this.committer) this.ship(waiters);
      // No transaction could begin (its writes were refused): only reads joined, and they read committed data.
      else for (const w of waiters) w.resolve(w.result);
      return;
    }
    this.inTransaction = false;
    try {
      this.journal?.beforeCommit();
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // The transaction may already be gone; nothing more to undo.
      }
      this.journal?.discard();
      this.onRollback();
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve(w.result);
  }

  /** Closes a log-only group: its batch goes to the commit thread; its waiters are answered once it is committed. */
  private ship(waiters: Waiter[]): void {
    let batch: LogBatch | undefined;
    try {
      batch = this.journal?.ship();
    } catch (err) {
      this.journal?.discard();
      this.onRollback();
      for (const w of waiters) w.reject(err);
      return;
    }
    const last = this.inFlight[this.inFlight.length - 1];
    if (!batch) {
      // Nothing to write (a receive that found nothing): answered once what came before it is committed.
      if (last) last.waiters.push(...waiters);
      else for (const w of waiters) w.resolve(w.result);
      return;
    }
    this.inFlight.push({ n: this.committer!.ship(batch), batch, waiters });
  }

  private committed(upTo: number): void {
    while (this.inFlight.length && this.inFlight[0]!.n <= upTo) {
      const g = this.inFlight.shift()!;
      this.journal?.committed(g.batch);
      for (const w of g.waiters) w.resolve(w.result);
    }
  }

  /**
   * Ends the pipeline for good (the thread failed, or another connection wrote the file): lets the thread settle what
   * it can, forgets every state derived from the file, and runs the writes and reads it did not commit again, in
   * order, as transaction groups on this thread. Nobody has been answered for them, and each runs against the file's
   * state as it now is.
   */
  private endPipeline(): void {
    const committer = this.committer;
    if (!committer || this.ending) return;
    this.ending = true;
    try {
      committer.drain(); // reports settle first: what did commit is answered as committed
    } finally {
      this.ending = false;
    }
    this.committer = undefined;
    void committer.stop();
    // A thread that ended unasked may have committed batches it never reported. Commits are in order, so the
    // batches up to the last one whose row is in the table were committed (a batch with no row of its own, or whose
    // row a later batch freed, counts as committed only when a later row shows it); the rest run again.
    if (this.failure === 'died') {
      let last = -1;
      this.inFlight.forEach((g, i) => {
        if (this.journal?.inTable(g.batch)) last = i;
      });
      if (last >= 0) this.committed(this.inFlight[last]!.n);
    }
    const again: Waiter[] = [];
    for (const g of this.inFlight) again.push(...g.waiters);
    this.inFlight = [];
    if (this.open && !this.inTransaction) {
      again.push(...this.waiters);
      this.waiters = [];
      this.open = false;
    }
    this.journal?.lost();
    if (!this.inTransaction) this.journal?.discard();
    this.pipeline!.ended();
    for (const w of again) {
      const p: Promise<unknown> = w.kind === 'read' ? this.read(w.run) : this.write(w.run);
      p.then(w.resolve, w.reject);
    }
  }
}
