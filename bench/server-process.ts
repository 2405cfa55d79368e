// Starting and stopping the server under test — Postbox via its CLI, or the
// no-op server — as a child process, the way a deployment runs it. Start-up is
// timed from just before spawn() to (a) the "Ready." line on stdout and (b) the
// first 200 from GET /_postbox/health; (b) is what "ready" means in the report,
// because it proves requests are being served.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMiB } from './proc-stats.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const HEALTH_POLL_MS = 5;
const OUTPUT_TAIL_LINES = 40;

export interface ServerLaunch {
  /** Label for logs and errors. */
  name: string;
  /** Script run with the current node binary. */
  script: string;
  /** Arguments after the script; `{port}` is replaced by the chosen port. */
  args: string[];
}

/** Asks the OS for a free port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

function healthOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/_postbox/health', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export class ServerProcess {
  readonly outputTail: string[] = [];
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
    /** Spawn → "Ready." line, ms (undefined if never printed). */
    public readyLineMs: number | undefined,
    /** Spawn → first 200 from /_postbox/health, ms. */
    public healthyMs: number,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  get endpoint(): string {
    return `http://${HOST}:${this.port}`;
  }

  rssMiB(): number | undefined {
    return rssMiB(this.pid);
  }

  static async start(launch: ServerLaunch): Promise<ServerProcess> {
    const port = await freePort();
    const args = launch.args.map((arg) => arg.replaceAll('{port}', String(port)));
    const started = performance.now();
    const child = spawn(process.execPath, [launch.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(launch.name, child, port, undefined, Number.NaN);

    let exitError: Error | undefined;
    child.on('exit', (code, signal) => {
      server.exited = true;
      exitError = new Error(`${launch.name} exited during start-up (code ${code}, signal ${signal})`);
    });
    // Always drain output: a full pipe would block the server and skew results.
    const onOutput = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        if (server.readyLineMs === undefined && line.includes('Ready.')) server.readyLineMs = performance.now() - started;
        server.outputTail.push(line);
        if (server.outputTail.length > OUTPUT_TAIL_LINES) server.outputTail.shift();
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);

    const deadline = started + READY_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if (exitError) break;
      if (await healthOk(port)) {
        server.healthyMs = performance.now() - started;
        // The Ready line is usually printed already; give it a moment if not.
        for (let i = 0; i < 40 && server.readyLineMs === undefined && !server.exited; i++) await sleep(5);
        return server;
      }
      await sleep(HEALTH_POLL_MS);
    }
    await server.stop();
    const reason = exitError?.message ?? `${launch.name} not healthy within ${READY_TIMEOUT_MS} ms`;
    throw new Error(`${reason}\n--- output ---\n${server.outputTail.join('\n')}`);
  }

  /** SIGTERM (graceful, lets SQLite checkpoint), SIGKILL if it hangs. Returns ms to exit. */
  async stop(): Promise<number> {
    const started = performance.now();
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return 0;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = sleep(STOP_TIMEOUT_MS).then(() => 'timeout' as const);
    if ((await Promise.race([exited, timer])) === 'timeout') {
      this.child.kill('SIGKILL');
      await exited;
    }
    return performance.now() - started;
  }
}
