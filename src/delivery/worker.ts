/**
 * A worker that drains one internal queue (see internal-queue.ts): each message is a job, handed to `attempt`,
 * which answers whether the job is done, when to try it again, or when to come back to it without having tried.
 *
 * Attempts run as a pool of `concurrency` at once, and a new job is taken as each one finishes: one slow endpoint
 * holds one slot, never the whole worker.
 *
 * Only real delivery attempts count. The job's first message is its first attempt; a retry re-queues the job as a
 * new message carrying the next attempt number and the original enqueue time, replacing the old message in one
 * transaction (`Store.requeue`). A deferral (`defer`: throttled, or cut short by a
 * shutdown) is a visibility change of the same message, and a job whose worker died mid-attempt comes back when its
 * visibility timeout passes — neither counts, so the message's receive count is not the attempt number.
 *
 * Runs on the injected clock: it sleeps until the queue's next job becomes visible (or `idlePollMs`, which also
 * picks up jobs that other nodes enqueue), and `kick()` wakes it at once after a local enqueue.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { QueueRecord, Store, StoredMessage } from '../store/contract.js';
import { retryMessage, type RetryEnvelope } from './internal-queue.js';

export type AttemptOutcome =
  /** Delivered, or given up on (after dead-lettering it): the job is deleted. */
  | { readonly kind: 'done' }
  /** Attempted and failed: try again at this time (milliseconds since the epoch), as the next attempt. */
  | { readonly kind: 'retry'; readonly at: number }
  /** Not attempted (throttled, or abandoned by a shutdown): come back at this time; the attempt number stays. */
  | { readonly kind: 'defer'; readonly at: number };

export interface JobContext {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** When the job was enqueued. */
  readonly enqueuedAt: number;
  readonly now: number;
}

export interface DeliveryWorkerOptions<J> {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Finds (or creates) the internal queue; called once, on start. */
  readonly queue: () => Promise<QueueRecord>;
  /**
   * Runs one attempt. A throw (a bug, or the store failing) leaves the job hidden until `attemptTimeoutMs` passes,
   * as if the node had died, and is not counted as an attempt: attempts should turn their own failures into
   * outcomes.
   */
  readonly attempt: (job: J, context: JobContext) => Promise<AttemptOutcome>;
  /**
   * How long a job stays hidden from other workers while an attempt runs. A node that dies mid-attempt releases its
   * jobs after this long; an attempt must finish well within it (HTTP deliveries have their own, shorter timeout).
   */
  readonly attemptTimeoutMs?: number;
  /** Jobs attempted at once. */
  readonly concurrency?: number;
  /** Longest sleep between looks at the queue while it seems empty. */
  readonly idlePollMs?: number;
}

export class DeliveryWorker<J> {
  private queueRecord: QueueRecord | undefined;
  private stopped = true;
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Wakes a drain waiting for a free slot or new work. */
  private wake: (() => void) | undefined;
  private readonly attemptTimeoutMs: number;
  private readonly concurrency: number;
  private readonly idlePollMs: number;

