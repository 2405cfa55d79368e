import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { LogBatch } from './log-batch.js';
import type { LogCommitReport, LogCommitWorkerData, ShippedBatch } from './log-commit-worker.js';

/**
 * Bytes of shared memory the records of batches in flight are written into (a batch that does not fit travels in its
 * message instead). Posting a 20 KB string copies it twice and cost ~5 % of the main thread's time under load;
 * encoding it into shared memory costs a tenth of that.
 */
const RING_BYTES = 8 * 1024 * 1024;

/** Why the commit thread stopped: a commit failed, another connection wrote the file, or the thread itself ended. */
export type LogCommitFailure = 'failed' | 'foreign' | 'died';

/**
 * Commits the message log's batches on a thread of its own (log-commit-worker.ts), so that the thread serving
 * requests does not spend its time in `BEGIN`, the log row's `INSERT` and `COMMIT` (a fifth of its CPU under the
 * benchmark's load; docs/performance.md). The main thread ships each commit group's batch and answers the group's
 * requests when the thread reports it committed; meanwhile it goes on serving the next groups, whose batches queue
 * behind it, so commits are pipelined but never reordered.
 *
 * `drain()` blocks until every shipped batch is settled: the main thread calls it before it writes through its own
 * connection (nothing may commit before the batches shipped earlier), and when it closes.
 */
export class LogCommitter {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly settled: Int32Array;
  /** The number of the last batch shipped; batches are numbered from 1. */
  private shipped = 0;
  /** The number of the last batch whose report has been handled. */
  private handled = 0;
  private failed = false;
  private stopping = false;
  private referenced = false;
  private readonly ring: Uint8Array;
  private readonly encoder = new TextEncoder();
  /** Bytes ever written into the ring, and the end of the last batch reported committed (the ring is free up to it). */
  private written = 0;
  private freedTo = 0;
  /** Where in the ring each batch in flight ends, in order. */
  private readonly ends: { n: number; end: number }[] = [];

  constructor(
    options: {
      path: string;
      durability: 'normal' | 'full';
      autocheckpointPages: number;
      writer: string;
      /** Size of the shared ring for records (tests make it small). */
      ringBytes?: number;
    },
    private readonly handlers: {
      /** Every batch up to `upTo` is committed. */
      committed(upTo: number): void;
      /**
       * The thread commits nothing more. `failed`, `foreign`: it rolled back batch `from` (with everything queued
       * behind it), and committed everything before. `died`: it ended unasked, and batches from `from` on may or
       * may not have been committed before it did.
       */
      failed(from: number, error: Error, kind: LogCommitFailure): void;
    },
  ) {
    const shared = new SharedArrayBuffer(4);
    this.settled = new Int32Array(shared);
    const ring = new SharedArrayBuffer(options.ringBytes ?? RING_BYTES);
    this.ring = new Uint8Array(ring);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const { path, durability, autocheckpointPages, writer } = options;
    const data: LogCommitWorkerData = { path, durability, autocheckpointPages, writer, shared, ring, port: port2 };
    // No inherited Node options: the thread runs one plain module, and options made for the main script (such as
    // `--input-type` with `--eval`) can keep it from starting at all.
    this.worker = new Worker(new URL('./log-commit-worker.js', import.meta.url), { workerData: data, transferList: [port2], execArgv: [] });
    this.port.on('message', (r: LogCommitReport) => this.handle(r));
    // Only the port keeps the process alive, and only while batches are in flight (see ship and release). Attaching
    // the listener refs the port, so the unref comes after it.
    this.worker.unref();
    this.port.unref();
    // A thread that ends unasked (it could not open the file, or crashed) fails whatever is in flight, and tells the
    // owner even when nothing is: nothing shipped later could ever be committed.
    const died = (err?: unknown): void => {
      if (this.stopping) return;
      this.fail(this.handled + 1, err instanceof Error ? err : new Error('the log commit thread stopped'), 'died');
    };
    this.worker.on('error', died);
    this.worker.on('exit', () => died());
  }

  /** Whether the thread can take batches (false once one failed or the thread died). */
  get usable(): boolean {
    return !this.failed;
  }

