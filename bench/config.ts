// Benchmark settings, all overridable from the environment so a quick run
// (BENCH_SECONDS=3 BENCH_REPEATS=1 BENCH_DEEP=0) and the full recorded run use
// the same code. Defaults keep the whole `npm run bench` under ~10 minutes on
// the 2-core reference machine.
import os from 'node:os';
import path from 'node:path';

export interface BenchConfig {
  /** Measured seconds per run (after warm-up). */
  seconds: number;
  warmupSeconds: number;
  /** Runs per scenario; the report quotes the median. */
  repeats: number;
  /** Concurrent cycle loops = keep-alive connections. */
  concurrency: number;
  bodyBytes: number;
  /** ReceiveMessage WaitTimeSeconds inside the cycle. */
  waitTimeSeconds: number;
  /** Messages preloaded for the deep-queue scenario; 0 skips it. */
  deepMessages: number;
  preloadConcurrency: number;
  preloadTimeLimitSeconds: number;
  /** Spawn-to-ready measurements per server. */
  startupRuns: number;
  /** Scenario ids to run (see scenarios.ts); empty = the default set. */
  scenarios: string[];
  /** Extra arguments for `postbox start`, e.g. a log level. */
  postboxArgs: string[];
  /** Parent of the temporary data directories (must be a real disk for durable numbers). */
  dataParent: string;
  requestTimeoutMs: number;
  /**
   * A run during which other processes kept more than this % of a core busy is
   * "disturbed": it is repeated (once per run, within disturbedRetries overall)
   * and the least disturbed attempt kept, because contention depresses the
   * no-op ceiling (which needs both cores) far more than it does Postbox.
   */
  maxOtherCpuPercent: number;
  disturbedRetries: number;
  /** Total seconds the run may spend waiting, before runs, for other processes to go quiet. */
  quietWaitSeconds: number;
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

function listFromEnv(name: string, separator: RegExp): string[] {
  return (process.env[name] ?? '').split(separator).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function loadConfig(): BenchConfig {
  return {
    seconds: numberFromEnv('BENCH_SECONDS', 10),
    warmupSeconds: numberFromEnv('BENCH_WARMUP_SECONDS', 3),
    repeats: Math.max(1, Math.round(numberFromEnv('BENCH_REPEATS', 3))),
    concurrency: Math.max(1, Math.round(numberFromEnv('BENCH_CONCURRENCY', 32))),
    bodyBytes: Math.round(numberFromEnv('BENCH_BODY_BYTES', 256)),
    waitTimeSeconds: Math.round(numberFromEnv('BENCH_WAIT_SECONDS', 0)),
    deepMessages: Math.round(numberFromEnv('BENCH_DEEP', 1_000_000)),
    preloadConcurrency: Math.max(1, Math.round(numberFromEnv('BENCH_PRELOAD_CONCURRENCY', 64))),
    preloadTimeLimitSeconds: numberFromEnv('BENCH_PRELOAD_TIME_LIMIT', 900),
    startupRuns: Math.max(1, Math.round(numberFromEnv('BENCH_STARTUP_RUNS', 10))),
    scenarios: listFromEnv('BENCH_SCENARIOS', /,/),
    postboxArgs: listFromEnv('BENCH_POSTBOX_ARGS', /\s+/),
    dataParent: process.env['BENCH_DATA_DIR'] ?? path.join(os.tmpdir()),
    requestTimeoutMs: numberFromEnv('BENCH_REQUEST_TIMEOUT_MS', 30_000),
    maxOtherCpuPercent: numberFromEnv('BENCH_MAX_OTHER_CPU', 25),
    disturbedRetries: Math.round(numberFromEnv('BENCH_DISTURBED_RETRIES', 8)),
    quietWaitSeconds: numberFromEnv('BENCH_QUIET_WAIT', 180),
  };
}
