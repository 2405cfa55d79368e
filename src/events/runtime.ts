import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/contract.js';
import type { EventsStore } from '../store/events-contract.js';
import type { BusRoutes } from './bus-routes.js';
import type { EventsDelivery } from './delivery/deliveries.js';
import type { ReplayRunner } from './replay-runner.js';

/** Everything the EventBridge actions share. EventBridge knows the queue engine only through the store and `notifyQueue`. */
export interface EventsRuntime {
  readonly store: EventsStore;
  /** The queues that rule targets deliver into (same engine: a PutEvents call's deliveries commit with `store`). */
  readonly queues: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Wakes the long polls of a queue that a PutEvents call delivered into. */
  readonly notifyQueue: (queueId: number) => void;
  /** Each bus's enabled rules and archives compiled into one index, kept in memory between rule changes. */
  readonly routes: BusRoutes;
  /** Delivery jobs for targets other than this Postbox's SQS queues, with retries and dead-letter queues. */
  readonly delivery: EventsDelivery;
  /** Tells the scheduler that a rule's schedule changed (PutRule, EnableRule, DisableRule, DeleteRule). */
  readonly scheduleChanged: () => void;
  /** Runs replays in the background; set once the runtime exists (the runner needs it). */
  replays?: ReplayRunner;
}