  /** How many batches went through the shared ring (how many of them after skipping its end), and how many in their message (tests look). */
  readonly stats = { inRing: 0, inMessage: 0, wrapped: 0 };

  /** Sends a batch to be committed after every batch before it; returns its number. */
  ship(batch: LogBatch): number {
    if (this.failed) throw new Error('the log commit thread has stopped');
    const n = ++this.shipped;
    const { records, ...rest } = batch;
    const message: ShippedBatch = { ...rest, n };
    if (records !== undefined) {
      if (this.intoRing(records, message)) this.stats.inRing++;
      else {
        message.records = records;
        this.stats.inMessage++;
      }
    }
    this.port.postMessage(message);
    if (!this.referenced) {
      this.port.ref();
      this.referenced = true;
    }
    return n;
  }

  /** Whether shipped batches wait for their report. */
  get pending(): boolean {
    return this.handled < this.shipped && !this.failed;
  }

  /**
   * Blocks the calling thread until every shipped batch is settled, and handles the reports (the handlers run
   * before this returns). A thread that does not answer within `timeoutMs` makes this throw: the batches stay in
   * flight (the thread may yet commit them), and a later drain waits for them again.
   */
  drain(timeoutMs = 30_000): void {
    const deadline = Date.now() + timeoutMs;
    while (this.pending) {
      // The shared word changes with every report the thread posts (it is posted first, then the word is stored), so:
      // note the word, read the reports there are, and sleep only if the word has not changed since it was noted.
      // (Compared for change only: batch numbers outgrow 32 bits after a few days of load.)
      const word = Atomics.load(this.settled, 0);
      // A report that ends the pipeline closes the port: read no further.
      while (!this.failed) {
        const m = receiveMessageOnPort(this.port);
        if (!m) break;
        this.handle(m.message as LogCommitReport);
      }
      if (!this.pending) return;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.settled, 0, word, left) === 'timed-out') {
        throw new Error(`the log commit thread did not report within ${timeoutMs} ms`);
      }
    }
  }

  /** Stops the thread (after drain(), or after a failure: it commits nothing more either way). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.failed = true;
    this.port.close();
    await this.worker.terminate();
  }

  /**
   * Encodes the records into free ring space: at the write position, or, when the stretch up to the ring's end is too
   * short, from the ring's start (skipping that stretch). False when neither has room.
   */
  private intoRing(records: string, message: ShippedBatch): boolean {
    const size = this.ring.length;
    const free = size - (this.written - this.freedTo);
    const at = this.written % size;
    const toEnd = size - at;
    if (free <= 0) return false;
    if (this.encodeAt(records, message, at, Math.min(toEnd, free), 0)) return true;
    // The free space is one stretch from `at` on (it ends before the ring does), or it continues from the start.
    return free > toEnd && this.encodeAt(records, message, 0, free - toEnd, toEnd);
  }

  private encodeAt(records: string, message: ShippedBatch, at: number, room: number, skipped: number): boolean {
    const { read, written } = this.encoder.encodeInto(records, this.ring.subarray(at, at + room));
    if (read !== records.length) return false;
    message.at = at;
    message.bytes = written;
    this.written += skipped + written;
    if (skipped) this.stats.wrapped++;
    this.ends.push({ n: message.n, end: this.written });
    return true;
  }

  private handle(r: LogCommitReport): void {
    if (this.failed) return;
    if ('upTo' in r) {
      while (this.ends.length && this.ends[0]!.n <= r.upTo) this.freedTo = this.ends.shift()!.end;
      this.handled = r.upTo;
      if (this.handled >= this.shipped) this.release();
      this.handlers.committed(r.upTo);
      return;
    }
    this.fail(r.failed, new Error(r.message), r.foreign ? 'foreign' : 'failed');
  }

  private fail(from: number, error: Error, kind: LogCommitFailure): void {
    if (this.failed) return;
    this.failed = true;
    this.handled = this.shipped;
    this.release();
    this.handlers.failed(from, error, kind);
  }

  private release(): void {
    if (!this.referenced) return;
    this.port.unref();
    this.referenced = false;
  }
}
