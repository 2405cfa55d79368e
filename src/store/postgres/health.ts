import { AwsError } from '../../core/errors.js';
import type { Readiness } from '../contract.js';

/** Node's socket errors that mean the database cannot be reached (now). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/** node-postgres's own words for a connection that is gone or never came. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Connection terminated unexpectedly',
  'Query read timeout',
];

/**
 * True for errors that say the database is unreachable or going away — the request may succeed once it is back —
 * as opposed to errors of the request itself. SQLSTATE class 08 (connection exception), 57P01-57P03 (the server is
 * shutting down, crashed, or still starting), 53300 (too many connections).
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code)) return true;
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  }
  return DRIVER_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * What a request gets while the database is unreachable: AWS's common ServiceUnavailable (HTTP 503, "a temporary
 * failure of the server"), which the AWS SDKs and botocore retry with backoff.
 */
export function storageUnavailable(): AwsError {
  return new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
}

export interface DatabaseHealthOptions {
  /** How often a reachable database is probed. Default 2 s. */
  intervalMs?: number;
  /** The first retry after a failure; doubles up to `intervalMs`. Default 250 ms. */
  retryMs?: number;
}

/**
 * Whether the database answers, kept current by a cheap probe (`SELECT 1` through the pool) on a timer and by the
 * failures of real calls: a call that fails for want of a connection marks the database down at once and brings the
 * next probe forward; only a probe that succeeds marks it up again. The pool itself needs no reconnecting: it opens
 * connections on demand, so each probe is also the next reconnection attempt, with backoff.
 *
 * Wall-clock timers, unref'd: this watches a real network peer, not the injected clock of Postbox's semantics.
 */
export class DatabaseHealth {
  private state: Readiness = { ready: true };
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly onChange: (state: Readiness) => void = () => {},
    options: DatabaseHealthOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.retryMs = options.retryMs ?? 250;
  }

  get current(): Readiness {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.intervalMs);
  }

  /** A call failed for want of the database. */
  failed(err: unknown): void {
    this.set({ ready: false, reason: `database unreachable: ${describe(err)}` });
    if (!this.probing) this.schedule(this.retryMs);
  }

  /** Probes now (unless a probe is running) and resolves when it has finished. */
  check(): Promise<void> {
    this.probing ??= this.probe()
      .then(
        () => {
          this.failures = 0;
          this.set({ ready: true });
        },
        (err: unknown) => {
          this.failures++;
          this.set({ ready: false, reason: `database unreachable: ${describe(err)}` });
        },
      )
      .finally(() => {
        this.probing = undefined;
        this.schedule(this.state.ready ? this.intervalMs : Math.min(this.retryMs * 2 ** Math.max(0, this.failures - 1), this.intervalMs));
      });
    return this.probing;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, ms);
    this.timer.unref();
  }

  private set(state: Readiness): void {
    const changed = state.ready !== this.state.ready;
    this.state = state;
    if (changed) this.onChange(state);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message || String(code ?? 'error');
  }
  return String(err);
}
