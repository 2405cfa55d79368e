// One measured cycle run: hand the task to a load-generator process while
// sampling the server's memory, then turn the result into a run record.
import { rm } from 'node:fs/promises';
import { config, log } from './context.js';
import type { ClientKind, CycleTask } from './load-protocol.js';
import { runCycle } from './load-runner.js';
import { RssSampler } from './proc-stats.js';
import type { RunRecord } from './results.js';
import type { Scenario } from './scenarios.js';
import { ServerProcess } from './server-process.js';
import { createQueue, launchFor, newDataDir } from './server-setup.js';
import { round } from './stats.js';

function cycleTask(client: ClientKind, server: ServerProcess, queueUrl: string): CycleTask {
  return {
    kind: 'cycle',
    client,
    endpoint: server.endpoint,
    queueUrl,
    concurrency: config.concurrency,
    warmupSeconds: config.warmupSeconds,
    seconds: config.seconds,
    waitTimeSeconds: config.waitTimeSeconds,
    bodyBytes: config.bodyBytes,
    maxCyclesPerLoop: 10_000_000,
    requestTimeoutMs: config.requestTimeoutMs,
    serverPid: server.pid,
  };
}

/** One cycle run against an already started server, with its RSS sampled throughout. */
export async function measureCycle(
  scenarioId: string,
  server: ServerProcess,
  queueUrl: string,
  client: ClientKind,
  roundNo: number,
  rssIdleMiB?: number,
): Promise<RunRecord> {
  const sampler = new RssSampler(server.pid).start();
  const result = await runCycle(cycleTask(client, server, queueUrl));
  const rss = sampler.stop();
  const disturbed = (result.otherCpuPercent ?? 0) > config.maxOtherCpuPercent;
  const record: RunRecord = { round: roundNo, retries: 0, disturbed, result, server: { healthyMs: round(server.healthyMs) } };
  if (server.readyLineMs !== undefined) record.server.readyLineMs = round(server.readyLineMs);
  if (rssIdleMiB !== undefined) record.server.rssIdleMiB = round(rssIdleMiB);
  record.server.rssPeakMiB = round(rss.peakMiB);
  if (rss.lastMiB !== undefined) record.server.rssEndMiB = round(rss.lastMiB);
  const errors = result.calls.send.errors + result.calls.receive.errors + result.calls.delete.errors;
  log(
    `${`${scenarioId} (${result.client})`.padEnd(28)} round ${roundNo}: ${Math.round(result.cycledPerSecond).toLocaleString('en-US')} msg/s cycled, ` +
      `CPU % server/load-gen/other ${Math.round(result.serverCpuPercent ?? Number.NaN)}/${Math.round(result.loadCpuPercent)}/` +
      `${Math.round(result.otherCpuPercent ?? Number.NaN)} (server main thread ${Math.round(result.serverMainCpuPercent ?? Number.NaN)}, ` +
      `${(((result.serverMainCpuPercent ?? Number.NaN) / 100 / result.cycledPerSecond) * 1e6).toFixed(1)} µs/msg), ` +
      `RSS peak ${Math.round(rss.peakMiB)} MiB${errors ? `, ${errors} failed calls` : ''}${disturbed ? ' (disturbed)' : ''}`,
  );
  return record;
}

/** Fresh server (fresh data dir) per run, so runs do not inherit each other's state. */
export async function runScenarioOnce(scenario: Scenario, roundNo: number): Promise<RunRecord> {
  const dataDir = scenario.server === 'postbox-durable' ? await newDataDir() : undefined;
  const server = await ServerProcess.start(launchFor(scenario.server, dataDir));
  try {
    const rssIdle = server.rssMiB();
    const queueUrl = await createQueue(server.endpoint);
    return await measureCycle(scenario.id, server, queueUrl, scenario.client, roundNo, rssIdle);
  } finally {
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
