import pg from 'pg';
import type { ClientConfig } from 'pg';
import type { LeaderLease, Leadership } from '../leadership.js';

export interface PostgresLeadershipOptions {
  /** How often a standby tries to take its roles, and the holder checks its connection. Default 1 s. */
  intervalMs?: number;
  /** Errors of the leadership connection (a restarting database); default: ignored. */
  onError?: (err: unknown) => void;
}

/** Longest pause between attempts while the database cannot be reached. */
const MAX_BACKOFF_MS = 5_000;

/**
 * Leader election on PostgreSQL: one dedicated connection per node holds a session-level advisory lock per role
 * (`pg_try_advisory_lock`, keyed by schema and role). A session lock lives exactly as long as its connection, so
 * when the leader's process dies (kill -9 included) the server closes the session and frees the lock, and a
 * standby's next attempt — at most `intervalMs` later — takes it.
 *
 * The leader notices a lost connection through the connection's error/end events and, failing those (a network
 * cut), through a heartbeat query each interval that must answer within the interval: then it stops calling
 * itself leader at once, since the server may already have freed its lock. It reconnects with backoff and campaigns
 * again.
 *
 * Not a pooled connection: a pool would hand the session (and its locks) to other work, and recycle it.
 */
export class PostgresLeadership implements Leadership {
  private client: pg.Client | undefined;
  private readonly leases = new Map<string, PgLease>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private failures = 0;
  private readonly intervalMs: number;

  constructor(
    private readonly config: ClientConfig,
    private readonly schema: string,
    private readonly options: PostgresLeadershipOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1_000;
  }

  lease(role: string): LeaderLease {
    if (this.closed) throw new Error('leadership is closed');
    let lease = this.leases.get(role);
    if (!lease) {
      lease = new PgLease(role, `postbox-leader:${this.schema}:${role}`, (l) => this.release(l));
      this.leases.set(role, lease);
      this.attempt();
    }
    return lease;
  }

  /** Resolves after the attempt in progress (or a new one) has finished. */
  async settled(): Promise<void> {
    if (this.closed) return;
    await this.attempt();
  }

  /** Runs one round now (unless one is running), then schedules the next. */
  private attempt(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.round().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  private schedule(): void {
    if (this.closed || this.leases.size === 0) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = this.failures === 0 ? this.intervalMs : Math.min(this.intervalMs * 2 ** this.failures, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, delay);
    this.timer.unref();
  }

  /** One round: connect if needed, check the connection of held roles, try to take the others. */
  private async round(): Promise<void> {
    if (this.leases.size === 0) return;
    try {
      const client = this.client ?? (await this.connect());
      const held = [...this.leases.values()].filter((l) => l.held);
      const wanted = [...this.leases.values()].filter((l) => !l.held);
      if (held.length) await client.query('SELECT 1');
      if (wanted.length) {
        const { rows } = await client.query<{ got: boolean[] }>(
          'SELECT array_agg(pg_try_advisory_lock(hashtextextended(k, 0)) ORDER BY o) AS got FROM unnest($1::text[]) WITH ORDINALITY AS t(k, o)',
          [wanted.map((l) => l.key)],
        );
        const got = rows[0]?.got ?? [];
        if (this.client !== client) return; // dropped meanwhile: the locks went with the session
        wanted.forEach((l, i) => {
          if (got[i] && this.leases.get(l.role) === l) l.set(true);
          else if (got[i]) void this.unlock(client, l.key); // released while the attempt ran
        });
      }
      this.failures = 0;
    } catch (err) {
      this.options.onError?.(err);
      this.failures++;
      this.drop();
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      ...this.config,
      // A heartbeat that does not answer within the interval counts as a lost connection.
      query_timeout: Math.max(this.intervalMs, 1_000),
      connectionTimeoutMillis: Math.max(this.intervalMs * 2, 2_000),
      keepAlive: true,
    });
    client.on('error', (err) => {
      this.options.onError?.(err);
      if (this.client === client) this.drop();
    });
    client.on('end', () => {
      if (this.client === client) this.drop();
    });
    try {
      await client.connect();
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('leadership is closed');
    }
    this.client = client;
    return client;
  }

  /** The connection is gone or suspect: no role is held any more (the server frees them with the session). */
  private drop(): void {
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.end().catch(() => {});
    }
    for (const l of this.leases.values()) l.set(false);
    if (!this.running) this.schedule();
  }

  private async unlock(client: pg.Client, key: string): Promise<void> {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((err: unknown) => this.options.onError?.(err));
  }

  private async release(lease: PgLease): Promise<void> {
    if (this.leases.get(lease.role) !== lease) return;
    this.leases.delete(lease.role);
    const wasHeld = lease.held;
    lease.set(false);
    await this.running?.catch(() => {});
    if (wasHeld && this.client) await this.unlock(this.client, lease.key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
    for (const l of this.leases.values()) l.set(false);
    this.leases.clear();
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      // Ending the session frees its advisory locks: a standby takes over on its next attempt.
      await client.end().catch(() => {});
    }
  }
}

class PgLease implements LeaderLease {
  held = false;
  private readonly listeners = new Set<(held: boolean) => void>();

  constructor(
    readonly role: string,
    readonly key: string,
    private readonly onRelease: (lease: PgLease) => Promise<void>,
  ) {}

  set(held: boolean): void {
    if (this.held === held) return;
    this.held = held;
    for (const l of [...this.listeners]) {
      try {
        l(held);
      } catch {
        // A listener's failure is its own; the lease's state stands.
      }
    }
  }

  onChange(listener: (held: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  release(): Promise<void> {
    return this.onRelease(this);
  }
}
