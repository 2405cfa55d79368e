import type { Clock } from '../core/clock.js';

/**
 * Long polls waiting on a queue, in memory. A send (or anything else that makes a message visible) calls `notify`;
 * waiters also wake at their own deadline or at the next moment a message becomes visible, so nothing polls on a
 * timer per message. Each queue keeps a version number so a receive that found nothing can tell whether a send
 * slipped in before it started waiting.
 */
export class ReceiveWaiters {
  private readonly waiting = new Map<number, Set<() => void>>();
  private readonly versions = new Map<number, number>();
  private closing = false;

  constructor(private readonly clock: Clock) {}

  version(queueId: number): number {
    return this.versions.get(queueId) ?? 0;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  notify(queueId: number): void {
    this.versions.set(queueId, this.version(queueId) + 1);
    const set = this.waiting.get(queueId);
    if (!set) return;
    this.waiting.delete(queueId);
    for (const wake of set) wake();
  }

  /** Wakes every waiting long poll (another node may have sent to any queue while our notifications lapsed). */
  notifyAll(): void {
    for (const queueId of [...this.waiting.keys()]) this.notify(queueId);
  }

  /** Resolves when the queue is notified after `sinceVersion`, after `ms`, or when the server shuts down. */
  wait(queueId: number, sinceVersion: number, ms: number): Promise<void> {
    if (this.closing || this.version(queueId) !== sinceVersion || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiting.get(queueId);
      if (!set) this.waiting.set(queueId, (set = new Set()));
      const wake = () => {
        cancel();
        set!.delete(wake);
        resolve();
      };
      const cancel = this.clock.setTimer(ms, wake);
      set.add(wake);
    });
  }

  /** Shutting down: every waiting long poll answers (empty) now, and new ones do not wait. */
  closeAll(): void {
    this.closing = true;
    for (const set of this.waiting.values()) for (const wake of set) wake();
    this.waiting.clear();
  }
}
