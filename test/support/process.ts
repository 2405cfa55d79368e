/**
 * Runs the real `postbox` CLI (dist/src/cli/main.js) as a child process, for the CLI and crash tests: spawn it,
 * wait for `Ready.` on stdout, learn the port it printed, and make sure every child is killed and every temp dir
 * removed when a test file ends, even when it fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled CLI: dist/test/support/process.js → dist/src/cli/main.js. POSTBOX_TEST_CLI points the tests at
 * another build (say, a deliberately broken copy, to see the crash test catch it).
 */
export const CLI_PATH = process.env['POSTBOX_TEST_CLI'] ?? fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Port the CLI printed it listens on. */
  readonly port: number;
  /** Always the loopback address: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The line that names the endpoint, as printed. */
  readonly endpointLine: string;
  /** Milliseconds from spawn to `Ready.` on stdout. */
  readonly readyMs: number;
  /** Resolves when the process has exited (and its stdio closed). */
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Sends a signal; a no-op when the process is gone. */
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL, then waits for the exit. */
  kill9(): Promise<Exit>;
  /** SIGTERM and waits for the exit, escalating to SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<Exit>;
}

export interface SpawnOptions {
  /** Arguments after `start` (or the whole argv when `rawArgs` is set). */
  args?: string[];
  /** Use `args` as the whole argv (no implicit `start`, no implicit --host/--log-level). */
  rawArgs?: boolean;
  /** Extra environment; POSTBOX_* variables of the test process itself are never inherited. */
  env?: Record<string, string>;
  cwd?: string;
  /** Add `--host 127.0.0.1` unless the args or env set a host. Default true. */
  loopback?: boolean;
  /** Add `--log-level warn` unless the args or env set one. Default true. */
  quiet?: boolean;
  /** How long to wait for `Ready.`. Default 10 s. */
  readyTimeoutMs?: number;
  /**
   * After `Ready.`, also wait for one health answer before resolving. Default true: the answer proves the child's
   * event loop has moved past the code that printed `Ready.`, so a signal sent right away finds its handlers
   * installed. (lifecycle.test.ts checks the raw `Ready.`-then-signal case on its own.)
   */
  awaitHealth?: boolean;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();

function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('POSTBOX_')) env[k] = v;
  return { ...env, ...extra };
}

function buildArgs(o: SpawnOptions): string[] {
  const args = o.args ?? [];
  if (o.rawArgs) return [...args];
  const env = o.env ?? {};
  const out = ['start', ...args];
  if ((o.loopback ?? true) && !args.includes('--host') && env['POSTBOX_HOST'] === undefined) out.push('--host', '127.0.0.1');
  if ((o.quiet ?? true) && !args.includes('--log-level') && env['POSTBOX_LOG_LEVEL'] === undefined) out.push('--log-level', 'warn');
  return out;
}

/** Spawns the CLI without waiting for anything; the process is tracked for `killAll`. */
export function spawnCli(o: SpawnOptions = {}): { child: ChildProcess; exited: Promise<Exit>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [CLI_PATH, ...buildArgs(o)], {
    cwd: o.cwd ?? process.cwd(),
    env: childEnv(o.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, exited, stdout: () => out, stderr: () => err };
}

const ENDPOINT_LINE = /^.*listening on (http:\/\/\S+).*$/m;

/** Spawns `postbox start …` and resolves once it printed `Ready.`; rejects (and kills it) if it exits or times out first. */
export async function startCli(o: SpawnOptions = {}): Promise<CliProcess> {
  const started = performance.now();
  const { child, exited, stdout, stderr } = spawnCli(o);
  const timeoutMs = o.readyTimeoutMs ?? 10_000;
  let readyMs = 0;
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => {
      if (/^Ready\.$/m.test(stdout())) {
        readyMs = performance.now() - started;
        finish();
      }
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`postbox did not print Ready. within ${timeoutMs} ms\nstdout: ${stdout()}\nstderr: ${stderr()}`));
    }, timeoutMs);
    child.stdout!.on('data', onData);
    void exited.then((e) => finish(new Error(`postbox exited (${e.code ?? e.signal}) before Ready.\nstdout: ${stdout()}\nstderr: ${stderr()}`)));
  });
  const m = ENDPOINT_LINE.exec(stdout());
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`no endpoint line in stdout: ${stdout()}`);
  }
  const port = Number(new URL(m[1]!).port);
  if (o.awaitHealth ?? true) {
    try {
      await getHealth(`http://127.0.0.1:${port}`);
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`printed Ready. but health did not answer: ${String(err)}`);
    }
  }
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return {
    child,
    pid: child.pid!,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    endpointLine: m[0],
    readyMs,
    exited,
    stdout,
    stderr,
    signal,
    async kill9() {
      signal('SIGKILL');
      return exited;
    },
    async stop(timeoutMs = 10_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs the CLI to completion (for commands that exit by themselves), killing it after `timeoutMs`. */
export async function runCli(o: SpawnOptions & { timeoutMs?: number } = {}): Promise<Exit & { stdout: string; stderr: string }> {
  const { child, exited, stdout, stderr } = spawnCli({ ...o, loopback: o.loopback ?? false, quiet: o.quiet ?? false });
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 10_000);
  try {
    const e = await exited;
    return { ...e, stdout: stdout(), stderr: stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every CLI child still running; for `after` hooks. */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((r) => child.once('close', r)));
      child.kill('SIGKILL');
    }
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(waits), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
  clearTimeout(timer);
}

/** A fresh temporary directory, removed by `removeTempDirs`. */
export function tempDir(prefix = 'postbox-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** Everything a test file's `after` hook needs. */
export async function cleanup(): Promise<void> {
  await killAll();
  removeTempDirs();
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something can listen on `port` on every interface right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, () => srv.close(() => resolve(true)));
  });
}

export interface Health {
  status: string;
  version: string;
  storage: string;
  services: Record<string, string>;
  [k: string]: unknown;
}

/** GETs a health path; throws on a non-200 or non-JSON answer. */
export async function getHealth(endpoint: string, path = '/_postbox/health'): Promise<Health> {
  const res = await fetch(endpoint + path, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  if (!String(res.headers.get('content-type')).includes('application/json')) throw new Error(`${path}: not JSON`);
  return (await res.json()) as Health;
}

/** Polls the health endpoint until it answers, for at most `timeoutMs`. */
export async function waitForHealth(endpoint: string, timeoutMs = 5_000): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await getHealth(endpoint);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`health did not answer within ${timeoutMs} ms: ${String(last)}`);
}
