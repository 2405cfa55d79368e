// The shape of bench/results/latest.json and the per-scenario medians the
// report is built from.
import type { CallName, CycleResult, PreloadResult } from './load-protocol.js';
import { median, round } from './stats.js';

export interface ServerSample {
  /** Spawn → first healthy response, ms. */
  healthyMs: number;
  readyLineMs?: number;
  rssIdleMiB?: number;
  rssPeakMiB?: number;
  rssEndMiB?: number;
}

export interface RunRecord {
  round: number;
  /** Attempts discarded because other processes were busy during them. */
  retries: number;
  /** Other processes still used more than the allowed CPU in the kept attempt. */
  disturbed: boolean;
  result: CycleResult;
  server: ServerSample;
}

export interface CallMedian {
  p50Ms: number;
  p99Ms: number;
}

export interface ScenarioMedian {
  cycledPerSecond: number;
  calls: Record<CallName, CallMedian>;
  serverCpuPercent: number;
  /**
   * Server CPU time per cycled message (µs). Unlike msgs/s this hardly moves when
   * other work on the shared machine steals cycles, so it is the steadier comparison.
   */
  serverCpuMicrosPerMessage: number;
  loadCpuPercent: number;
  otherCpuPercent: number;
  rssPeakMiB: number;
  emptyReceives: number;
  /** Failed calls + failed batch entries, summed over all runs. */
  errors: number;
  /** Runs kept although other processes were busy during them. */
  disturbedRuns: number;
}

export interface ScenarioResult {
  id: string;
  label: string;
  client: string;
  runs: RunRecord[];
  median: ScenarioMedian;
  errorSamples: string[];
}

export interface StartupResult {
  runs: number;
  postbox?: { healthyMs: number[]; readyLineMs: number[]; medianHealthyMs: number; medianReadyLineMs: number; rssIdleMiB: number };
  noop: { healthyMs: number[]; medianHealthyMs: number; rssIdleMiB: number };
}

export interface DeepResult {
  requestedMessages: number;
  preload: PreloadResult;
  depthAfterPreload?: number;
  depthAfterRuns?: number;
  rssAfterPreloadMiB?: number;
  dataDirMiB?: number;
  scenario: ScenarioResult;
  /** Stop, then start on the same data directory: spawn → healthy, ms. */
  restartHealthyMs: number[];
}

export interface BenchResults {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    /** Git commit of the measured source ("+dirty" if src/ had local changes). */
    revision: string;
    settings: Record<string, unknown>;
  };
  startup?: StartupResult;
  scenarios: ScenarioResult[];
  deep?: DeepResult;
  notes: string[];
}

export function summarise(id: string, label: string, client: string, runs: RunRecord[]): ScenarioResult {
  const results = runs.map((r) => r.result);
  const call = (name: CallName): CallMedian => ({
    p50Ms: round(median(results.map((r) => r.calls[name].p50Ms)), 2),
    p99Ms: round(median(results.map((r) => r.calls[name].p99Ms)), 2),
  });
  const errors = results.reduce((sum, r) => {
    return sum + (['send', 'receive', 'delete'] as const).reduce((s, n) => s + r.calls[n].errors + r.calls[n].failedEntries, 0);
  }, 0);
  const samples = [...new Set(results.flatMap((r) => r.errorSamples))].slice(0, 8);
  return {
    id,
    label,
    client,
    runs,
    median: {
      cycledPerSecond: Math.round(median(results.map((r) => r.cycledPerSecond))),
      calls: { send: call('send'), receive: call('receive'), delete: call('delete') },
      serverCpuPercent: round(median(results.map((r) => r.serverCpuPercent ?? Number.NaN))),
      serverCpuMicrosPerMessage: round(
        median(results.map((r) => ((r.serverCpuPercent ?? Number.NaN) / 100 / r.cycledPerSecond) * 1e6)),
        2,
      ),
      loadCpuPercent: round(median(results.map((r) => r.loadCpuPercent))),
      otherCpuPercent: round(median(results.map((r) => r.otherCpuPercent ?? Number.NaN))),
      rssPeakMiB: round(median(runs.map((r) => r.server.rssPeakMiB ?? Number.NaN))),
      emptyReceives: Math.round(median(results.map((r) => r.emptyReceives))),
      errors,
      disturbedRuns: runs.filter((r) => r.disturbed).length,
    },
    errorSamples: samples,
  };
}
