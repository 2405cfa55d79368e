/**
 * A worker that drains one internal queue (see internal-queue.ts): each message is a job, handed to `attempt`,
 * which answers whether the job is done or when to try it again. Retries are visibility changes — the job stays
 * the same message, its receive count is the attempt number and its sent time is when it was first enqueued — so
 * retry state is as durable as the queue and costs no extra writes.
 *
 * Runs on the injected clock: it sleeps until the queue's next job becomes visible (or `idlePollMs`, which also
 * picks up jobs that other nodes enqueue), and `kick()` wakes it at once after a local enqueue.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { QueueRecord, Store, StoredMessage } from '../store/contract.js';

export type AttemptOutcome =
  /** Delivered, or given up on (after dead-lettering it): the job is deleted. */
  | { readonly kind: 'done' }
  /** Try again at this time (milliseconds since the epoch). */
  | { readonly kind: 'retry'; readonly at: number };

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
  /** Runs one attempt. A throw counts as a failed attempt retried after `attemptTimeoutMs`. */
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

  /** Stops taking jobs and waits for the attempts in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.running;
  }

  /** Attempts every visible job, a batch at a time, until none is left. */
  private async drain(): Promise<void> {
    this.queueRecord ??= await this.o.queue();
    while (!this.stopped) {
      const now = this.o.clock.now();
      const jobs = await this.o.store.receive(this.queueRecord, {
        max: this.concurrency,
        visibilityTimeoutMs: this.attemptTimeoutMs,
        now,
      });
      if (jobs.length === 0) return;
      await Promise.all(jobs.map((job) => this.run(job)));
    }
  }

  private async run(message: StoredMessage): Promise<void> {
    const queue = this.queueRecord!;
    const token = message.receiptToken!;
    let job: J;
    try {
      job = JSON.parse(message.body) as J;
    } catch (err) {
      this.o.logger.error({ err, messageId: message.messageId }, 'unreadable delivery job dropped');
      await this.o.store.deleteMessage(queue.id, message.rowId, token, this.o.clock.now());
      return;
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await this.o.attempt(job, {
        attempt: message.receiveCount,
        enqueuedAt: message.sentAt,
        now: this.o.clock.now(),
      });
    } catch (err) {
      // Left hidden: it comes back when its visibility timeout passes.
      this.o.logger.error({ err, messageId: message.messageId }, 'delivery attempt threw');
      return;
    }
    const now = this.o.clock.now();
    if (outcome.kind === 'done') await this.o.store.deleteMessage(queue.id, message.rowId, token, now);
    else await this.o.store.changeVisibility(queue.id, message.rowId, token, Math.max(now, outcome.at), now);
  }

  /** Sleeps until the next job is due, or `idlePollMs`, whichever comes first. */
  private async sleep(): Promise<void> {
    if (this.stopped || !this.queueRecord) return;
    const now = this.o.clock.now();
    let wait = this.idlePollMs;
    try {
      const next = await this.o.store.nextVisibleAt(this.queueRecord.id, now);
      if (next !== undefined) wait = Math.min(wait, Math.max(0, next - now));
    } catch (err) {
      this.o.logger.error({ err }, 'delivery worker could not read its queue');
    }
    if (this.stopped || this.running) return;
    this.cancelTimer?.();
    this.cancelTimer = this.o.clock.setTimer(wait, () => {
      this.cancelTimer = undefined;
      // After the current task: a ManualClock fires timers in the middle of `advance`, and the worker should read
      // the time `advance` moves to, as it would have with real time passing.
      queueMicrotask(() => this.kick());
    });
  }
}
