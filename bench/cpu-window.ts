// CPU use over the measured window, split three ways: this load generator, the
// server, and everything else on the machine. The third figure matters on a
// shared 2-core box: when other work runs, the no-op ceiling (which needs both
// cores) drops more than a CPU-bound broker does, so the report must show it.
import { performance } from 'node:perf_hooks';
import { cpuSeconds, machineBusySeconds } from './proc-stats.js';

interface Snapshot {
  at: number;
  load: NodeJS.CpuUsage;
  server: number | undefined;
  /** The server's main thread (the one serving requests; others commit and checkpoint). */
  serverMain: number | undefined;
  machine: number | undefined;
}

export interface CpuShares {
  /** % of one core. */
  loadPercent: number;
  serverPercent?: number;
  /** The server's main thread alone: at 100 % it is what limits throughput. */
  serverMainPercent?: number;
  /** Busy CPU of all other processes and the kernel's unattributed work, % of one core. */
  otherPercent?: number;
}

export class CpuWindow {
  private start: Snapshot | undefined;
  private shares: CpuShares | undefined;

  constructor(private readonly serverPid: number | undefined) {}

  private snapshot(): Snapshot {
    return {
      at: performance.now(),
      load: process.cpuUsage(),
      server: this.serverPid === undefined ? undefined : cpuSeconds(this.serverPid),
      serverMain: this.serverPid === undefined ? undefined : cpuSeconds(this.serverPid, this.serverPid),
      machine: machineBusySeconds(),
    };
  }

  open(): void {
    this.start = this.snapshot();
  }

  close(): void {
    if (!this.start) return;
    const end = this.snapshot();
    const seconds = (end.at - this.start.at) / 1000;
    const percent = (cpu: number): number => (cpu / seconds) * 100;
    const loadUsage = process.cpuUsage(this.start.load);
    const load = (loadUsage.user + loadUsage.system) / 1e6;
    const shares: CpuShares = { loadPercent: percent(load) };
    if (end.server !== undefined && this.start.server !== undefined) {
      const server = end.server - this.start.server;
      shares.serverPercent = percent(server);
      if (end.serverMain !== undefined && this.start.serverMain !== undefined) shares.serverMainPercent = percent(end.serverMain - this.start.serverMain);
      if (end.machine !== undefined && this.start.machine !== undefined) {
        shares.otherPercent = Math.max(0, percent(end.machine - this.start.machine - server - load));
      }
    }
    this.shares = shares;
  }

  result(): CpuShares | undefined {
    return this.shares;
  }
}
