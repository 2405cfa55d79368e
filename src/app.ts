import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from './core/clock.js';
import { applyConfig } from './config/apply.js';
import { checkConfig, loadConfigFile, type PostboxConfigFile } from './config/file.js';
import { Dispatcher, type IncomingCall } from './server/dispatch.js';
import type { WireResponse } from './protocol/wire.js';
import { startHttpServer } from './server/http-server.js';
import { BusRoutes } from './events/bus-routes.js';
import { ReplayRunner } from './events/replay-runner.js';
import type { EventsRuntime } from './events/runtime.js';
import { eventsService } from './events/service.js';
import { EventsDelivery } from './events/delivery/deliveries.js';
import { RuleScheduler } from './events/schedule/scheduler.js';
import { SQS_BACKGROUND_ROLE, SqsBackground } from './sqs/background.js';
import { ReceiveWaiters } from './sqs/receive-waiters.js';
import type { SqsRuntime } from './sqs/runtime.js';
import { sqsService } from './sqs/service.js';
import type { SnsRuntime } from './sns/runtime.js';
import { HttpDeliveries } from './sns/delivery/http-deliveries.js';
import { snsService } from './sns/service.js';
import { Signer } from './sns/signing.js';
import { serveSmsControl, SMS_CONTROL_PREFIX } from './sns/sms-control-endpoint.js';
import { TopicSubscriptions } from './sns/topic-subscriptions.js';
import type { Store } from './store/contract.js';
import type { DeliveryLog } from './store/delivery-log-contract.js';
import { DELIVERIES_PATH, serveDeliveryLog } from './server/delivery-log-endpoint.js';
import { SoleLeadership, type Leadership } from './store/leadership.js';
import type { PostgresStore } from './store/postgres/engine.js';
import { SqliteStore } from './store/sqlite/engine.js';
import { stsService } from './sts/service.js';
import { VERSION } from './version.js';

export interface PostboxOptions {
  /** TCP port; 0 picks a free one. Default 4566. */
  port?: number;
  /** Interface to listen on. Default: every interface (IPv6 and IPv4). */
  host?: string;
  /** Directory of the SQLite file. Default `./.postbox`. */
  dataDir?: string;
  /** Keep everything in memory (nothing survives a stop). */
  memory?: boolean;
  /**
   * `postgres://user@host/db` to keep everything in PostgreSQL, shared by several Postbox nodes.
   * Default: the embedded SQLite file under `dataDir`.
   */
  storage?: string;
  /** `normal` survives a killed process; `full` also fsyncs every commit to survive power loss. */
  durability?: 'normal' | 'full';
  /** Default account for requests whose access key id is not 12 digits. Default 000000000000. */
  accountId?: string;
  /** Region for requests that carry none. Default us-east-1. */
  region?: string;
  /** Resources to create at start: a path to a JSON/YAML file, or the same content as an object. */
  config?: string | PostboxConfigFile;
  /** pino level: fatal, error, warn, info, debug, trace, silent. Default info. */
  logLevel?: string;
  /** Enforce AWS's 60-second PurgeQueue and queue re-creation waits. Default false. */
  strictDelays?: boolean;
  /** Time source; tests pass a ManualClock. */
  clock?: Clock;
  /** Uniform random numbers in [0, 1) for the jitter of SNS delivery retries. Default Math.random; tests fix it. */
  random?: () => number;
}

export interface Postbox {
  /** Where clients point: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  readonly store: Store;
  readonly clock: Clock;
  /** Stops accepting, answers requests in flight (long polls empty), stops background work, closes the store. */
  stop(): Promise<void>;
}

