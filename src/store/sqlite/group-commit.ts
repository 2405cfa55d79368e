import type { Database } from 'better-sqlite3';

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
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. Every write that arrives in the same turn of the event loop runs inside one SQLite transaction,
 * each in its own savepoint (so a failing operation rolls back alone); the transaction commits once, on
 * `setImmediate`, and only then are the operations' promises settled — a request is answered after its data is
 * committed, but many requests share one commit's cost (WAL page writes, and the fsync in `full` durability).
 *
 * Reads join the open group when there is one, so that nobody is answered with data that is not yet committed.
 */
export class GroupCommit {
  private open = false;
  private waiters: Waiter[] = [];
  private journal: GroupJournal | undefined;

  /**
   * `onRollback` runs when a group fails to commit, or one write of it fails (its savepoint rolls back), so callers
   * can drop state derived from those writes. `onBegin`
   * runs once the group holds the write lock, before its first write: the moment to check whether another
   * connection changed the file since this one last looked.
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

  /** Runs `fn` (a better-sqlite3 transaction function: a savepoint inside the group) and settles after commit. */
  write<T>(fn: () => T): Promise<T> {
    if (!this.open) {
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
      setImmediate(() => this.commit());
      this.onBegin();
    }
    let result: T;
    const mark = this.journal?.mark() ?? 0;
    try {
      result = fn();
    } catch (err) {
      this.journal?.rollbackTo(mark);
      // Some failures (disk full, I/O errors) make SQLite roll back the whole transaction, not just the savepoint:
      // then nothing of this group will commit, and its waiters must hear so now — before a later write of the
      // same turn runs outside any transaction and commits on its own.
      if (!this.db.inTransaction) this.abandon(err);
      // Otherwise only this write's savepoint rolled back; state derived from it must go all the same.
      else this.onRollback();
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ resolve: () => resolve(result), reject });
    });
  }

  /** Runs a read at once; if a group is open, answers only after it commits. */
  read<T>(fn: () => T): Promise<T> {
    let result: T;
    try {
      result = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.open) return Promise.resolve(result);
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ resolve: () => resolve(result), reject });
    });
  }

  /** Commits the open group now (before closing the database). */
  flush(): void {
    if (this.open) this.commit();
  }

  /** The open transaction is gone: everyone waiting on it is told it failed; the next write starts a new group. */
  private abandon(err: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
    this.journal?.discard();
    this.onRollback();
    for (const w of waiters) w.reject(err);
  }

  private commit(): void {
    if (!this.open) return; // flushed already (close), or abandoned
    const waiters = this.waiters;
    this.waiters = [];
    this.open = false;
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
    for (const w of waiters) w.resolve();
  }
}