  constructor(private readonly o: DeliveryWorkerOptions<J>) {
    this.attemptTimeoutMs = o.attemptTimeoutMs ?? 60_000;
    this.concurrency = o.concurrency ?? 10;
    this.idlePollMs = o.idlePollMs ?? 1_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  /** Looks at the queue now (a job was just enqueued here). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      this.wake?.();
      return;
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.running = this.drain()
      .catch((err: unknown) => this.o.logger.error({ err }, 'delivery worker step failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          void this.sleep();
        }
      });
  }

  /**
   * Stops taking jobs and waits for the attempts in progress to finish (the attempt's owner abandons slow ones,
   * e.g. through an abort signal, so that this does not wait for them).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.wake?.();
    await this.running;
  }

  /**
   * Keeps up to `concurrency` attempts in flight, taking jobs as slots free up, until the queue has nothing visible
   * and every attempt has finished (or the worker stops, and the attempts in flight have finished).
   */
  private async drain(): Promise<void> {
    this.queueRecord ??= await this.o.queue();
    const inFlight = new Set<Promise<void>>();
    try {
      while (!this.stopped) {
        const free = this.concurrency - inFlight.size;
        let received = 0;
        if (free > 0) {
          this.again = false;
          const now = this.o.clock.now();
          const jobs = await this.o.store.receive(this.queueRecord, { max: free, visibilityTimeoutMs: this.attemptTimeoutMs, now });
          received = jobs.length;
          for (const job of jobs) {
            const running: Promise<void> = this.run(job)
              .catch((err: unknown) => this.o.logger.error({ err, messageId: job.messageId }, 'delivery job step failed'))
              .finally(() => {
                inFlight.delete(running);
                this.wake?.();
              });
            inFlight.add(running);
          }
        }
        if (this.stopped) break;
        if (received === free && free > 0) continue; // there may be more waiting
        if (inFlight.size === 0) {
          if (this.again) continue;
          return;
        }
        // Full, or the queue looked empty: wait until an attempt finishes or a kick says there is new work. A kick
        // while every slot is busy changes nothing until a slot frees: waiting then is what keeps this loop from
        // spinning without ever yielding.
        if (!this.again || inFlight.size >= this.concurrency) {
          const woken = new Promise<void>((resolve) => (this.wake = resolve));
          // Jobs deferred or retried into the future come due while attempts are still running: look then too.
          await this.armTimer(true);
          await woken;
        }
        this.wake = undefined;
      }
    } finally {
      await Promise.all(inFlight);
    }
  }

  private async run(message: StoredMessage): Promise<void> {
    const queue = this.queueRecord!;
    const token = message.receiptToken!;
    let job: J;
    let attempt = 1;
    let enqueuedAt = message.sentAt;
    try {
      const parsed = JSON.parse(message.body) as unknown;
      const retry = (parsed as Partial<RetryEnvelope<J>> | null)?.postboxRetry;
      if (retry && typeof retry === 'object') {
        job = (parsed as RetryEnvelope<J>).job;
        attempt = retry.attempt;
        enqueuedAt = retry.enqueuedAt;
      } else {
        job = parsed as J;
      }
    } catch (err) {
      this.o.logger.error({ err, messageId: message.messageId }, 'unreadable delivery job dropped');
      await this.o.store.deleteMessage(queue.id, message.rowId, token, this.o.clock.now());
      return;
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await this.o.attempt(job, { attempt, enqueuedAt, now: this.o.clock.now() });
    } catch (err) {
      // Left hidden: it comes back when its visibility timeout passes.
      this.o.logger.error({ err, messageId: message.messageId }, 'delivery attempt threw');
      return;
    }
    const now = this.o.clock.now();
    if (outcome.kind === 'done') {
      await this.o.store.deleteMessage(queue.id, message.rowId, token, now);
    } else if (outcome.kind === 'defer') {
      await this.o.store.changeVisibility(queue.id, message.rowId, token, Math.max(now, outcome.at), now);
    } else {
      // The next attempt replaces this message in one transaction: a crash leaves one or the other, never both.
      const next = retryMessage(job, attempt + 1, enqueuedAt, Math.max(now, outcome.at), now);
      const replaced = await this.o.store.requeue(queue, { rowId: message.rowId, token }, next);
      if (replaced !== 'ok') this.o.logger.warn({ messageId: message.messageId, outcome: replaced }, 'retried delivery job was already gone; not retried again');
    }
  }

  /** Sleeps until the next job is due, or `idlePollMs`, whichever comes first. */
  private sleep(): Promise<void> {
    return this.armTimer(false);
  }

  /** Sets the timer that kicks the worker when the next job is due, or after `idlePollMs`, whichever comes first. */
  private async armTimer(draining: boolean): Promise<void> {
    if (this.stopped || !this.queueRecord) return;
    const now = this.o.clock.now();
    let wait = this.idlePollMs;
    try {
      const next = await this.o.store.nextVisibleAt(this.queueRecord.id, now);
      if (next !== undefined) wait = Math.min(wait, Math.max(0, next - now));
    } catch (err) {
      this.o.logger.error({ err }, 'delivery worker could not read its queue');
    }
    if (this.stopped || (this.running && !draining)) return;
    this.cancelTimer?.();
    this.cancelTimer = this.o.clock.setTimer(wait, () => {
      this.cancelTimer = undefined;
      // After the current task: a ManualClock fires timers in the middle of `advance`, and the worker should read
      // the time `advance` moves to, as it would have with real time passing.
      queueMicrotask(() => this.kick());
    });
  }
}
