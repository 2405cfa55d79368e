// Guarding measurements against other work on the shared machine. Contention
// depresses the no-op ceiling (which needs both cores) far more than a broker
// bound to one core, so a measurement taken while, say, a test suite runs would
// flatter Postbox. Runs wait for quiet first, and a disturbed run is repeated.
import { config, log } from './context.js';
import { machineBusySeconds } from './proc-stats.js';
import type { RunRecord } from './results.js';

/** CPU busy on the machine over a short idle interval (% of one core): other work that will skew the figures. */
export async function backgroundCpuPercent(seconds = 2): Promise<number | undefined> {
  const before = machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = machineBusySeconds();
  return before === undefined || after === undefined ? undefined : ((after - before) / seconds) * 100;
}

let retriesLeft = config.disturbedRetries;
let quietWaitLeftMs = config.quietWaitSeconds * 1000;

/**
 * Waits, up to `maxSeconds` and within the run's overall budget, until other
 * processes leave the machine (nearly) idle: measuring while, say, a test suite
 * runs would mostly measure the test suite.
 */
export async function waitForQuiet(maxSeconds = 30): Promise<void> {
  const started = Date.now();
  const deadline = started + Math.min(maxSeconds * 1000, quietWaitLeftMs);
  let announced = false;
  while (Date.now() < deadline) {
    const busy = await backgroundCpuPercent(1);
    if (busy === undefined || busy <= config.maxOtherCpuPercent) break;
    if (!announced) log(`waiting for other processes to go quiet (${Math.round(busy)} % of a core busy)…`);
    announced = true;
  }
  quietWaitLeftMs = Math.max(0, quietWaitLeftMs - (Date.now() - started));
}

/** Repeats a disturbed measurement (once, budget permitting) and keeps the less disturbed attempt. */
export async function measureUndisturbed(measure: () => Promise<RunRecord>): Promise<RunRecord> {
  await waitForQuiet();
  const first = await measure();
  if (!first.disturbed || retriesLeft <= 0) return first;
  retriesLeft -= 1;
  await waitForQuiet(60);
  const second = await measure();
  const other = (r: RunRecord): number => r.result.otherCpuPercent ?? 0;
  const kept = other(second) < other(first) ? second : first;
  return { ...kept, retries: 1 };
}
