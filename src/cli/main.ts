#!/usr/bin/env node
import module from 'node:module';
import { parseArgs } from 'node:util';
import type { Postbox, PostboxOptions } from '../app.js';
import { VERSION } from '../version.js';

// Node 22.1+ can keep the compiled code of the modules it loads on disk (in the OS temp directory, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so that later starts skip compiling them: the
// server's modules load after this line, as app.js is imported only when a start is asked for. Node 20 has no such
// cache; the call never throws.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const USAGE = `Usage: postbox start [options]

Options (each also settable by the environment variable shown):
  --port N            port to listen on (POSTBOX_PORT, default 4566)
  --host H            interface to listen on (POSTBOX_HOST, default all)
  --data DIR          directory of the SQLite file (POSTBOX_DATA, default ./.postbox)
  --memory            keep everything in memory; nothing survives a stop (POSTBOX_MEMORY=1)
  --storage URL       postgres://user@host/db: share one PostgreSQL among several nodes (POSTBOX_STORAGE)
  --storage-wait S    seconds a start waits for an unreachable PostgreSQL (POSTBOX_STORAGE_WAIT, default 60)
  --durability D      normal (survives kill -9) or full (fsync per commit) (POSTBOX_DURABILITY)
  --config FILE       JSON or YAML file of queues to create at start (POSTBOX_CONFIG)
  --account ID        default 12-digit account id (POSTBOX_ACCOUNT, default 000000000000)
  --region R          region for requests that name none (POSTBOX_REGION, default us-east-1)
  --log-level L       fatal|error|warn|info|debug|trace|silent (POSTBOX_LOG_LEVEL, default info)
  --strict-delays     enforce AWS's 60 s PurgeQueue / re-create waits (POSTBOX_STRICT_DELAYS=1)
`;

function fail(message: string): never {
  process.stderr.write(`postbox: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Never print a password given in a connection URL. */
function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command !== 'start') fail(`unknown command "${command}"`);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        memory: { type: 'boolean' },
        storage: { type: 'string' },
        'storage-wait': { type: 'string' },
        durability: { type: 'string' },
        config: { type: 'string' },
        account: { type: 'string' },
        region: { type: 'string' },
        'log-level': { type: 'string' },
        'strict-delays': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const env = process.env;
  const portText = values.port ?? env['POSTBOX_PORT'];
  const port = portText === undefined ? 4566 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${portText}"`);
  const durability = values.durability ?? env['POSTBOX_DURABILITY'];
  if (durability !== undefined && durability !== 'normal' && durability !== 'full') fail(`invalid durability "${durability}"`);

  const options: PostboxOptions = {
    port,
    memory: values.memory ?? truthy(env['POSTBOX_MEMORY']),
    strictDelays: values['strict-delays'] ?? truthy(env['POSTBOX_STRICT_DELAYS']),
  };
  const host = values.host ?? env['POSTBOX_HOST'];
  if (host) options.host = host;
  const storage = values.storage ?? env['POSTBOX_STORAGE'];
  if (storage !== undefined && !/^postgres(ql)?:\/\//.test(storage)) fail(`invalid storage "${storage}": expected a postgres:// URL`);
  if (storage) options.storage = storage;
  const waitText = values['storage-wait'] ?? env['POSTBOX_STORAGE_WAIT'];
  if (waitText !== undefined) {
    const seconds = Number(waitText);
    if (waitText.trim() === '' || !Number.isFinite(seconds) || seconds < 0) fail(`invalid storage wait "${waitText}": expected seconds, 0 or more`);
    options.storageWaitMs = seconds * 1000;
  }
  const data = values.data ?? env['POSTBOX_DATA'];
  if (data) options.dataDir = data;
  if (durability) options.durability = durability;
  const config = values.config ?? env['POSTBOX_CONFIG'];
  if (config) options.config = config;
  const account = values.account ?? env['POSTBOX_ACCOUNT'];
  if (account !== undefined && !/^\d{12}$/.test(account)) fail(`invalid account "${account}": an account id is 12 digits`);
  if (account) options.accountId = account;
  const region = values.region ?? env['POSTBOX_REGION'];
  if (region) options.region = region;
  const logLevel = values['log-level'] ?? env['POSTBOX_LOG_LEVEL'];
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) fail(`invalid log level "${logLevel}"`);
  if (logLevel) options.logLevel = logLevel;

  // Signals are handled from the start: one that arrives while starting stops the server as soon as it listens.
  let postbox: Postbox | undefined;
  let running: Promise<Postbox> | undefined;
  let stopping = false;
  // A start still waiting for its database gives up at once on a signal (nothing is open yet to close).
  const starting = new AbortController();
  const stop = (signal: string) => {
    if (stopping) process.exit(130); // a second signal: leave now
    stopping = true;
    process.stdout.write(`Received ${signal}, stopping.\n`);
    if (postbox) finish(postbox);
    else starting.abort(new Error(`stopped by ${signal} while starting`));
  };
  // stop() waits for SNS and EventBridge to finish loading if they still are, then stops them with the rest. Exit 0
  // only once the start has succeeded too: if their load failed meanwhile, the catch below reports it (exit 1).
  const finish = (pb: Postbox) =>
    pb.stop().then(
      () => (running ?? Promise.resolve()).then(() => process.exit(0), () => undefined),
      (err: unknown) => {
        process.stderr.write(`postbox: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const where = options.storage
    ? `PostgreSQL at ${redactPassword(options.storage)}`
    : options.memory
      ? 'in memory'
      : `SQLite in ${options.dataDir ?? '.postbox'}`;
  const { startPostbox } = await import('../app.js');
  // `Ready.` as soon as the server listens: SQS serves, and SNS and EventBridge, which load just after, accept
  // requests at once and answer them when loaded, so a client that starts on `Ready.` sees them all work. A failure
  // of that load after `Ready.` rejects startPostbox (which stops the server): reported below, exit 1.
  running = startPostbox({
    ...options,
    signal: starting.signal,
    onListening: (pb) => {
      postbox = pb;
      if (stopping) return void finish(pb);
      process.stdout.write(`Postbox ${VERSION} listening on http://localhost:${pb.port} (${where})\nReady.\n`);
    },
  });
  await running.catch((err: unknown) => {
    // Stopped while waiting for the database: a clean stop, nothing was opened.
    if (starting.signal.aborted && !postbox) process.exit(0);
    // After `Ready.`, say which part failed: the message alone may not tell (a module that did not load, say).
    if (postbox) throw new Error(`SNS and EventBridge failed to start, so the server stopped: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`postbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
