import type { Logger } from 'pino';
import type { Clock } from './core/clock.js';
import type { ServiceHandler } from './core/service.js';
import { BusRoutes } from './events/bus-routes.js';
import { EventsDelivery } from './events/delivery/deliveries.js';
import { ReplayRunner } from './events/replay-runner.js';
import type { EventsRuntime } from './events/runtime.js';
import { RuleScheduler } from './events/schedule/scheduler.js';
import { eventsService } from './events/service.js';
import type { WireResponse } from './protocol/wire.js';
import type { IncomingCall } from './server/dispatch.js';
import { HttpDeliveries } from './sns/delivery/http-deliveries.js';
import type { SnsRuntime } from './sns/runtime.js';
import { snsService } from './sns/service.js';
import { Signer } from './sns/signing.js';
import { serveSmsControl, SMS_CONTROL_PREFIX } from './sns/sms-control-endpoint.js';
import { TopicSubscriptions } from './sns/topic-subscriptions.js';
import type { PostgresStore } from './store/postgres/engine.js';
import { SqliteStore } from './store/sqlite/engine.js';

export interface SnsAndEventsOptions {
  store: SqliteStore | PostgresStore;
  clock: Clock;
  logger: Logger;
  region: string;
  accountId: string;
  notifyQueue: (queueId: number) => void;
  /** host:port clients reach this server at, for URLs in deliveries no request carries (scheduled rules). */
  endpointHost: () => string;
  /** Uniform random numbers in [0, 1) for the jitter of SNS and EventBridge retries (default Math.random). */
  random?: () => number;
}

/** SNS and EventBridge over the queue engine's store: their services, background workers and plain HTTP paths. */
export interface SnsAndEvents {
  readonly sns: ServiceHandler;
  readonly events: ServiceHandler;
  /**
   * Answers the plain requests under `/_postbox/sns/`: the SMS controls, and GETs of the signing certificate
   * (SigningCertURL). Undefined: not one of those; the AWS endpoint answers it.
   */
  serveSnsPath(call: IncomingCall): Promise<WireResponse | undefined>;
  /** Starts the background work: HTTP deliveries, EventBridge deliveries, schedules and unfinished replays. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds SNS and EventBridge. Kept apart from the composition root so that their code (most of Postbox's modules)
 * can load after the server listens: see app.ts.
 */
export function buildSnsAndEvents(o: SnsAndEventsOptions): SnsAndEvents {
  const { store, clock, logger, region } = o;
  // SNS shares the queue engine's database, so a publish and its deliveries into queues commit together — on
  // either engine. On PostgreSQL every node runs the HTTP delivery worker (its internal queue hands each job to one
  // node), and a node's cached subscriptions follow changes made on the others (see PostgresSnsStore).
  const snsStore = store.snsStore();
  const subscriptions = new TopicSubscriptions(snsStore, logger);
  if (!(store instanceof SqliteStore)) store.snsStore().onSubscriptionsChanged((topicArn) => subscriptions.invalidate(topicArn));
  const snsRt: SnsRuntime = {
    store: snsStore,
    queues: store,
    clock,
    logger,
    notifyQueue: o.notifyQueue,
    subscriptions,
    signer: new Signer(snsStore, clock),
    http: new HttpDeliveries({
      queues: store,
      sns: snsStore,
      clock,
      logger,
      region,
      notifyQueue: o.notifyQueue,
      ...(o.random ? { random: o.random } : {}),
    }),
    deliveries: store.deliveryLog(),
  };
  const sns = snsService(snsRt);

  // EventBridge runs on both engines: its deliveries into queues commit in one transaction with the engine's own
  // writes. Targets other than SQS queues are delivery jobs (EventsDelivery) and scheduled rules fire from the
  // scheduler. On PostgreSQL several nodes share the rules: routing checks a per-bus version (BusRoutes), schedules
  // are claimed by compare-and-set, and replays run under a lease, so each happens once across the nodes.
  const pgEvents = store instanceof SqliteStore ? undefined : store.eventsStore();
  const eventsStore = pgEvents ?? (store as SqliteStore).eventsStore();
  const delivery = new EventsDelivery({
    queues: store,
    clock,
    logger,
    region,
    runtime: () => eventsRt,
    deliveryLog: store.deliveryLog(),
    sns: snsRt,
    ...(o.random ? { random: o.random } : {}),
  });
  let scheduler: RuleScheduler | undefined;
  const eventsRt: EventsRuntime = {
    store: eventsStore,
    queues: store,
    clock,
    logger,
    notifyQueue: o.notifyQueue,
    routes: new BusRoutes(eventsStore, logger, pgEvents && ((busArn) => pgEvents.routesVersion(busArn))),
    delivery,
    scheduleChanged: () => scheduler?.kick(),
  };
  scheduler = new RuleScheduler(eventsRt, o.endpointHost);
  const replays = new ReplayRunner(eventsRt, pgEvents);
  eventsRt.replays = replays;
  const events = eventsService(eventsRt);

  return {
    sns,
    events,
    async serveSnsPath(call) {
      if (call.path.startsWith(SMS_CONTROL_PREFIX)) return serveSmsControl(snsRt, call, { accountId: o.accountId, region });
      if (call.method !== 'GET') return undefined;
      const pem = await snsRt.signer.certificateAt(call.path);
      if (pem) return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: pem };
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
    },
    async start() {
      snsRt.http.start();
      await replays.start();
      delivery.start();
      scheduler!.start();
    },
    async stop() {
      await snsRt.http.stop();
      await scheduler!.stop();
      await delivery.stop();
      await replays.stop();
    },
  };
}
