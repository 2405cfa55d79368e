// The SNS benchmark's load generator, run as its own process (forked by sns-publish.ts) so that its CPU is
// measured apart from the server's. Publishers call Publish (AWS Query protocol, as every SNS client speaks it)
// on one topic; consumers drain the subscribed queues with ReceiveMessage(10) → DeleteMessageBatch (AWS JSON).
// Each message carries the time it was published, so a consumer measures publish → delivered-to-a-subscriber
// latency. Publishers hold back while more than `maxBacklog` deliveries wait in the queues, so the run measures
// the throughput the server sustains, not how fast a backlog can grow.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpuWindow } from './cpu-window.js';
import { describeError, MAX_ERROR_SAMPLES } from './describe-error.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import type { JsonProtocolClient, PreparedRequest } from './json-protocol.js';
import { LeanJsonClient } from './lean-json-client.js';
import { FAKE_AMZ_DATE } from './workload.js';

export interface SnsLoadTask {
  endpoint: string;
  topicArn: string;
  /** Subscribed queues to drain; empty against the no-op server (publish only). */
  queueUrls: string[];
  publishers: number;
  consumersPerQueue: number;
  warmupSeconds: number;
  seconds: number;
  bodyBytes: number;
  maxBacklog: number;
  requestTimeoutMs: number;
  serverPid?: number;
}

export interface SnsLoadResult {
  publishedPerSecond: number;
  deliveredPerSecond: number;
  publish: LatencySummary & { errors: number };
  /** Publish sent → message received from a subscribed queue. */
  delivery: LatencySummary;
  loadCpuPercent: number;
  serverCpuPercent?: number;
  otherCpuPercent?: number;
  errorSamples: string[];
}

const SNS_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=content-type;host;x-amz-date, ' +
  'Signature=' + '0123456789abcdef'.repeat(4);

/** A request head for Query-protocol calls, in the shape the lean client sends (it adds Content-Length). */
function queryHead(endpoint: string): PreparedRequest {
  const url = new URL(endpoint);
  const headers = {
    Host: url.host,
    'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    'X-Amz-Date': FAKE_AMZ_DATE,
    Authorization: SNS_AUTHORIZATION,
  };
  let wireHead = `POST / HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) wireHead += `${name}: ${value}\r\n`;
  return { action: 'CreateQueue', headers, wireHead };
}

/** A message of `bytes` characters that starts with the moment it was published. */
function timedMessage(bytes: number): string {
  const head = `{"publishedAt":${(performance.timeOrigin + performance.now()).toFixed(3)},"pad":"`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length - 2)) + '"}';
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]!) as SnsLoadTask;
  const connections = task.publishers + task.queueUrls.length * task.consumersPerQueue + 2;
  const client: JsonProtocolClient = new LeanJsonClient(task.endpoint, { maxSockets: connections, requestTimeoutMs: task.requestTimeoutMs });
  const publishHead = queryHead(task.endpoint);
  const receives = task.queueUrls.map((QueueUrl) =>
    client.prepare('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  const deleteHead = client.prepare('DeleteMessageBatch');

  const started = performance.now();
  const windowStart = started + task.warmupSeconds * 1000;
  const windowEnd = windowStart + task.seconds * 1000;
  const inWindow = (t: number): boolean => t >= windowStart && t <= windowEnd;
  const publishLatency = new LatencyHistogram();
  const deliveryLatency = new LatencyHistogram();
  let published = 0;
  let delivered = 0;
  let publishErrors = 0;
  // Deliveries published but not yet consumed, over the whole run (not just the window).
  let backlog = 0;
  const fanout = Math.max(1, task.queueUrls.length);
  const errorSamples: string[] = [];
  const sample = (text: string): void => {
    if (errorSamples.length < MAX_ERROR_SAMPLES && !errorSamples.includes(text)) errorSamples.push(text);
  };

  const cpu = new CpuWindow(task.serverPid);
  const openTimer = setTimeout(() => cpu.open(), windowStart - started);
  const closeTimer = setTimeout(() => cpu.close(), windowEnd - started);

  async function publisher(): Promise<void> {
    while (performance.now() < windowEnd) {
      if (task.queueUrls.length && backlog > task.maxBacklog) {
        await sleep(1);
        continue;
      }
      const body = `Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(task.topicArn)}&Message=${encodeURIComponent(timedMessage(task.bodyBytes))}`;
      const t0 = performance.now();
      try {
        const response = await client.sendWithBody(publishHead, body);
        const t1 = performance.now();
        if (response.status !== 200) throw new Error(`Publish -> HTTP ${response.status}: ${response.body.slice(0, 200)}`);
        if (task.queueUrls.length) backlog += fanout;
        if (inWindow(t1)) {
          published++;
          publishLatency.recordMillis(t1 - t0);
        }
      } catch (error) {
        if (inWindow(performance.now())) publishErrors++;
        sample(describeError(error));
        await sleep(10);
      }
    }
  }

  async function consumer(index: number): Promise<void> {
    const receive = receives[index]!;
    const queueUrl = task.queueUrls[index]!;
    while (performance.now() < windowEnd) {
      try {
        const response = await client.send(receive);
        if (response.status !== 200) throw new Error(`ReceiveMessage -> HTTP ${response.status}: ${response.body.slice(0, 200)}`);
        const now = performance.timeOrigin + performance.now();
        const messages = (JSON.parse(response.body) as { Messages?: { Body: string; ReceiptHandle: string }[] }).Messages ?? [];
        if (messages.length === 0) continue;
        backlog -= messages.length;
        const counted = inWindow(performance.now());
        for (const m of messages) {
          // The subscriber gets SNS's JSON envelope; the published message is its Message.
          const publishedAt = (JSON.parse((JSON.parse(m.Body) as { Message: string }).Message) as { publishedAt: number }).publishedAt;
          if (counted) deliveryLatency.recordMillis(now - publishedAt);
        }
        if (counted) delivered += messages.length;
        const entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
        const deleted = await client.sendWithBody(deleteHead, JSON.stringify({ QueueUrl: queueUrl, Entries: entries }));
        if (deleted.status !== 200) throw new Error(`DeleteMessageBatch -> HTTP ${deleted.status}`);
      } catch (error) {
        sample(describeError(error));
        await sleep(10);
      }
    }
  }

  const loops: Promise<void>[] = [];
  for (let i = 0; i < task.publishers; i++) loops.push(publisher());
  task.queueUrls.forEach((_, index) => {
    for (let c = 0; c < task.consumersPerQueue; c++) loops.push(consumer(index));
  });
  await Promise.all(loops);
  clearTimeout(openTimer);
  clearTimeout(closeTimer);
  client.close();

  const shares = cpu.result();
  const round = (n: number): number => Math.round(n * 10) / 10;
  const result: SnsLoadResult = {
    publishedPerSecond: round(published / task.seconds),
    deliveredPerSecond: round(delivered / task.seconds),
    publish: { ...publishLatency.summary(), errors: publishErrors },
    delivery: deliveryLatency.summary(),
    loadCpuPercent: round(shares?.loadPercent ?? Number.NaN),
    errorSamples,
  };
  if (shares?.serverPercent !== undefined) result.serverCpuPercent = round(shares.serverPercent);
  if (shares?.otherPercent !== undefined) result.otherCpuPercent = round(shares.otherPercent);
  process.send!(result, undefined, undefined, () => process.disconnect());
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
