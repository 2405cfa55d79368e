// `npm run bench:cluster`: the SendMessageBatch(10) → ReceiveMessage(10) → DeleteMessageBatch cycle against 1, 2
// and 3 Postbox nodes sharing one PostgreSQL, beside the durable SQLite single node and the no-op HTTP ceiling,
// all measured in the same run, rounds interleaved (so slow drift of the shared machine hits every configuration
// alike). Each node gets its own load-generator process with an equal share of the connections, the way a load
// balancer would spread clients. Prints a Markdown report (also saved to bench/results/cluster-latest.{json,md}).
//
// Settings: the BENCH_* variables of config.ts (BENCH_SECONDS, BENCH_REPEATS, BENCH_CONCURRENCY = total
// connections, ...), plus BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test). Every cluster run works
// in a fresh schema, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { config, errorText, log, POSTBOX_CLI, RESULTS_DIR, sourceRevision } from './context.js';
import type { CycleResult, CycleTask } from './load-protocol.js';
import { runCycle } from './load-runner.js';
import { waitForQuiet } from './quiet-machine.js';
import { ServerProcess, type ServerLaunch } from './server-process.js';
import { createQueue, launchFor, newDataDir } from './server-setup.js';
import { median, round } from './stats.js';

const PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Config {
  id: string;
  label: string;
  kind: 'noop' | 'sqlite' | 'postgres';
  nodes: number;
}

const CONFIGS: readonly Config[] = [
  { id: 'noop', label: 'No-op HTTP server (ceiling)', kind: 'noop', nodes: 1 },
  { id: 'sqlite', label: 'Postbox, durable SQLite, 1 node', kind: 'sqlite', nodes: 1 },
  { id: 'pg-1', label: 'Postbox on PostgreSQL, 1 node', kind: 'postgres', nodes: 1 },
  { id: 'pg-2', label: 'Postbox on PostgreSQL, 2 nodes', kind: 'postgres', nodes: 2 },
  { id: 'pg-3', label: 'Postbox on PostgreSQL, 3 nodes', kind: 'postgres', nodes: 3 },
];

interface Run {
  round: number;
  cycledPerSecond: number;
  /** Median latency of each call, over all nodes' calls (the median of the per-node medians, weighted alike). */
  p50Ms: { send: number; receive: number; delete: number };
  p99Ms: { send: number; receive: number; delete: number };
  /** CPU of all nodes together and of all load generators together, % of one core. */
  nodesCpuPercent: number;
  loadCpuPercent: number;
  /** CPU of everything else on the machine (PostgreSQL included), % of one core. */
  restCpuPercent: number;
  errors: number;
}

