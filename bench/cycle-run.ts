// The measured workload: concurrent SendMessageBatch(10) → ReceiveMessage(10) →
// DeleteMessageBatch loops. A warm-up precedes a fixed measurement window; only
// calls that complete inside the window count, and CPU of both processes is read
// at the window's edges so CPU % covers exactly what is counted.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchOutcome, CycleDriver } from './cycle-driver.js';
import { describeError, ERROR_BACKOFF_MS, MAX_ERROR_SAMPLES } from './describe-error.js';
import { LatencyHistogram } from './histogram.js';
import type { JsonClientOptions, JsonProtocolClient } from './json-protocol.js';
import { LeanJsonClient } from './lean-json-client.js';
import type { CallName, CallStats, CycleResult, CycleTask } from './load-protocol.js';
import { NodeHttpJsonClient } from './node-http-json-client.js';
import { CpuWindow } from './cpu-window.js';
import { RawCycleDriver } from './raw-cycle-driver.js';
import { SdkCycleDriver } from './sdk-cycle-driver.js';
import { messageBody } from './workload.js';

/** Per-call bookkeeping; only calls that *complete* inside the window count. */
class CallRecorder {
  readonly histogram = new LatencyHistogram();
  errors = 0;
  failedEntries = 0;

  stats(): CallStats {
    return { ...this.histogram.summary(), errors: this.errors, failedEntries: this.failedEntries };
  }
}

class CycleMeasurement {
  windowStart = Number.POSITIVE_INFINITY;
  windowEnd = Number.POSITIVE_INFINITY;
  readonly calls: Record<CallName, CallRecorder> = {
    send: new CallRecorder(),
    receive: new CallRecorder(),
    delete: new CallRecorder(),
  };
  cycled = 0;
  sent = 0;
  received = 0;
  emptyReceives = 0;
  readonly errorSamples: string[] = [];

  inWindow(at: number): boolean {
    return at >= this.windowStart && at <= this.windowEnd;
  }

  /** Runs one call, timing it; failures are counted and rethrown to abandon the cycle. */
  async timed<T>(call: CallName, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const value = await run();
      const ended = performance.now();
      if (this.inWindow(ended)) this.calls[call].histogram.recordMillis(ended - started);
      return value;
    } catch (error) {
      if (this.inWindow(performance.now())) this.calls[call].errors += 1;
      this.sample(`${call}: ${describeError(error)}`);
      throw error;
    }
  }

  batchOutcome(call: CallName, outcome: BatchOutcome, at: number): void {
    if (outcome.failed === 0 || !this.inWindow(at)) return;
    this.calls[call].failedEntries += outcome.failed;
    if (outcome.firstFailure) this.sample(`${call} entry failed: ${outcome.firstFailure}`);
  }

  sample(text: string): void {
    if (this.errorSamples.length < MAX_ERROR_SAMPLES && !this.errorSamples.includes(text)) this.errorSamples.push(text);
  }
}

function createDriver(task: CycleTask, body: string): CycleDriver {
  if (task.client === 'sdk') {
    return new SdkCycleDriver(task.endpoint, task.queueUrl, body, task.waitTimeSeconds, task.concurrency, task.requestTimeoutMs);
  }
  const options: JsonClientOptions = { maxSockets: task.concurrency, requestTimeoutMs: task.requestTimeoutMs };
  const client: JsonProtocolClient =
    task.client === 'node-http' ? new NodeHttpJsonClient(task.endpoint, options) : new LeanJsonClient(task.endpoint, options);
  return new RawCycleDriver(client, task.queueUrl, body, task.waitTimeSeconds);
}

async function cycleLoop(driver: CycleDriver, m: CycleMeasurement, deadline: number, maxCycles: number): Promise<void> {
  for (let cycle = 0; cycle < maxCycles && performance.now() < deadline; cycle++) {
    try {
      const sent = await m.timed('send', () => driver.sendBatch());
      let now = performance.now();
      m.batchOutcome('send', sent, now);
      if (m.inWindow(now)) m.sent += sent.succeeded;

      const handles = await m.timed('receive', () => driver.receive());
      now = performance.now();
      if (m.inWindow(now)) {
        m.received += handles.length;
        if (handles.length === 0) m.emptyReceives += 1;
      }
      if (handles.length === 0) continue;

      const deleted = await m.timed('delete', () => driver.deleteBatch(handles));
      now = performance.now();
      m.batchOutcome('delete', deleted, now);
      if (m.inWindow(now)) m.cycled += deleted.succeeded;
    } catch {
      await sleep(ERROR_BACKOFF_MS);
    }
  }
}

export async function runCycle(task: CycleTask): Promise<CycleResult> {
  const driver = createDriver(task, messageBody(task.bodyBytes));
  const m = new CycleMeasurement();
  const started = performance.now();
  m.windowStart = started + task.warmupSeconds * 1000;
  m.windowEnd = m.windowStart + task.seconds * 1000;

  // CPU snapshots at the window edges, so CPU % covers exactly what is counted.
  const cpu = new CpuWindow(task.serverPid);
  const startTimer = setTimeout(() => cpu.open(), m.windowStart - started);
  const endTimer = setTimeout(() => cpu.close(), m.windowEnd - started);

  const loops: Promise<void>[] = [];
  for (let i = 0; i < task.concurrency; i++) loops.push(cycleLoop(driver, m, m.windowEnd, task.maxCyclesPerLoop));
  await Promise.all(loops);
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  driver.close();

  const shares = cpu.result();
  const seconds = task.seconds;
  const round = (n: number): number => Math.round(n * 10) / 10;
  const result: CycleResult = {
    kind: 'cycle',
    client: task.client,
    concurrency: task.concurrency,
    measuredSeconds: seconds,
    cycledMessages: m.cycled,
    cycledPerSecond: round(m.cycled / seconds),
    sentPerSecond: round(m.sent / seconds),
    receivedPerSecond: round(m.received / seconds),
    emptyReceives: m.emptyReceives,
    calls: { send: m.calls.send.stats(), receive: m.calls.receive.stats(), delete: m.calls.delete.stats() },
    loadCpuPercent: round(shares?.loadPercent ?? Number.NaN),
    errorSamples: m.errorSamples,
  };
  if (shares?.serverPercent !== undefined) result.serverCpuPercent = round(shares.serverPercent);
  if (shares?.serverMainPercent !== undefined) result.serverMainCpuPercent = round(shares.serverMainPercent);
  if (shares?.otherPercent !== undefined) result.otherCpuPercent = round(shares.otherPercent);
  return result;
}

