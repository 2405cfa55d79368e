import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/contract.js';
import type { DeliveryLog } from '../store/delivery-log-contract.js';
import type { SnsStore } from '../store/sns-contract.js';
import type { HttpDeliveries } from './delivery/http-deliveries.js';
import type { Signer } from './signing.js';
import type { TopicSubscriptions } from './topic-subscriptions.js';

/** Everything the SNS actions share. SNS knows the queue engine only through the store and `notifyQueue`. */
export interface SnsRuntime {
  readonly store: SnsStore;
  /** The queues SNS delivers into (same engine, so a publish and its deliveries commit together). */
  readonly queues: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Wakes the long polls of a queue that a publish delivered into. */
  readonly notifyQueue: (queueId: number) => void;
  /** Subscriptions and compiled filter policies per topic, kept in memory between changes. */
  readonly subscriptions: TopicSubscriptions;
  readonly signer: Signer;
  /** Deliveries to HTTP/S endpoints: the durable worker and its internal queue. */
  readonly http: HttpDeliveries;
  /** Where deliveries Postbox must not make (SMS, mobile push, one-time codes) are recorded instead. */
  readonly deliveries: DeliveryLog;
}