function postgresLaunch(storage: string): ServerLaunch {
  return {
    name: 'postbox (postgres)',
    script: POSTBOX_CLI,
    args: ['start', '--host', '127.0.0.1', '--port', '{port}', '--storage', storage, ...config.postboxArgs],
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function task(server: ServerProcess, queueUrl: string, concurrency: number): CycleTask {
  return {
    kind: 'cycle',
    client: 'lean',
    endpoint: server.endpoint,
    queueUrl,
    concurrency,
    warmupSeconds: config.warmupSeconds,
    seconds: config.seconds,
    waitTimeSeconds: config.waitTimeSeconds,
    bodyBytes: config.bodyBytes,
    maxCyclesPerLoop: 10_000_000,
    requestTimeoutMs: config.requestTimeoutMs,
    serverPid: server.pid,
  };
}

/** Starts the configuration's servers, drives every node at once (an equal share of connections each), stops them. */
async function measure(c: Config, roundNo: number): Promise<Run> {
  const servers: ServerProcess[] = [];
  let dataDir: string | undefined;
  let schema: string | undefined;
  try {
    if (c.kind === 'postgres') {
      schema = `pb_bench_${randomBytes(5).toString('hex')}`;
      const url = new URL(PG_URL);
      url.searchParams.set('schema', schema);
      // The first node creates the schema; the others then start against it.
      for (let i = 0; i < c.nodes; i++) servers.push(await ServerProcess.start(postgresLaunch(url.toString())));
    } else {
      if (c.kind === 'sqlite') dataDir = await newDataDir();
      servers.push(await ServerProcess.start(launchFor(c.kind === 'noop' ? 'noop' : 'postbox-durable', dataDir)));
    }
    const queueUrl = await createQueue(servers[0]!.endpoint);
    const shares = servers.map((_, i) => Math.floor(config.concurrency / servers.length) + (i < config.concurrency % servers.length ? 1 : 0));
    const results: CycleResult[] = await Promise.all(servers.map((s, i) => runCycle(task(s, queueUrl, shares[i]!))));
    const sum = (f: (r: CycleResult) => number) => results.reduce((a, r) => a + f(r), 0);
    const med = (f: (r: CycleResult) => number) => round(median(results.map(f)), 2);
    const nodesCpu = sum((r) => r.serverCpuPercent ?? 0);
    const loadCpu = sum((r) => r.loadCpuPercent);
    // Each generator's "other" is everything but itself and its node: take the first one's and remove the others.
    const first = results[0]!;
    const rest = (first.otherCpuPercent ?? 0) - (nodesCpu - (first.serverCpuPercent ?? 0)) - (loadCpu - first.loadCpuPercent);
    const run: Run = {
      round: roundNo,
      cycledPerSecond: round(sum((r) => r.cycledPerSecond)),
      p50Ms: { send: med((r) => r.calls.send.p50Ms), receive: med((r) => r.calls.receive.p50Ms), delete: med((r) => r.calls.delete.p50Ms) },
      p99Ms: { send: med((r) => r.calls.send.p99Ms), receive: med((r) => r.calls.receive.p99Ms), delete: med((r) => r.calls.delete.p99Ms) },
      nodesCpuPercent: round(nodesCpu),
      loadCpuPercent: round(loadCpu),
      restCpuPercent: round(Math.max(0, rest)),
      errors: sum((r) => r.calls.send.errors + r.calls.receive.errors + r.calls.delete.errors),
    };
    log(
      `${c.id.padEnd(7)} round ${roundNo}: ${Math.round(run.cycledPerSecond).toLocaleString('en-US')} msg/s cycled, ` +
        `CPU % nodes/load-gen/rest ${Math.round(run.nodesCpuPercent)}/${Math.round(run.loadCpuPercent)}/${Math.round(run.restCpuPercent)}` +
        (run.errors ? `, ${run.errors} failed calls (${results.flatMap((r) => r.errorSamples).slice(0, 2).join('; ')})` : ''),
    );
    return run;
  } finally {
    for (const s of servers.reverse()) await s.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (schema) await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((e: unknown) => log(`dropping ${schema}: ${errorText(e)}`));
  }
}

interface Summary {
  id: string;
  label: string;
  nodes: number;
  runs: Run[];
  medianCycledPerSecond: number;
  ofCeiling: number;
  ofSqlite: number;
  ofOneNode?: number;
}

function render(summaries: Summary[], meta: Record<string, unknown>): string {
  const lines = [
    `# Cluster benchmark (${String(meta['date'])})`,
    '',
    `${String(meta['cpus'])} × ${String(meta['cpuModel'])}, ${String(meta['memoryGiB'])} GiB, Node ${String(meta['node'])}, revision ${String(meta['revision'])}. ` +
      `Cycle: SendMessageBatch(10) → ReceiveMessage(10) → DeleteMessageBatch, ${config.concurrency} connections in all, ` +
      `${config.bodyBytes}-byte bodies, ${config.seconds} s measured after ${config.warmupSeconds} s warm-up, median of ${config.repeats} runs.`,
    '',
    '| Configuration | msg/s cycled (median) | of ceiling | of SQLite | of 1 PG node | p50 send / receive / delete, ms | CPU % nodes / load-gen / rest |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const s of summaries) {
    const p50 = (k: 'send' | 'receive' | 'delete') => round(median(s.runs.map((r) => r.p50Ms[k])), 2);
    const cpu = (f: (r: Run) => number) => Math.round(median(s.runs.map(f)));
    lines.push(
      `| ${s.label} | ${Math.round(s.medianCycledPerSecond).toLocaleString('en-US')} | ${Math.round(s.ofCeiling * 100)} % | ` +
        `${Math.round(s.ofSqlite * 100)} % | ${s.ofOneNode === undefined ? '' : `${s.ofOneNode.toFixed(2)}×`} | ` +
        `${p50('send')} / ${p50('receive')} / ${p50('delete')} | ${cpu((r) => r.nodesCpuPercent)} / ${cpu((r) => r.loadCpuPercent)} / ${cpu((r) => r.restCpuPercent)} |`,
    );
  }
  lines.push('', '"rest" is every other process on the machine during the window: PostgreSQL, mostly.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  try {
    await adminQuery('SELECT 1');
  } catch (error) {
    throw new Error(`no PostgreSQL at ${PG_URL} (set BENCH_PG_URL): ${errorText(error)}`);
  }
  const wanted = (process.env['BENCH_CLUSTER'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const configs = wanted.length ? CONFIGS.filter((c) => wanted.includes(c.id) || c.id === 'noop' || c.id === 'sqlite') : CONFIGS;
  log(`configurations: ${configs.map((c) => c.id).join(', ')}; ${config.repeats} rounds of ${config.warmupSeconds + config.seconds} s each`);
  const runs = new Map<string, Run[]>(configs.map((c) => [c.id, []]));
  for (let r = 1; r <= config.repeats; r++) {
    for (const c of configs) {
      await waitForQuiet(30);
      try {
        runs.get(c.id)!.push(await measure(c, r));
      } catch (error) {
        log(`${c.id} round ${r} failed: ${errorText(error)}`);
      }
    }
  }
  const med = (id: string) => median((runs.get(id) ?? []).map((r) => r.cycledPerSecond));
  const ceiling = med('noop');
  const sqlite = med('sqlite');
  const onePg = med('pg-1');
  const summaries: Summary[] = configs
    .filter((c) => runs.get(c.id)!.length > 0)
    .map((c) => {
      const m = med(c.id);
      const s: Summary = { id: c.id, label: c.label, nodes: c.nodes, runs: runs.get(c.id)!, medianCycledPerSecond: m, ofCeiling: m / ceiling, ofSqlite: m / sqlite };
      if (c.kind === 'postgres' && Number.isFinite(onePg)) s.ofOneNode = m / onePg;
      return s;
    });
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    revision: sourceRevision() ?? 'unknown',
    settings: { ...config, postgres: PG_URL.replace(/:[^:@/]*@/, ':***@') },
  };
  const report = render(summaries, meta);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, 'cluster-latest.json'), JSON.stringify({ meta, summaries }, null, 2));
  await writeFile(path.join(RESULTS_DIR, 'cluster-latest.md'), report);
  console.log(`\n${report}`);
}

main().catch((error: unknown) => {
  console.error(errorText(error));
  process.exit(1);
});