/** Starts a Postbox server: the composition root where store, services and HTTP meet. */
export async function startPostbox(options: PostboxOptions = {}): Promise<Postbox> {
  const started = performance.now();
  const logger: Logger = pino({ level: options.logLevel ?? 'info', base: undefined });
  const clock = options.clock ?? systemClock;
  const accountId = options.accountId ?? '000000000000';
  const region = options.region ?? 'us-east-1';
  if (!/^\d{12}$/.test(accountId)) throw new Error(`account id must be 12 digits, got "${accountId}"`);

  const waiters = new ReceiveWaiters(clock);
  /** host:port clients reach this server at, for URLs in deliveries no request carries (scheduled rules). */
  let endpointHost = `127.0.0.1:${options.port ?? 4566}`;
  let store: SqliteStore | PostgresStore;
  // Background work runs on one node at a time: the leader (SQLite: this process, always).
  let leadership: Leadership = new SoleLeadership();
  if (options.storage && /^postgres(ql)?:\/\//.test(options.storage)) {
    // `?schema=name` picks the schema (default `postbox`), so several Postbox deployments can share a database.
    const url = new URL(options.storage);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    // Loaded only when asked for: the PostgreSQL driver costs tens of milliseconds of start-up.
    const { PostgresStore } = await import('./store/postgres/engine.js');
    const pg = await PostgresStore.open({
      connectionString: url.toString(),
      ...(schema ? { schema } : {}),
      onError: (err) => logger.debug({ err }, 'database connection'),
      onReadinessChange: (r) => (r.ready ? logger.info('database reachable again: ready') : logger.warn({ reason: r.reason }, 'database unreachable: not ready')),
    });
    // Several nodes share the database: a send on any node wakes the long polls waiting here.
    pg.onMessagesAvailable((queueId) => (queueId === undefined ? waiters.notifyAll() : waiters.notify(queueId)));
    await pg.listening();
    leadership = pg.leadership({ onError: (err) => logger.debug({ err }, 'leadership connection') });
    store = pg;
  } else {
    let storagePath = ':memory:';
    if (!options.memory) {
      const dir = resolve(options.dataDir ?? '.postbox');
      mkdirSync(dir, { recursive: true });
      storagePath = join(dir, 'postbox.db');
    }
    store = new SqliteStore({ path: storagePath, durability: options.durability ?? 'normal' });
  }

  let background: SqsBackground | undefined;
  const rt: SqsRuntime = {
    store,
    clock,
    waiters,
    logger,
    options: { strictDelays: options.strictDelays ?? false },
    deletedAt: new Map(),
    purgedAt: new Map(),
    kickMoveTasks: () => background?.kick(),
  };
  const sqs = sqsService(rt);
  const backgroundLease = leadership.lease(SQS_BACKGROUND_ROLE);
  background = new SqsBackground(rt, backgroundLease);

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
    notifyQueue: (queueId) => waiters.notify(queueId),
    subscriptions,
    signer: new Signer(snsStore, clock),
    http: new HttpDeliveries({
      queues: store,
      sns: snsStore,
      clock,
      logger,
      region,
      notifyQueue: (queueId) => waiters.notify(queueId),
      ...(options.random ? { random: options.random } : {}),
    }),
    deliveries: store.deliveryLog(),
  };
  const sns = snsService(snsRt);

  // EventBridge runs on both engines: its deliveries into queues commit in one transaction with the engine's own
  // writes. Targets other than SQS queues are delivery jobs (EventsDelivery) and scheduled rules fire from the
  // scheduler. On PostgreSQL several nodes share the rules: routing checks a per-bus version (BusRoutes), schedules
  // are claimed by compare-and-set, and replays run under a lease, so each happens once across the nodes.
  let eventsRt: EventsRuntime | undefined;
  let eventsScheduler: RuleScheduler | undefined;
  {
    const pgEvents = store instanceof SqliteStore ? undefined : store.eventsStore();
    const eventsStore = pgEvents ?? (store as SqliteStore).eventsStore();
    const delivery = new EventsDelivery({
      queues: store,
      clock,
      logger,
      region,
      runtime: () => eventsRt!,
      deliveryLog: store.deliveryLog(),
      sns: snsRt,
    });
    eventsRt = {
      store: eventsStore,
      queues: store,
      clock,
      logger,
      notifyQueue: (queueId) => waiters.notify(queueId),
      routes: new BusRoutes(eventsStore, logger, pgEvents && ((busArn) => pgEvents.routesVersion(busArn))),
      delivery,
      scheduleChanged: () => eventsScheduler?.kick(),
    };
    eventsScheduler = new RuleScheduler(eventsRt, () => endpointHost);
    eventsRt.replays = new ReplayRunner(eventsRt, pgEvents);
  }
  const events = eventsRt && eventsService(eventsRt);

  try {
    if (options.config !== undefined) {
      const config = typeof options.config === 'string' ? loadConfigFile(options.config) : checkConfig(options.config);
      await applyConfig(config, sqs, { accountId, region }, sns, events);
    }
  } catch (err) {
    await store.close();
    throw err;
  }

  const dispatcher = new PostboxDispatcher(
    { services: [sqs, sns, ...(events ? [events] : []), stsService()], defaultRegion: region, defaultAccountId: accountId, logger },
    (path) => snsRt.signer.certificateAt(path),
    store.deliveryLog(),
    (call) => serveSmsControl(snsRt, call, { accountId, region }),
  );
  // Ready while the storage answers: a load balancer takes a node whose database is unreachable out of rotation
  // (503) and back in once it answers again; the body says why.
  const health = () => {
    const readiness = (store as Store).readiness?.() ?? { ready: true };
    const running = readiness.ready ? 'running' : 'unavailable';
    return {
      status: readiness.ready ? 200 : 503,
      body: {
        status: readiness.ready ? 'ok' : 'unavailable',
        ready: readiness.ready,
        ...(readiness.reason ? { reason: readiness.reason } : {}),
        version: VERSION,
        edition: 'postbox',
        storage: store.engine,
        // Whether this node runs the background work (retention, move tasks) of the nodes sharing its storage.
        leader: backgroundLease.held,
        services: { sqs: running, sns: running, ...(events ? { events: running } : {}), sts: 'running' },
      },
    };
  };
  let http;
  try {
    http = await startHttpServer({ port: options.port ?? 4566, host: options.host, dispatcher, health, logger });
  } catch (err) {
    await store.close();
    throw err;
  }
  // A node alone on its database takes the lead before its first step (so that move tasks carry on at once).
  await leadership.settled();
  background.start();
  snsRt.http.start();
  await eventsRt?.replays?.start();
  const host = options.host && options.host !== '::' && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}`;
  endpointHost = new URL(endpoint).host;
  eventsRt?.delivery.start();
  eventsScheduler?.start();
  logger.debug({ ms: performance.now() - started, storage: store.engine }, 'started');

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port: http.port,
    store,
    clock,
    stop() {
      stopping ??= (async () => {
        const closed = http.close();
        waiters.closeAll();
        await closed;
        await snsRt.http.stop();
        await background!.stop();
        await eventsScheduler?.stop();
        await eventsRt?.delivery.stop();
        await eventsRt?.replays?.stop();
        await leadership.close();
        await store.close();
      })();
      return stopping;
    },
  };
}

/** The AWS endpoint plus the few plain GETs Postbox serves itself: the SNS signing certificate (SigningCertURL). */
class PostboxDispatcher extends Dispatcher {
  constructor(
    options: ConstructorParameters<typeof Dispatcher>[0],
    private readonly certificateAt: (path: string) => Promise<string | undefined>,
    private readonly deliveryLog: DeliveryLog | undefined,
    /** Opt-outs and the SMS sandbox, as a phone or a support case would change them (sns/sms-control-endpoint.ts). */
    private readonly smsControl: (call: IncomingCall) => Promise<WireResponse>,
  ) {
    super(options);
  }

  override async dispatch(call: IncomingCall): Promise<WireResponse> {
    if (call.path.startsWith(SMS_CONTROL_PREFIX)) return this.smsControl(call);
    if (call.method === 'GET' && call.path.startsWith('/_postbox/sns/')) {
      const pem = await this.certificateAt(call.path);
      if (pem) return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: pem };
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
    }
    if (call.path === DELIVERIES_PATH) return serveDeliveryLog(this.deliveryLog, call);
    return super.dispatch(call);
  }
}
