import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './core/clock.js';
import type { PostboxConfigFile } from './config/file.js';
import { deferredService } from './deferred-service.js';
import { EVENTS_WIRE } from './events/wire.js';
import { lazyLogger } from './lazy-logger.js';
import { Dispatcher, type IncomingCall } from './server/dispatch.js';
import type { WireResponse } from './protocol/wire.js';
import { startHttpServer } from './server/http-server.js';
import type { SnsAndEvents } from './sns-and-events.js';
import { SNS_WIRE } from './sns/wire.js';
import { SQS_BACKGROUND_ROLE, SqsBackground } from './sqs/background.js';
import { ReceiveWaiters } from './sqs/receive-waiters.js';
import type { SqsRuntime } from './sqs/runtime.js';
import { sqsService } from './sqs/service.js';
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
  /**
   * With `storage`: how long a start waits for a PostgreSQL it cannot reach yet (one that starts after Postbox, as in
   * a compose file or a pod), trying again with backoff. Default 60 s; 0 fails at once.
   */
  storageWaitMs?: number;
  /** Aborts a start still waiting for its database: startPostbox then rejects with the signal's reason. */
  signal?: AbortSignal;
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
  /** Uniform random numbers in [0, 1) for the jitter of SNS and EventBridge retries. Default Math.random; tests fix it. */
  random?: () => number;
  /**
   * Called once, as soon as the server listens and serves: SQS answers, and SNS and EventBridge requests are accepted
   * and wait for their code to load (a config file, when given, is applied by then). startPostbox itself resolves
   * later, once SNS and EventBridge run. The CLI prints `Ready.` here; `postbox.stop()` may be called from here on.
   */
  onListening?: (postbox: Postbox) => void;
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
  const startedAt = performance.now();
  const logger: Logger = lazyLogger(options.logLevel ?? 'info');
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
      startupWaitMs: options.storageWaitMs ?? 60_000,
      onStartupRetry: (err, retryInMs) =>
        logger.warn({ reason: err instanceof Error ? err.message : String(err), retryInMs }, 'database unreachable at start: waiting for it'),
      ...(options.signal ? { signal: options.signal } : {}),
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

  // SNS and EventBridge are most of Postbox's code, so they load while the server already listens: the health check
  // answers as soon as the queue engine serves, and a request to SNS or EventBridge that comes before their code
  // has loaded waits for it (deferredService), then runs as it would have. A config file to apply loads them first.
  // Either way startPostbox resolves once they run, background work included, as before; onListening is told earlier.
  let built: Promise<SnsAndEvents> | undefined;
  let started: Promise<SnsAndEvents> | undefined;
  const buildSnsAndEvents = () =>
    (built ??= import('./sns-and-events.js').then((m) =>
      m.buildSnsAndEvents({
        store,
        clock,
        logger,
        region,
        accountId,
        notifyQueue: (queueId) => waiters.notify(queueId),
        endpointHost: () => endpointHost,
        ...(options.random ? { random: options.random } : {}),
      }),
    ));
  const snsAndEvents = () =>
    (started ??= buildSnsAndEvents().then(async (loaded) => {
      await loaded.start();
      return loaded;
    }));
  const sns = deferredService(SNS_WIRE, async () => (await snsAndEvents()).sns);
  const events = deferredService(EVENTS_WIRE, async () => (await snsAndEvents()).events);

  try {
    if (options.config !== undefined) {
      const [{ applyConfig }, { checkConfig, loadConfigFile }, loaded] = await Promise.all([
        import('./config/apply.js'),
        import('./config/file.js'),
        buildSnsAndEvents(),
      ]);
      const config = typeof options.config === 'string' ? loadConfigFile(options.config) : checkConfig(options.config);
      await applyConfig(config, sqs, { accountId, region }, loaded.sns, loaded.events);
    }
  } catch (err) {
    await store.close();
    throw err;
  }

  const dispatcher = new PostboxDispatcher(
    { services: [sqs, sns, events, stsService()], defaultRegion: region, defaultAccountId: accountId, logger },
    async (call) => (await snsAndEvents()).serveSnsPath(call),
    store.deliveryLog(),
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
        services: { sqs: running, sns: running, events: running, sts: 'running' },
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
  const host = options.host && options.host !== '::' && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}`;
  endpointHost = new URL(endpoint).host;
  const snsAndEventsRunning = snsAndEvents();

  let stopping: Promise<void> | undefined;
  const postbox: Postbox = {
    endpoint,
    port: http.port,
    store,
    clock,
    stop() {
      stopping ??= (async () => {
        const closed = http.close();
        waiters.closeAll();
        await closed;
        await (await snsAndEventsRunning.catch(() => undefined))?.stop();
        await background!.stop();
        await leadership.close();
        await store.close();
      })();
      return stopping;
    },
  };
  // A failed load of SNS or EventBridge (a module that does not load, replays that cannot be read) stops the server
  // and rejects: listening without them would answer their requests with errors for as long as it runs.
  try {
    logger.debug({ ms: performance.now() - startedAt, storage: store.engine }, 'listening');
    options.onListening?.(postbox);
    await snsAndEventsRunning;
  } catch (err) {
    await postbox.stop();
    throw err;
  }
  logger.debug({ ms: performance.now() - startedAt, storage: store.engine }, 'started');
  return postbox;
}

/** The AWS endpoint plus the few plain requests Postbox serves itself: SNS's (sns-and-events.ts), the delivery log. */
class PostboxDispatcher extends Dispatcher {
  constructor(
    options: ConstructorParameters<typeof Dispatcher>[0],
    /** The SNS signing certificate (SigningCertURL), opt-outs and the SMS sandbox; undefined for any other request. */
    private readonly serveSnsPath: (call: IncomingCall) => Promise<WireResponse | undefined>,
    private readonly deliveryLog: DeliveryLog | undefined,
  ) {
    super(options);
  }

  override async dispatch(call: IncomingCall): Promise<WireResponse> {
    if (call.path.startsWith(SNS_PATHS)) {
      const answer = await this.serveSnsPath(call);
      if (answer) return answer;
    }
    if (call.path === DELIVERIES_PATH) return serveDeliveryLog(this.deliveryLog, call);
    return super.dispatch(call);
  }
}

/** Where SNS's plain paths live: the SMS controls (sns/sms-control-endpoint.ts) and the signing certificates. */
const SNS_PATHS = '/_postbox/sns/';
