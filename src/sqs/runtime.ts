import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/contract.js';
import type { ReceiveWaiters } from './receive-waiters.js';

export interface SqsOptions {
  /**
   * Enforce AWS's 60-second waits: PurgeQueue at most once a minute per queue (PurgeQueueInProgress), and no
   * re-creating a deleted queue's name for a minute (QueueDeletedRecently). Off by default, as in LocalStack,
   * because test suites purge and re-create queues constantly.
   */
  strictDelays: boolean;
}

/** Everything the SQS actions share: the store, time, waiting long polls, and a little in-memory bookkeeping. */
export interface SqsRuntime {
  readonly store: Store;
  readonly clock: Clock;
  readonly waiters: ReceiveWaiters;
  readonly logger: Logger;
  readonly options: SqsOptions;
  /** account/region/name → when it was deleted, for QueueDeletedRecently. */
  readonly deletedAt: Map<string, number>;
  /** queue id → when it was last purged, for PurgeQueueInProgress. */
  readonly purgedAt: Map<number, number>;
  /** Wakes the background work that redrives dead-letter queues. */
  readonly kickMoveTasks: () => void;
}
