// `npm run bench:sns`: SNS publish → SQS-subscriber delivery, against Postbox (durable SQLite, the default) with 1
// and 10 queue subscriptions, beside the no-op HTTP server answering the same Publish calls in the same run (the
// ceiling of Publish over HTTP on this machine). Prints a Markdown report and saves it to
// bench/results/sns-latest.{md,json}. Settings: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_REPEATS,
// BENCH_CONCURRENCY (publishers), BENCH_BODY_BYTES, BENCH_POSTBOX_ARGS, BENCH_DATA_DIR (see docs/benchmarks.md).
import { fork } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, errorText, log, NOOP_SERVER, POSTBOX_CLI, RESULTS_DIR, sourceRevision } from './context.js';
import { callJson } from './json-protocol.js';
import { LeanJsonClient } from './lean-json-client.js';
import { newDataDir } from './server-setup.js';
import { ServerProcess, type ServerLaunch } from './server-process.js';
import type { SnsLoadResult, SnsLoadTask } from './sns-load.js';
import { median } from './stats.js';
import { FAKE_AMZ_DATE } from './workload.js';

const LOAD_SCRIPT = fileURLToPath(new URL('./sns-load.js', import.meta.url));

interface Scenario {
  id: string;
  label: string;
  server: 'noop' | 'postbox';
  subscriptions: number;
  consumersPerQueue: number;
}

const SCENARIOS: Scenario[] = [
  { id: 'noop', label: 'No-op HTTP server (Publish ceiling)', server: 'noop', subscriptions: 0, consumersPerQueue: 0 },
  { id: 'sub1', label: 'Postbox, 1 SQS subscription', server: 'postbox', subscriptions: 1, consumersPerQueue: 8 },
  { id: 'sub10', label: 'Postbox, 10 SQS subscriptions', server: 'postbox', subscriptions: 10, consumersPerQueue: 2 },
];

/** One Query-protocol call for setup (CreateTopic, Subscribe); answers the XML. */
async function query(endpoint: string, params: Record<string, string>): Promise<string> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ ...params, Version: '2010-03-31' }).toString();
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': FAKE_AMZ_DATE,
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00',
    },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${params['Action']} -> HTTP ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

/** A topic with `n` queue subscriptions (envelope delivery, as SNS's default); answers the topic and queues. */
async function setUp(endpoint: string, n: number): Promise<{ topicArn: string; queueUrls: string[] }> {
  const created = await query(endpoint, { Action: 'CreateTopic', Name: 'postbox-bench-topic' });
  const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(created)?.[1];
  if (!topicArn) throw new Error(`CreateTopic answered no TopicArn: ${created.slice(0, 300)}`);
  const sqs = new LeanJsonClient(endpoint, { maxSockets: 2, requestTimeoutMs: config.requestTimeoutMs });
  const queueUrls: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const { QueueUrl } = await callJson<{ QueueUrl: string }>(sqs, 'CreateQueue', { QueueName: `postbox-bench-sub-${i}` });
      const { Attributes } = await callJson<{ Attributes: Record<string, string> }>(sqs, 'GetQueueAttributes', {
        QueueUrl,
        AttributeNames: ['QueueArn'],
      });
      await query(endpoint, { Action: 'Subscribe', TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes['QueueArn']! });
      queueUrls.push(QueueUrl);
    }
  } finally {
    sqs.close();
  }
  return { topicArn, queueUrls };
}

function runLoad(task: SnsLoadTask): Promise<SnsLoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(LOAD_SCRIPT, [JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), (task.warmupSeconds + task.seconds + 60) * 1000);
    let result: SnsLoadResult | undefined;
    child.on('message', (m: SnsLoadResult) => (result = m));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`SNS load generator exited (code ${code}) without a result`));
    });
  });
}

