// Linux /proc readers for another process's memory and CPU time. The server runs
// in its own process, so its own process.memoryUsage() is out of reach; /proc is.
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Resident set size in MiB, or undefined when the process is gone / not on Linux. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * User + system CPU seconds consumed so far by all threads of `pid`, or with `thread` by that thread alone (the
 * main thread's id is the process id).
 */
export function cpuSeconds(pid: number, thread?: number): number | undefined {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS on an interval and keeps the peak; cheap enough to leave on during load. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private last: number | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): { peakMiB: number; lastMiB: number | undefined } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return { peakMiB: this.peak, lastMiB: this.last };
  }

  private sample(): void {
    const rss = rssMiB(this.pid);
    if (rss === undefined) return;
    this.last = rss;
    if (rss > this.peak) this.peak = rss;
  }
}

/** CPU seconds all processes on the machine have spent busy (every core summed), from /proc/stat. */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
