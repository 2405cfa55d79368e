/**
 * The body of the log commit thread (see log-committer.ts): its own connection to the database file, committing the
 * message log's batches in the order the main thread shipped them. Batches that arrive while a commit is running are
 * committed together in the next transaction (they are already in order), so under load one COMMIT carries several
 * event-loop turns' worth of messages.
 *
 * Each transaction first checks that the last writer of the file was this store (the `writer` token the main
 * thread claimed at open): if another connection committed in between, the batches were computed from a state
 * that is no longer the file's, so they are not committed and the main thread takes over (see group-commit.ts).
 * After any failure the thread commits nothing more; the main thread stops it.
 */
import Database from 'better-sqlite3';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { LogBatch } from './log-batch.js';

export interface LogCommitWorkerData {
  path: string;
  durability: 'normal' | 'full';
  /** The connection's automatic checkpoint threshold, in pages (high when the checkpoint thread runs). */
  autocheckpointPages: number;
  /** This store's writer token (message_ids.writer). */
  writer: string;
  /** One word, changed with every report (the last batch number it covers): the main thread's drain waits on it. */
  shared: SharedArrayBuffer;
  /** Shared memory the main thread writes batches' records into (UTF-8), until they are reported committed. */
  ring: SharedArrayBuffer;
  port: MessagePort;
}

/** What the thread reports: batches up to `upTo` committed, or batches from `failed` on not committed. */
export type LogCommitReport = { upTo: number } | { failed: number; message: string; foreign: boolean };

/** A batch as posted: its records either in the message or at `at` in the ring (`bytes` long). */
export interface ShippedBatch extends LogBatch {
  n: number;
  at?: number;
  bytes?: number;
}

const { path, durability, autocheckpointPages, writer, shared, ring, port } = workerData as LogCommitWorkerData;
const ringBuffer = Buffer.from(ring);
const settled = new Int32Array(shared);
const db = new Database(path);
db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
db.pragma('busy_timeout = 5000');
db.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
const s = {
  writer: db.prepare('SELECT writer FROM message_ids').pluck(),
  insert: db.prepare('INSERT INTO message_log (seq, records) VALUES (?, ?)'),
  deleteBefore: db.prepare('DELETE FROM message_log WHERE seq < ?'),
  reserve: db.prepare('UPDATE message_ids SET next_id = max(next_id, ?)'),
};
let failed = false;

class ForeignWriter extends Error {}

function commit(batches: ShippedBatch[]): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const last = s.writer.get() as string;
    if (last !== writer) throw new ForeignWriter(`another connection wrote to ${path} (writer ${last || 'unknown'})`);
    for (const b of batches) {
      if (b.at !== undefined) s.insert.run(b.seq, ringBuffer.toString('utf8', b.at, b.at + b.bytes!));
      else if (b.records !== undefined) s.insert.run(b.seq, b.records);
      if (b.reserve !== undefined) s.reserve.run(b.reserve);
      if (b.deleteBefore !== undefined) s.deleteBefore.run(b.deleteBefore);
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function report(r: LogCommitReport, n: number): void {
  // The report first, then the word: a main thread blocked in drain() wakes on the word and reads the report off
  // the port. (The word wraps after 2^31 batches; the main thread only looks for a change.)
  port.postMessage(r);
  Atomics.store(settled, 0, n);
  Atomics.notify(settled, 0);
}

port.on('message', (first: ShippedBatch) => {
  if (failed) return;
  const batches = [first];
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) batches.push(next.message as ShippedBatch);
  const lastN = batches[batches.length - 1]!.n;
  try {
    commit(batches);
    report({ upTo: lastN }, lastN);
  } catch (err) {
    failed = true;
    report({ failed: first.n, message: err instanceof Error ? err.message : String(err), foreign: err instanceof ForeignWriter }, lastN);
  }
});
