// The deep-queue scenario: one durable server preloaded with BENCH_DEEP messages,
// then the usual cycle on top of that backlog (each cycle sends and deletes ten,
// so the depth holds), then restarts on the full data directory.
import { rm } from 'node:fs/promises';
import { config, log } from './context.js';
import { measureCycle } from './cycle-measurement.js';
import { runPreload } from './load-runner.js';
import { measureUndisturbed } from './quiet-machine.js';
import { summarise, type DeepResult, type RunRecord } from './results.js';
import { DEEP_ID } from './scenarios.js';
import { ServerProcess } from './server-process.js';
import { createQueue, directoryMiB, launchFor, newDataDir, queueDepth } from './server-setup.js';
import { round } from './stats.js';

export async function measureDeepQueue(): Promise<DeepResult> {
  const dataDir = await newDataDir();
  try {
    let server = await ServerProcess.start(launchFor('postbox-durable', dataDir));
    const runs: RunRecord[] = [];
    const restartHealthyMs: number[] = [];
    let deep: Omit<DeepResult, 'scenario' | 'restartHealthyMs'>;
    try {
      const queueUrl = await createQueue(server.endpoint);
      log(`deep queue: preloading ${config.deepMessages.toLocaleString('en-US')} messages…`);
      const preload = await runPreload(
        {
          kind: 'preload',
          endpoint: server.endpoint,
          queueUrl,
          concurrency: config.preloadConcurrency,
          messages: config.deepMessages,
          bodyBytes: config.bodyBytes,
          timeLimitSeconds: config.preloadTimeLimitSeconds,
          requestTimeoutMs: config.requestTimeoutMs,
        },
        (text) => log(text),
      );
      log(`preloaded ${preload.sentMessages.toLocaleString('en-US')} in ${preload.seconds} s (${preload.messagesPerSecond.toLocaleString('en-US')} msg/s), ${preload.errors} errors`);
      deep = { requestedMessages: config.deepMessages, preload };
      const depth = await queueDepth(server.endpoint, queueUrl);
      if (depth !== undefined) deep.depthAfterPreload = depth;
      const rss = server.rssMiB();
      if (rss !== undefined) deep.rssAfterPreloadMiB = round(rss);
      deep.dataDirMiB = round(await directoryMiB(dataDir));
      for (let r = 1; r <= config.repeats; r++) {
        runs.push(await measureUndisturbed(() => measureCycle(DEEP_ID, server, queueUrl, 'lean', r)));
      }
      const after = await queueDepth(server.endpoint, queueUrl);
      if (after !== undefined) deep.depthAfterRuns = after;
    } finally {
      await server.stop();
    }
    // Restart on the full data directory: does start-up time grow with the backlog?
    for (let i = 0; i < Math.min(3, config.startupRuns); i++) {
      server = await ServerProcess.start(launchFor('postbox-durable', dataDir));
      restartHealthyMs.push(round(server.healthyMs));
      await server.stop();
    }
    log(`restart with the deep queue on disk: ${restartHealthyMs.join(', ')} ms to healthy`);
    const scenario = summarise(DEEP_ID, `Postbox, durable, ${config.deepMessages.toLocaleString('en-US')} queued`, 'lean', runs);
    return { ...deep, scenario, restartHealthyMs };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