async function runOnce(scenario: Scenario): Promise<SnsLoadResult> {
  const dataDir = scenario.server === 'postbox' ? await newDataDir() : undefined;
  const launch: ServerLaunch =
    scenario.server === 'noop'
      ? { name: 'no-op server', script: NOOP_SERVER, args: ['--port', '{port}', '--body-bytes', String(config.bodyBytes)] }
      : { name: 'postbox', script: POSTBOX_CLI, args: ['start', '--host', '127.0.0.1', '--port', '{port}', '--data', dataDir!, ...config.postboxArgs] };
  const server = await ServerProcess.start(launch);
  try {
    const { topicArn, queueUrls } =
      scenario.server === 'noop'
        ? { topicArn: 'arn:aws:sns:us-east-1:000000000000:postbox-bench-topic', queueUrls: [] }
        : await setUp(server.endpoint, scenario.subscriptions);
    return await runLoad({
      endpoint: server.endpoint,
      topicArn,
      queueUrls,
      publishers: config.concurrency,
      consumersPerQueue: scenario.consumersPerQueue,
      warmupSeconds: config.warmupSeconds,
      seconds: config.seconds,
      bodyBytes: config.bodyBytes,
      // Two rounds of what the consumers take at once: enough to keep them busy, little enough that delivery
      // latency measures the server rather than a queue the benchmark let build up.
      maxBacklog: Math.max(1, scenario.subscriptions * scenario.consumersPerQueue * 10 * 2),
      requestTimeoutMs: config.requestTimeoutMs,
      serverPid: server.pid,
    });
  } finally {
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

interface Summary {
  scenario: Scenario;
  runs: SnsLoadResult[];
  publishedPerSecond: number;
  deliveredPerSecond: number;
  publishP50: number;
  publishP99: number;
  deliveryP50: number;
  deliveryP99: number;
  serverCpuMicrosPerPublish: number;
  serverCpu: number;
  loadCpu: number;
  otherCpu: number;
}

function summarise(scenario: Scenario, runs: SnsLoadResult[]): Summary {
  const m = (pick: (r: SnsLoadResult) => number): number => median(runs.map(pick));
  return {
    scenario,
    runs,
    publishedPerSecond: m((r) => r.publishedPerSecond),
    deliveredPerSecond: m((r) => r.deliveredPerSecond),
    publishP50: m((r) => r.publish.p50Ms),
    publishP99: m((r) => r.publish.p99Ms),
    deliveryP50: m((r) => r.delivery.p50Ms),
    deliveryP99: m((r) => r.delivery.p99Ms),
    serverCpuMicrosPerPublish: m((r) => ((r.serverCpuPercent ?? Number.NaN) / 100) * 1e6 / r.publishedPerSecond),
    serverCpu: m((r) => r.serverCpuPercent ?? Number.NaN),
    loadCpu: m((r) => r.loadCpuPercent),
    otherCpu: m((r) => r.otherCpuPercent ?? Number.NaN),
  };
}

function render(summaries: Summary[], meta: Record<string, string | number>): string {
  const ceiling = summaries.find((s) => s.scenario.id === 'noop')?.publishedPerSecond ?? Number.NaN;
  const n = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
  const lines = [
    `Measured ${meta['date']} on ${meta['machine']}, Node ${meta['node']}; Postbox at ${meta['revision']}. Load generator and server share the machine.`,
    '',
    `${config.concurrency} publishers (Publish, AWS Query protocol, ${config.bodyBytes}-byte messages, envelope delivery) and consumers draining every subscribed queue with ReceiveMessage(10) → DeleteMessageBatch; ` +
      `publishers hold back while more than two rounds of what the consumers take at once (10 messages each) wait. ${config.warmupSeconds} s warm-up + ${config.seconds} s measured, median of ${config.repeats}. ` +
      '"Delivered" = messages received from a subscribed queue; delivery latency = Publish sent → message received by a consumer.',
    '',
    '| Scenario | Publish/s | ÷ no-op Publish | Delivered msg/s | Publish p50 / p99 ms | Delivery p50 / p99 ms | Server CPU per publish | CPU % server / load-gen / other |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of summaries) {
    const postbox = s.scenario.server === 'postbox';
    lines.push(
      `| ${s.scenario.label} | ${n(s.publishedPerSecond)} | ${n((100 * s.publishedPerSecond) / ceiling)} % | ${postbox ? n(s.deliveredPerSecond) : '–'} | ` +
        `${n(s.publishP50, 2)} / ${n(s.publishP99, 2)} | ${postbox ? `${n(s.deliveryP50, 2)} / ${n(s.deliveryP99, 2)}` : '–'} | ` +
        `${n(s.serverCpuMicrosPerPublish, 1)} µs | ${n(s.serverCpu)} / ${n(s.loadCpu)} / ${n(s.otherCpu)} |`,
    );
  }
  const errors = summaries.flatMap((s) => s.runs.flatMap((r) => r.errorSamples.map((e) => `${s.scenario.id}: ${e}`)));
  if (errors.length) lines.push('', 'Errors seen:', ...errors.map((e) => `- ${e}`));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const runs = new Map<string, SnsLoadResult[]>(SCENARIOS.map((s) => [s.id, []]));
  for (let round = 1; round <= config.repeats; round++) {
    for (const scenario of SCENARIOS) {
      log(`round ${round}/${config.repeats}: ${scenario.label}`);
      try {
        runs.get(scenario.id)!.push(await runOnce(scenario));
      } catch (error) {
        log(`${scenario.id} round ${round} failed: ${errorText(error)}`);
      }
    }
  }
  const summaries = SCENARIOS.filter((s) => runs.get(s.id)!.length).map((s) => summarise(s, runs.get(s.id)!));
  const meta = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM`,
    node: process.version,
    revision: sourceRevision() ?? 'unknown',
  };
  const report = render(summaries, meta);
  console.log(`\n${report}\n`);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, 'sns-latest.md'), report + '\n');
  await writeFile(path.join(RESULTS_DIR, 'sns-latest.json'), JSON.stringify({ meta, summaries }, null, 2));
}

main().catch((error: unknown) => {
  console.error(errorText(error));
  process.exit(1);
});
