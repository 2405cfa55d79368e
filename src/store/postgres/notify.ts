import pg from 'pg';
import type { ClientConfig, Notification } from 'pg';

/**
 * One dedicated connection that LISTENs on a channel and hands each notification's payload on. It connects when
 * the first listener arrives and, if the connection drops (a database restart, a network cut), reconnects with
 * backoff for as long as anyone listens. Notifications sent while it is disconnected are lost (PostgreSQL does not
 * queue them for a session that is gone): after a reconnect `onReconnect` runs, so that callers can re-check.
 */
export class ChannelListener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 100;
  private stopped = false;
  /** Set while notifications may have been lost (a dropped or failed connection), until the next LISTEN. */
  private missed = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly onReconnect: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** True while LISTEN is in place on a live connection. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Starts listening (once); resolves when LISTEN is in place, or rejects if the first connection fails. */
  start(): Promise<void> {
    this.stopped = false;
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect()
      .catch((err: unknown) => {
        this.onError(err);
        this.missed = true;
        this.scheduleRetry();
        throw err;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('error', (err) => {
      this.onError(err);
      this.dropped(client);
    });
    client.on('end', () => this.dropped(client));
    client.on('notification', (n: Notification) => {
      if (n.channel === this.channel && n.payload !== undefined) this.onPayload(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryDelayMs = 100;
    if (this.missed) {
      this.missed = false;
      this.onReconnect();
    }
  }

  private dropped(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.missed = true;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped || this.client || this.connecting) return;
      this.start().catch(() => {}); // a failure reports itself and schedules the next try
    }, delay);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
