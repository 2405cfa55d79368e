// Start-to-ready: spawn the server repeatedly (fresh data directory each time)
// and time spawn → first healthy response, beside the no-op server as the
// baseline for what starting any Node process costs on this machine.
import { rm } from 'node:fs/promises';
import { config, log } from './context.js';
import type { StartupResult } from './results.js';
import { ServerProcess } from './server-process.js';
import { launchFor, newDataDir } from './server-setup.js';
import { median, round } from './stats.js';

/**
 * RSS is read this long after the first healthy answer: Postbox answers health before SNS and EventBridge have
 * loaded (they load just after listening, in about 100-250 ms), and "idle after start" should include them. The
 * no-op server gets the same pause.
 */
const SETTLE_MS = 1_000;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

export async function measureStartup(withPostbox: boolean): Promise<StartupResult> {
  const noop = { healthy: [] as number[], rss: [] as number[] };
  const postbox = { healthy: [] as number[], readyLine: [] as number[], rss: [] as number[] };
  for (let i = 0; i < config.startupRuns; i++) {
    const baseline = await ServerProcess.start(launchFor('noop'));
    noop.healthy.push(baseline.healthyMs);
    await settle();
    noop.rss.push(baseline.rssMiB() ?? Number.NaN);
    await baseline.stop();
    if (!withPostbox) continue;
    const dataDir = await newDataDir();
    try {
      const server = await ServerProcess.start(launchFor('postbox-durable', dataDir));
      postbox.healthy.push(server.healthyMs);
      postbox.readyLine.push(server.readyLineMs ?? Number.NaN);
      await settle();
      postbox.rss.push(server.rssMiB() ?? Number.NaN);
      await server.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const r = (values: number[]): number[] => values.map((v) => round(v));
  const result: StartupResult = {
    runs: config.startupRuns,
    noop: { healthyMs: r(noop.healthy), medianHealthyMs: round(median(noop.healthy)), rssIdleMiB: round(median(noop.rss)) },
  };
  if (withPostbox) {
    result.postbox = {
      healthyMs: r(postbox.healthy),
      readyLineMs: r(postbox.readyLine),
      medianHealthyMs: round(median(postbox.healthy)),
      medianReadyLineMs: round(median(postbox.readyLine)),
      rssIdleMiB: round(median(postbox.rss)),
    };
  }
  log(
    `start-up: postbox ${result.postbox ? result.postbox.medianHealthyMs + ' ms' : 'n/a'}, ` +
      `no-op ${result.noop.medianHealthyMs} ms (median spawn → healthy)`,
  );
  return result;
}
