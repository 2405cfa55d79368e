import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { LogBatch } from './log-batch.js';
import type { LogCommitReport, LogCommitWorkerData, ShippedBatch } from './log-commit-worker.js';

/**
 * Bytes of shared memory the records of batches in flight are written into (a batch that does not fit travels in its
 * message instead). Posting a 20 KB string copies it twice and cost ~5 % of the main thread's time under load;
 * encoding it into shared memory costs a tenth of that.
 */
const RING_BYTES = 8 * 1024 * 1024;

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
      /** Batches from `from` on were not committed, nor will any later one be: the thread has stopped committing. */
      failed(from: number, error: Error, foreign: boolean): void;
    },
  ) {
    const shared = new SharedArrayBuffer(8);
    this.settled = new Int32Array(shared);
    const ring = new SharedArrayBuffer(options.ringBytes ?? RING_BYTES);
    this.ring = new Uint8Array(ring);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const { path, durability, autocheckpointPages, writer } = options;
    const data: LogCommitWorkerData = { path, durability, autocheckpointPages, writer, shared, ring, port: port2 };
    this.worker = new Worker(new URL('./log-commit-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
    // Only the port keeps the process alive, and only while batches are in flight (see ship and the handler).
    this.worker.unref();
    this.port.unref();
    this.port.on('message', (r: LogCommitReport) => this.handle(r));
    const died = (err?: unknown): void => {
      if (this.failed || this.handled >= this.shipped) {
        this.failed = true;
        return;
      }
      this.fail(this.handled + 1, err instanceof Error ? err : new Error('the log commit thread stopped'), false);
    };
    this.worker.on('error', died);
    this.worker.on('exit', () => died());
  }

  /** Whether the thread can take batches (false once one failed or the thread died). */
  get usable(): boolean {
    return !this.failed;
  }

  /** Sends a batch to be committed after every batch before it; returns its number. */
  ship(batch: LogBatch): number {
    const n = ++this.shipped;
    const message: ShippedBatch = { n };
    if (batch.seq !== undefined) message.seq = batch.seq;
    if (batch.reserve !== undefined) message.reserve = batch.reserve;
    if (batch.deleteBefore !== undefined) message.deleteBefore = batch.deleteBefore;
    if (batch.records !== undefined && !this.intoRing(batch.records, message)) message.records = batch.records;
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
   * before this returns). A thread that does not answer within `timeoutMs` counts as failed.
   */
  drain(timeoutMs = 30_000): void {
    const deadline = Date.now() + timeoutMs;
    while (this.pending) {
      const seen = Atomics.load(this.settled, 0);
      if (seen < this.shipped && Atomics.load(this.settled, 1) === 0) {
        const left = deadline - Date.now();
        if (left <= 0 || Atomics.wait(this.settled, 0, seen, left) === 'timed-out') {
          this.fail(this.handled + 1, new Error(`the log commit thread did not answer within ${timeoutMs} ms`), false);
          return;
        }
      }
      // A report that ends the pipeline closes the port: read no further.
      while (!this.failed) {
        const m = receiveMessageOnPort(this.port);
        if (!m) break;
        this.handle(m.message as LogCommitReport);
      }
    }
  }

  /** Stops the thread (after drain(), or after a failure: it commits nothing more either way). */
  async stop(): Promise<void> {
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
    const err = new Error(r.message);
    if (r.foreign) (err as Error & { code?: string }).code = 'SQLITE_FOREIGN_WRITER';
    this.fail(r.failed, err, r.foreign);
  }

  private fail(from: number, error: Error, foreign: boolean): void {
    if (this.failed) return;
    this.failed = true;
    this.handled = this.shipped;
    this.release();
    this.handlers.failed(from, error, foreign);
  }

  private release(): void {
    if (!this.referenced) return;
    this.port.unref();
    this.referenced = false;
  }
}
