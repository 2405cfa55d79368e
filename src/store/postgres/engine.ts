import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import { randomToken } from '../../core/ids.js';
import type {
  FifoSendOptions,
  MoveDestination,
  MoveTaskChange,
  MoveTaskRecord,
  NewMessage,
  QueueChange,
  QueueCounts,
  QueueKey,
  QueueRecord,
  Readiness,
  ReceiptOutcome,
  ReceiptRef,
  ReceiveOptions,
  SendResult,
  Store,
  StoredMessage,
} from '../contract.js';
import { deadLetterArnOf, storedMessage, type MessageRowOf } from '../message-row.js';
import { PostgresDeliveryLog } from './delivery-log.js';
import type { PostgresHost } from './host.js';
import { PostgresEventsStore } from './events.js';
import { ChannelListener } from './notify.js';
import { PostgresLeadership, type PostgresLeadershipOptions } from './leadership.js';
import { DatabaseHealth, isConnectionError, storageUnavailable, type DatabaseHealthOptions } from './health.js';
import { migrate } from './schema.js';
import { PostgresSnsStore } from './sns.js';
import { statements, type Statement, type Statements } from './sql.js';

export interface PostgresOptions {
  /** A libpq-style URL, e.g. `postgres://user:pass@host:5432/db`. */
  connectionString: string;
  /** The schema holding Postbox's tables (created if missing). Default `postbox`. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long a call waits for a new connection before failing. Default 10 s. */
  connectionTimeoutMs?: number;
  /** Errors of idle connections and of the LISTEN connection (a restarting database); default: ignored. */
  onError?: (err: unknown) => void;
  /** Called when the database becomes unreachable or reachable again (see `readiness`). */
  onReadinessChange?: (readiness: Readiness) => void;
  /** How often the database is probed while it answers, and how soon after a failure. */
  healthProbe?: DatabaseHealthOptions;
  /**
   * How long `open` keeps trying while the database cannot be reached (a database that starts after Postbox, as in a
   * compose file or a pod); default 0: fail at once. Other errors (bad credentials, a bad schema) fail at once.
   */
  startupWaitMs?: number;
  /** Told of each failed attempt `open` will retry, and when the next comes. */
  onStartupRetry?: (err: unknown, retryInMs: number) => void;
  /** Aborts an `open` that is still waiting for the database (a stop requested meanwhile). */
  signal?: AbortSignal;
}

/** The first wait between attempts to reach the database at open; it doubles up to STARTUP_RETRY_MAX_MS. */
const STARTUP_RETRY_MS = 250;
const STARTUP_RETRY_MAX_MS = 2_000;

/** How long a FIFO ReceiveRequestAttemptId is remembered (AWS: five minutes). */
const RECEIVE_ATTEMPT_WINDOW_MS = 5 * 60_000;

/** A receive first deletes up to this many expired rows of its queue; the sweep takes any rest. */
const EXPIRED_PER_RECEIVE = 1_000;

/** A transaction that lost a deadlock (or a serialization conflict) runs again, up to this many times. */
const TRANSACTION_ATTEMPTS = 4;

/** bigint columns (OID 20): ids and millisecond times, all well inside 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

interface QueueRow {
  id: number;
  account_id: string;
  region: string;
  name: string;
  fifo: boolean;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
}

type MessageRow = MessageRowOf<Buffer>;

interface ReceiptState {
  id: number;
  receipt_token: string | null;
  visible_at: number;
  received_at: number | null;
  group_id: string | null;
  sequence_number: string | null;
}

/** A message to insert: what a send writes, or a row moving in from another queue (keeping its receive count). */
interface InsertRow extends NewMessage {
  receiveCount: number;
  firstReceivedAt: number | null;
}

/** A receive in progress: its options and the token every message it takes gets. */
interface ReceiveRun extends ReceiveOptions {
  token: string;
}

type Queryable = Pool | PoolClient;

/**
 * The PostgreSQL engine: several Postbox nodes may share one database. Every method is one transaction (often one
 * statement). Receives lock what they take with FOR UPDATE SKIP LOCKED, so two nodes never hand one message to two
 * consumers; every change to a FIFO message first locks its group's row in `fifo_groups`, so a group delivers in
 * order and to one consumer at a time across nodes; deduplication ids are claimed through a primary key.
 *
 * Nothing is cached across calls: other nodes change queues and messages at any time.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';
  readonly schema: string;
  private readonly pool: Pool;
  private readonly s: Statements;
  private readonly quotedSchema: string;
  /** The LISTEN/NOTIFY channel of this schema. */
  readonly channel: string;
  private readonly options: PostgresOptions;
  /** Receipt tokens: a random prefix per store and a counter — unique across nodes, and cheap. */
  private readonly tokenPrefix = randomToken(6);
  private tokenCounter = 0;
  private readonly listeners = new Set<(queueId: number | undefined) => void>();
  private listener: ChannelListener | undefined;
  private leaders: PostgresLeadership | undefined;
  private readonly health: DatabaseHealth;
  private closed = false;
  private sns: PostgresSnsStore | undefined;
  private log: PostgresDeliveryLog | undefined;

  constructor(options: PostgresOptions) {
    const schema = options.schema ?? 'postbox';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    this.options = options;
    this.schema = schema;
    this.quotedSchema = `"${schema}"`;
    this.s = statements(this.quotedSchema);
    const channel = `postbox:${schema}`;
    this.channel = Buffer.byteLength(channel) <= 63 ? channel : `postbox:${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      types,
      idleTimeoutMillis: 30_000,
      // With the database down, a call fails after this long instead of waiting for a connection forever.
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      // Notice a peer that vanished without closing the connection (a failover, a network cut).
      keepAlive: true,
    };
    this.pool = new pg.Pool(config);
    // Without a handler an idle connection's error (the database restarting) would crash the process.
    this.pool.on('error', (err) => this.options.onError?.(err));
    this.health = new DatabaseHealth(() => this.pool.query('SELECT 1'), (r) => this.options.onReadinessChange?.(r), options.healthProbe);
  }

  /**
   * Opens a store: creates and migrates its schema. While the database cannot be reached, tries again (with backoff)
   * for up to `startupWaitMs`.
   */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    const deadline = Date.now() + (options.startupWaitMs ?? 0);
    let delay = STARTUP_RETRY_MS;
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        try {
          await store.open();
          return store;
        } catch (err) {
          const left = deadline - Date.now();
          if (!isConnectionError(err) || left <= 0) throw err;
          const wait = Math.min(delay, left);
          options.onStartupRetry?.(err, wait);
          await sleep(wait, undefined, options.signal ? { signal: options.signal } : {});
          delay = Math.min(delay * 2, STARTUP_RETRY_MAX_MS);
        }
      }
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Creates the schema and applies pending migrations; safe when several nodes start at once. */
  async open(): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await migrate(client, this.schema, this.quotedSchema, Date.now());
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      client.release(broken);
    }
    if (!this.closed) this.health.start();
  }

  /**
   * Ready while the database answers and, once cross-node wake-ups are in use, the LISTEN connection is in place
   * (without it, long polls here would not hear of sends on other nodes until their wait ends).
   */
  readiness(): Readiness {
    const db = this.health.current;
    if (!db.ready) return db;
    if (this.listener && !this.listener.connected) return { ready: false, reason: 'the LISTEN connection (cross-node wake-ups) is reconnecting' };
    return db;
  }

  /**
   * A failure for want of the database becomes AWS's retryable ServiceUnavailable (and marks the database down);
   * anything else is the request's own error and passes unchanged.
   */
  private translate(err: unknown): unknown {
    if (!isConnectionError(err) || this.closed) return err;
    this.health.failed(err);
    return storageUnavailable();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Plumbing
  // -------------------------------------------------------------------------------------------------------------

  private async run<R extends QueryResultRow = QueryResultRow>(c: Queryable, st: Statement, values: unknown[]): Promise<R[]> {
    try {
      const result = await c.query<R>({ name: st.name, text: st.text, values });
      return result.rows;
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async runCount(c: Queryable, st: Statement, values: unknown[]): Promise<number> {
    try {
      const result = await c.query({ name: st.name, text: st.text, values });
      return result.rowCount ?? 0;
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * Runs `fn` in one transaction on one connection; a deadlock victim runs again. A transaction whose connection
   * dies is not retried here: its COMMIT may or may not have happened, so the client (which gets a retryable
   * ServiceUnavailable) decides — at-least-once, as with AWS.
   */
  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    try {
      return await this.txAttempts(fn);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async txAttempts<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable (the server went away): the pool must not hand it out again.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        if (attempt < TRANSACTION_ATTEMPTS && isRetryable(err)) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  private nextToken(): string {
    return this.tokenPrefix + (this.tokenCounter++).toString(36);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Queues
  // -------------------------------------------------------------------------------------------------------------

  async createQueue(q: Omit<QueueRecord, 'id'>): Promise<{ queue: QueueRecord; created: boolean }> {
    const inserted = await this.run<QueueRow>(this.pool, this.s.insertQueue, [
      q.accountId,
      q.region,
      q.name,
      q.fifo,
      JSON.stringify(q.attributes),
      JSON.stringify(q.tags),
      deadLetterArnOf(q.attributes),
      q.createdAt,
      q.modifiedAt,
    ]);
    if (inserted[0]) return { queue: toQueue(inserted[0]), created: true };
    // The key exists (a concurrent create waited on the unique index until the first one committed).
    const existing = await this.getQueue(q);
    if (existing) return { queue: existing, created: false };
    // Deleted between the two statements: try again.
    return this.createQueue(q);
  }

  async getQueue(key: QueueKey): Promise<QueueRecord | undefined> {
    const [row] = await this.run<QueueRow>(this.pool, this.s.getQueue, [key.accountId, key.region, key.name]);
    return row && toQueue(row);
  }

  async getQueueById(id: number): Promise<QueueRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const [row] = await this.run<QueueRow>(this.pool, this.s.getQueueById, [id]);
    return row && toQueue(row);
  }

  async listQueues(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<QueueRecord[]> {
    // `name >= prefix AND name < prefix + U+FFFF` (byte order, COLLATE "C") keeps the prefix search on the unique index.
    const rows = await this.run<QueueRow>(this.pool, this.s.listQueues, [accountId, region, prefix, prefix + '\uffff', startAfter ?? '', limit]);
    return rows.map(toQueue);
  }

  async listDeadLetterSources(deadLetterArn: string, startAfter: string | undefined, limit: number): Promise<QueueRecord[]> {
    const rows = await this.run<QueueRow>(this.pool, this.s.listDeadLetterSources, [deadLetterArn, startAfter ?? '', limit]);
    return rows.map(toQueue);
  }

  async updateQueue(id: number, change: QueueChange): Promise<QueueRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    return this.tx(async (c) => {
      // The row lock makes a concurrent update (on any node) wait, then read what this one wrote: no lost update.
      const [row] = await this.run<QueueRow>(c, this.s.lockQueueForUpdate, [id]);
      // A queue deleted meanwhile stays deleted.
      if (!row) return undefined;
      const current = toQueue(row);
      const next = change(current);
      const q: QueueRecord = { ...current, attributes: { ...next.attributes }, tags: { ...next.tags }, modifiedAt: next.modifiedAt };
      await this.run(c, this.s.updateQueue, [JSON.stringify(q.attributes), JSON.stringify(q.tags), deadLetterArnOf(q.attributes), q.modifiedAt, q.id]);
      return q;
    });
  }

  async deleteQueue(id: number): Promise<void> {
    await this.tx(async (c) => {
      await this.run(c, this.s.deleteQueueRow, [id]);
      await this.run(c, this.s.purgeGroups, [id]);
      await this.run(c, this.s.purgeMessages, [id]);
      await this.run(c, this.s.purgeDedup, [id]);
      await this.run(c, this.s.purgeAttempts, [id]);
      // Long polls on the queue, on any node, wake and find it gone.
      await this.run(c, this.s.notify, [this.channel, String(id)]);
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Sends
  // -------------------------------------------------------------------------------------------------------------

  async send(queue: QueueRecord, messages: NewMessage[], fifo?: FifoSendOptions): Promise<SendResult[]> {
    if (messages.length === 0) return [];
    if (!fifo) {
      // One statement: the rows and the notification commit together.
      const rows: InsertRow[] = messages.map((m) => ({ ...m, receiveCount: 0, firstReceivedAt: null }));
      await this.insertEncoded(this.pool, queue.id, false, insertColumns(rows, false));
      return messages.map((m) => ({ messageId: m.messageId, duplicate: false }));
    }
    return this.tx((c) => this.sendFifo(c, queue.id, messages, fifo));
  }

  /**
   * Sends into several queues in one transaction: every queue gets its messages, or none does (SNS fan-out; the
   * shape of `AtomicFanout` in src/store/sns-contract.ts, which the SQLite engine implements). Queues are written
   * in id order, so that two fan-outs over the same FIFO queues take their group locks in one order.
   */
  async sendMany(deliveries: { queue: QueueRecord; messages: NewMessage[]; fifo?: FifoSendOptions }[]): Promise<SendResult[][]> {
    return this.tx((c) => this.sendManyIn(c, deliveries));
  }

  /** sendMany inside the caller's transaction (SNS publishes and EventBridge commits write their own rows in it). */
  async sendManyIn(c: PoolClient, deliveries: { queue: QueueRecord; messages: NewMessage[]; fifo?: FifoSendOptions }[]): Promise<SendResult[][]> {
    const order = deliveries.map((_, i) => i).sort((a, b) => deliveries[a]!.queue.id - deliveries[b]!.queue.id);
    const results: SendResult[][] = new Array(deliveries.length);
    for (const i of order) {
      const { queue, messages, fifo } = deliveries[i]!;
      if (messages.length === 0) results[i] = [];
      else if (fifo) results[i] = await this.sendFifo(c, queue.id, messages, fifo);
      else {
        const rows: InsertRow[] = messages.map((m) => ({ ...m, receiveCount: 0, firstReceivedAt: null }));
        await this.insertEncoded(c, queue.id, false, insertColumns(rows, false));
        results[i] = messages.map((m) => ({ messageId: m.messageId, duplicate: false }));
      }
    }
    return results;
  }

  // EventBridge on this engine (src/store/postgres/events.ts): its store shares this pool, transactions and sendManyIn.
  private events: PostgresEventsStore | undefined;

  /** The EventBridge store over this pool, its transactions and sendManyIn, so PutEvents' deliveries commit together. */
  eventsStore(): PostgresEventsStore {
    this.events ??= new PostgresEventsStore({
      schema: this.quotedSchema,
      query: async (text, values) => {
        const r = await this.pool.query(text, values);
        return { rows: r.rows, rowCount: r.rowCount ?? 0 };
      },
      tx: (fn) => this.tx(fn),
      sendManyIn: (c, deliveries) => this.sendManyIn(c, deliveries),
    });
    return this.events;
  }

  private async sendFifo(c: PoolClient, queueId: number, messages: NewMessage[], fifo: FifoSendOptions): Promise<SendResult[]> {
    const results: (SendResult | undefined)[] = new Array(messages.length);
    // Duplicates inside the batch point at the first message with their key.
    const firstByKey = new Map<string, number>();
    const keyOf = (m: NewMessage): string | undefined =>
      m.deduplicationId === undefined ? undefined : `${fifo.scope === 'messageGroup' ? (m.groupId ?? '') : ''}\u0000${m.deduplicationId}`;
    const sameAs = new Map<number, number>();
    const claims: { index: number; scope: string; dedupId: string }[] = [];
    messages.forEach((m, i) => {
      const key = keyOf(m);
      if (key === undefined) return;
      const first = firstByKey.get(key);
      if (first !== undefined) {
        sameAs.set(i, first);
        return;
      }
      firstByKey.set(key, i);
      claims.push({ index: i, scope: fifo.scope === 'messageGroup' ? (m.groupId ?? '') : '', dedupId: m.deduplicationId! });
    });

    // Claim the deduplication ids; those inside their window answer with the message that holds them.
    const duplicateOf = new Map<number, { message_id: string; sequence_number: string }>();
    if (claims.length) {
      const claimed = await this.run<{ scope: string; dedup_id: string }>(c, this.s.claimDedup, [
        queueId,
        claims.map((x) => x.scope),
        claims.map((x) => x.dedupId),
        claims.map((x) => messages[x.index]!.messageId),
        claims.map((x) => messages[x.index]!.sentAt),
        fifo.windowMs,
      ]);
      const won = new Set(claimed.map((r) => `${r.scope}\u0000${r.dedup_id}`));
      const lost = claims.filter((x) => !won.has(`${x.scope}\u0000${x.dedupId}`));
      if (lost.length) {
        const held = await this.run<{ scope: string; dedup_id: string; message_id: string; sequence_number: string }>(c, this.s.getDedup, [
          queueId,
          lost.map((x) => x.scope),
          lost.map((x) => x.dedupId),
        ]);
        const byKey = new Map(held.map((r) => [`${r.scope}\u0000${r.dedup_id}`, r]));
        for (const x of lost) {
          const r = byKey.get(`${x.scope}\u0000${x.dedupId}`);
          if (!r) throw new Error('deduplication id vanished while being claimed');
          duplicateOf.set(x.index, r);
        }
      }
    }

    const toInsert: number[] = [];
    messages.forEach((_, i) => {
      if (!sameAs.has(i) && !duplicateOf.has(i)) toInsert.push(i);
    });
    if (toInsert.length) {
      const rows = toInsert.map((i) => ({ ...messages[i]!, receiveCount: 0, firstReceivedAt: null }));
      const position = new Map(toInsert.map((i, k) => [i, k]));
      const claimed = claims.filter((x) => position.has(x.index)).map((x) => ({ row: position.get(x.index)!, scope: x.scope, dedupId: x.dedupId }));
      const { seqs } = await this.insertRows(c, queueId, true, rows, claimed);
      toInsert.forEach((i, k) => {
        results[i] = { messageId: messages[i]!.messageId, sequenceNumber: seqs[k]!, duplicate: false };
      });
    }
    for (const [i, held] of duplicateOf) results[i] = { messageId: held.message_id, sequenceNumber: held.sequence_number, duplicate: true };
    for (const [i, first] of sameAs) {
      const original = results[first]!;
      results[i] = { messageId: original.messageId, sequenceNumber: original.sequenceNumber!, duplicate: true };
    }
    return results as SendResult[];
  }

  /**
   * Inserts rows into a queue and notifies its listeners. In a FIFO queue the rows' groups are created or locked
   * first, and only then are the row ids (and so the sequence numbers) drawn: within a group, ids follow the order
   * in which sends commit, so a receive never sees a later message of a group before an earlier one.
   */
  private async insertRows(
    c: PoolClient,
    queueId: number,
    fifo: boolean,
    rows: InsertRow[],
    claimed: { row: number; scope: string; dedupId: string }[] = [],
  ): Promise<{ ids: number[]; seqs: string[] }> {
    const columns = insertColumns(rows, fifo);
    if (!fifo) return this.insertEncoded(c, queueId, false, columns);
    const groups = [...new Set(rows.map((r) => r.groupId ?? ''))].sort(byteOrder);
    const locked = await this.run<{ group_id: string; created: boolean }>(c, this.s.lockOrCreateGroups, [queueId, groups]);
    const inserted = await this.insertEncoded(c, queueId, true, columns);
    // A group this insert created starts at its first row here.
    const created = new Set(locked.filter((g) => g.created).map((g) => g.group_id));
    const heads = new Map<string, { id: number; visibleAt: number }>();
    rows.forEach((r, k) => {
      const g = r.groupId ?? '';
      if (created.has(g) && !heads.has(g)) heads.set(g, { id: inserted.ids[k]!, visibleAt: r.visibleAt });
    });
    if (heads.size || claimed.length) {
      await this.run(c, this.s.completeFifoInsert, [
        queueId,
        [...heads.keys()],
        [...heads.values()].map((h) => h.id),
        [...heads.values()].map((h) => h.visibleAt),
        claimed.map((x) => x.scope),
        claimed.map((x) => x.dedupId),
        claimed.map((x) => inserted.seqs[x.row]!),
      ]);
    }
    return inserted;
  }

  private async insertEncoded(c: Queryable, queueId: number, fifo: boolean, columns: unknown[][]): Promise<{ ids: number[]; seqs: string[] }> {
    const [row] = await this.run<{ ids: (string | number)[]; seqs: string[] }>(c, fifo ? this.s.insertFifo : this.s.insertStandard, [
      queueId,
      this.channel,
      String(queueId),
      ...columns,
    ]);
    return { ids: (row?.ids ?? []).map(Number), seqs: row?.seqs ?? [] };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Receives
  // -------------------------------------------------------------------------------------------------------------

  async receive(queue: QueueRecord, options: ReceiveOptions): Promise<StoredMessage[]> {
    if (options.max <= 0) return [];
    if (!queue.fifo && !options.redrive) {
      // The common case, whole in one statement.
      const rows = await this.run<MessageRow>(this.pool, this.s.receiveStandard, [
        queue.id,
        options.now,
        options.max,
        options.now + options.visibilityTimeoutMs,
        this.nextToken(),
        EXPIRED_PER_RECEIVE,
      ]);
      return rows.sort((a, b) => a.visible_at - b.visible_at || a.id - b.id).map(toMessage);
    }
    return this.tx(async (c) => {
      const o: ReceiveRun = { ...options, token: this.nextToken() };
      // The dead-letter queue was looked up before this transaction; lock its row so it cannot be deleted under us,
      // and if it is gone already, receive as if there were no redrive policy (never move into a deleted queue).
      if (o.redrive && (await this.run(c, this.s.lockQueueRow, [o.redrive.deadLetterQueue.id])).length === 0) delete o.redrive;
      if (queue.fifo && o.attemptId !== undefined) {
        const repeat = await this.repeatAttempt(c, queue.id, o.attemptId, o);
        if (repeat) return repeat;
      }
      const taken = queue.fifo ? await this.receiveFifo(c, queue, o) : await this.receiveStandardRedrive(c, queue, o);
      if (queue.fifo && o.attemptId !== undefined && taken.length) {
        await this.run(c, this.s.putAttempt, [
          queue.id,
          o.attemptId,
          o.now + RECEIVE_ATTEMPT_WINDOW_MS,
          JSON.stringify(taken.map((m) => [m.rowId, m.receiptToken, m.visibleAt])),
        ]);
      }
      return taken;
    });
  }

  /** A standard receive that dead-letters messages past maxReceiveCount (which needs several steps). */
  private async receiveStandardRedrive(c: PoolClient, queue: QueueRecord, o: ReceiveRun): Promise<StoredMessage[]> {
    await this.run(c, this.s.deleteExpiredStandard, [queue.id, o.now, EXPIRED_PER_RECEIVE]);
    const out: StoredMessage[] = [];
    const takenIds: number[] = [];
    // Rows already looked at: with a visibility timeout of 0 a taken message is still visible to the next round.
    const seen: number[] = [];
    for (let round = 0; round < 4 && out.length < o.max; round++) {
      const rows = await this.run<MessageRow>(c, this.s.selectVisibleLocked, [queue.id, o.now, o.max - out.length, seen]);
      const dead: MessageRow[] = [];
      for (const row of rows) {
        seen.push(row.id);
        if (o.redrive && row.receive_count >= o.redrive.maxReceiveCount) dead.push(row);
        else {
          out.push(take(row, o));
          takenIds.push(row.id);
        }
      }
      if (dead.length) await this.deadLetter(c, dead, o);
      // Another round only helps when this one dead-lettered rows.
      if (rows.length === 0 || dead.length === 0) break;
    }
    await this.markTaken(c, takenIds, o);
    return out;
  }

  private async receiveFifo(c: PoolClient, queue: QueueRecord, o: ReceiveRun): Promise<StoredMessage[]> {
    // Expired rows go first, so that however many there are, they never hide live messages from this receive.
    await this.dropExpiredFifo(c, queue.id, o.now, EXPIRED_PER_RECEIVE);
    const groups = (await this.run<{ group_id: string }>(c, this.s.lockAvailableGroups, [queue.id, o.now, o.max])).map((r) => r.group_id);
    if (groups.length === 0) return [];
    // The groups are ours until commit; their messages change only under their locks, so reading them is enough.
    const rows = await this.run<MessageRow>(c, this.s.selectGroupHeads, [queue.id, groups, o.max]);
    const out: StoredMessage[] = [];
    const takenIds: number[] = [];
    const expired: number[] = [];
    const dead: MessageRow[] = [];
    // AWS returns as many messages of one group as it can before moving to the next group.
    let blockedGroup: string | null | undefined;
    for (const row of rows) {
      if (out.length >= o.max) break;
      if (row.group_id === blockedGroup) continue;
      if (row.expires_at <= o.now) {
        expired.push(row.id);
        continue;
      }
      if (row.visible_at > o.now) {
        blockedGroup = row.group_id; // order within a group: stop at the first message not yet visible
        continue;
      }
      if (o.redrive && row.receive_count >= o.redrive.maxReceiveCount) {
        dead.push(row);
        continue;
      }
      out.push(take(row, o));
      takenIds.push(row.id);
    }
    if (expired.length) await this.run(c, this.s.deleteByIds, [expired]);
    if (dead.length) await this.deadLetter(c, dead, o);
    await this.markTaken(c, takenIds, o);
    await this.run(c, this.s.refreshGroups, [queue.id, groups, o.now]);
    return out;
  }

  /** Moves rows past maxReceiveCount to the dead-letter queue, keeping MessageId and receive count. */
  private async deadLetter(c: PoolClient, rows: MessageRow[], o: ReceiveRun): Promise<void> {
    const r = o.redrive!;
    for (let i = 0; i < rows.length; i++) r.onMoved?.();
    await this.moveRows(c, rows, { queue: r.deadLetterQueue, retentionMs: r.retentionMs }, o.now, r.sourceArn, false);
  }

  private async markTaken(c: PoolClient, ids: number[], o: ReceiveRun): Promise<void> {
    if (ids.length === 0) return;
    await this.run(c, this.s.markTaken, [o.now + o.visibilityTimeoutMs, o.now, o.token, ids]);
  }

  /**
   * AWS: a retried FIFO receive with the same ReceiveRequestAttemptId answers the same messages and receipt
   * handles, and resets their visibility timeout — as long as none was deleted or had its visibility changed.
   */
  private async repeatAttempt(c: PoolClient, queueId: number, attemptId: string, o: ReceiveRun): Promise<StoredMessage[] | undefined> {
    const [attempt] = await this.run<{ receipts: string }>(c, this.s.getAttempt, [queueId, attemptId, o.now]);
    if (!attempt) return undefined;
    const receipts = JSON.parse(attempt.receipts) as [number, string, number][];
    const ids = receipts.map(([id]) => id);
    const groups = await this.run<{ group_id: string }>(c, this.s.receiptGroups, [ids, queueId]);
    await this.run(c, this.s.lockGroups, [queueId, groups.map((g) => g.group_id)]);
    const rows = new Map((await this.run<MessageRow>(c, this.s.selectMessagesByIds, [ids, queueId])).map((r) => [r.id, r]));
    const out: MessageRow[] = [];
    for (const [rowId, token, visibleAt] of receipts) {
      const m = rows.get(rowId);
      if (!m || m.receipt_token !== token || m.visible_at !== visibleAt) return undefined;
      out.push(m);
    }
    const visibleAt = o.now + o.visibilityTimeoutMs;
    for (const m of out) m.visible_at = visibleAt;
    await this.run(c, this.s.setVisibleAtByIds, [visibleAt, ids]);
    const touched = [...new Set(out.filter(isFifoRow).map((m) => m.group_id!))];
    if (touched.length) await this.run(c, this.s.refreshGroups, [queueId, touched, o.now]);
    await this.run(c, this.s.putAttempt, [
      queueId,
      attemptId,
      o.now + RECEIVE_ATTEMPT_WINDOW_MS,
      JSON.stringify(out.map((m) => [m.id, m.receipt_token, visibleAt])),
    ]);
    return out.map(toMessage);
  }

  /**
   * Deletes up to `limit` expired rows of a FIFO queue, group by group under the groups' locks (skipping groups
   * another transaction holds: they are dealt with later), and refreshes those groups.
   */
  private async dropExpiredFifo(c: PoolClient, queueId: number, now: number, limit: number): Promise<number> {
    const candidates = await this.run<{ id: number; group_id: string | null }>(c, this.s.selectExpiredInQueue, [queueId, now, limit]);
    if (candidates.length === 0) return 0;
    return this.dropExpiredRows(c, queueId, candidates, now);
  }

  private async dropExpiredRows(c: PoolClient, queueId: number, candidates: { id: number; group_id: string | null }[], now: number): Promise<number> {
    const groups = [...new Set(candidates.map((r) => r.group_id ?? ''))];
    const locked = new Set((await this.run<{ group_id: string }>(c, this.s.lockGroupsSkipLocked, [queueId, groups])).map((r) => r.group_id));
    const ids = candidates.filter((r) => locked.has(r.group_id ?? '')).map((r) => r.id);
    if (ids.length === 0) return 0;
    const dropped = await this.runCount(c, this.s.deleteExpiredByIds, [ids, now]);
    await this.run(c, this.s.refreshGroups, [queueId, [...locked], now]);
    return dropped;
  }

  /**
   * Moves rows (already locked by the caller: their own lock, or their FIFO groups') into another queue, keeping
   * their MessageId. As AWS does, a standard destination keeps the original enqueue time (retention counts from
   * it); a FIFO destination starts the message afresh. The caller refreshes the source groups.
   */
  private async moveRows(
    c: PoolClient,
    rows: MessageRow[],
    to: MoveDestination,
    now: number,
    sourceArn: string | undefined,
    startOver: boolean,
  ): Promise<void> {
    await this.run(c, this.s.deleteByIds, [rows.map((r) => r.id)]);
    const moved: InsertRow[] = rows.map((row) => {
      const m = toMessage(row);
      const sentAt = to.queue.fifo ? now : m.sentAt;
      const out: InsertRow = {
        ...m,
        sentAt,
        visibleAt: now,
        expiresAt: sentAt + to.retentionMs,
        receiveCount: startOver ? 0 : row.receive_count,
        firstReceivedAt: startOver ? null : row.first_received_at,
      };
      if (sourceArn !== undefined) out.deadLetterSourceArn = sourceArn;
      else delete out.deadLetterSourceArn;
      if (to.queue.fifo && out.groupId === undefined) out.groupId = '';
      return out;
    });
    await this.insertRows(c, to.queue.id, to.queue.fifo, moved);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Receipts
  // -------------------------------------------------------------------------------------------------------------

  async deleteMessage(queueId: number, rowId: number, token: string, now: number): Promise<ReceiptOutcome> {
    return (await this.deleteMessages(queueId, [{ rowId, token }], now))[0]!;
  }

  async requeue(queue: QueueRecord, receipt: ReceiptRef, message: NewMessage): Promise<ReceiptOutcome> {
    if (queue.fifo) throw new Error('requeue is for standard queues');
    if (!Number.isSafeInteger(receipt.rowId)) return 'gone';
    return this.tx(async (c) => {
      // Standard queue: whatever handle names the message deletes it (as DeleteMessage does).
      const rows = await this.run<{ id: number; deleted: boolean }>(c, this.s.deleteStandard, [queue.id, [receipt.rowId]]);
      if (!rows.some((r) => r.deleted)) return 'gone';
      await this.insertEncoded(c, queue.id, false, insertColumns([{ ...message, receiveCount: 0, firstReceivedAt: null }], false));
      return 'ok';
    });
  }

  async deleteMessages(queueId: number, receipts: ReceiptRef[], now: number): Promise<ReceiptOutcome[]> {
    if (receipts.length === 0) return [];
    const ids = [...new Set(receipts.map((r) => r.rowId).filter(Number.isSafeInteger))];
    // Standard queues: one statement. It deletes no FIFO row, only reports them.
    const rows = await this.run<{ id: number; deleted: boolean }>(this.pool, this.s.deleteStandard, [queueId, ids]);
    if (!rows.some((r) => !r.deleted)) {
      const deleted = new Set(rows.map((r) => r.id));
      return receipts.map((r) => (deleted.delete(r.rowId) ? 'ok' : 'gone'));
    }
    return this.tx(async (c) => {
      const groups = await this.lockReceiptGroups(c, queueId, ids);
      const state = new Map((await this.run<ReceiptState>(c, this.s.receiptStates, [ids, queueId])).map((r) => [r.id, r]));
      const toDelete: number[] = [];
      const outcomes = receipts.map((r): ReceiptOutcome => {
        const row = state.get(r.rowId);
        if (!row) return 'gone';
        // AWS: a FIFO queue refuses a handle that a later receive has replaced or whose visibility timeout has
        // passed (a standard queue deletes whatever handle names the message).
        if (isFifoRow(row) && (row.receipt_token !== r.token || row.visible_at <= now)) return 'stale';
        state.delete(r.rowId);
        toDelete.push(r.rowId);
        return 'ok';
      });
      if (toDelete.length) await this.run(c, this.s.deleteByIds, [toDelete]);
      if (groups.length) await this.run(c, this.s.refreshGroups, [queueId, groups, now]);
      return outcomes;
    });
  }

  /** Locks the FIFO groups of the named rows (in one order for everybody) and returns them. */
  private async lockReceiptGroups(c: PoolClient, queueId: number, ids: number[]): Promise<string[]> {
    const groups = (await this.run<{ group_id: string }>(c, this.s.receiptGroups, [ids, queueId])).map((r) => r.group_id);
    if (groups.length === 0) return [];
    return (await this.run<{ group_id: string }>(c, this.s.lockGroups, [queueId, groups])).map((r) => r.group_id);
  }

  async changeVisibility(
    queueId: number,
    rowId: number,
    token: string,
    visibleAt: number,
    now: number,
    maxVisibilityMs = Number.POSITIVE_INFINITY,
  ): Promise<ReceiptOutcome> {
    return (await this.changeVisibilities(queueId, [{ rowId, token, visibleAt }], now, maxVisibilityMs))[0]!;
  }

  async changeVisibilities(
    queueId: number,
    changes: (ReceiptRef & { visibleAt: number })[],
    now: number,
    maxVisibilityMs = Number.POSITIVE_INFINITY,
  ): Promise<ReceiptOutcome[]> {
    if (changes.length === 0) return [];
    const ids = [...new Set(changes.map((r) => r.rowId).filter(Number.isSafeInteger))];
    return this.tx(async (c) => {
      const groups = await this.lockReceiptGroups(c, queueId, ids);
      const state = new Map((await this.run<ReceiptState>(c, this.s.receiptStates, [ids, queueId])).map((r) => [r.id, r]));
      const changed = new Map<number, number>();
      let released = false;
      const outcomes = changes.map((ch): ReceiptOutcome => {
        const row = state.get(ch.rowId);
        if (!row) return 'gone';
        if (row.receipt_token !== ch.token) return 'stale';
        if (row.received_at !== null && ch.visibleAt - row.received_at > maxVisibilityMs) return 'beyondLimit';
        row.visible_at = ch.visibleAt;
        changed.set(ch.rowId, ch.visibleAt);
        if (ch.visibleAt <= now) released = true;
        return 'ok';
      });
      if (changed.size) await this.run(c, this.s.setVisibleAtEach, [[...changed.keys()], [...changed.values()]]);
      if (groups.length) await this.run(c, this.s.refreshGroups, [queueId, groups, now]);
      if (released) await this.run(c, this.s.notify, [this.channel, String(queueId)]);
      return outcomes;
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Queue-wide operations
  // -------------------------------------------------------------------------------------------------------------

  async purge(queueId: number): Promise<void> {
    await this.tx(async (c) => {
      await this.run(c, this.s.purgeGroups, [queueId]);
      await this.run(c, this.s.purgeMessages, [queueId]);
    });
  }

  async counts(queueId: number, now: number): Promise<QueueCounts> {
    const [row] = await this.run<{ visible: number; inflight: number; delayed: number }>(this.pool, this.s.counts, [queueId, now]);
    return { visible: row?.visible ?? 0, inflight: row?.inflight ?? 0, delayed: row?.delayed ?? 0 };
  }

  async nextVisibleAt(queueId: number, now: number): Promise<number | undefined> {
    const [row] = await this.run<{ t: number | null }>(this.pool, this.s.nextVisible, [queueId, now]);
    return row?.t ?? undefined;
  }

  async deleteExpired(now: number, limit: number): Promise<number[]> {
    return this.tx(async (c) => {
      const touched: number[] = [];
      if (limit > 0) {
        const rows = await this.run<{ queue_id: number; fifo: boolean; id: number; group_id: string | null }>(c, this.s.selectExpired, [now, limit]);
        const byQueue = new Map<number, { fifo: boolean; rows: { id: number; group_id: string | null }[] }>();
        for (const r of rows) {
          let q = byQueue.get(r.queue_id);
          if (!q) byQueue.set(r.queue_id, (q = { fifo: r.fifo, rows: [] }));
          q.rows.push(r);
        }
        for (const [queueId, q] of byQueue) {
          const dropped = q.fifo
            ? await this.dropExpiredRows(c, queueId, q.rows, now)
            : await this.runCount(c, this.s.deleteByIdsSkipLocked, [q.rows.map((r) => r.id), now]);
          if (dropped > 0) touched.push(queueId);
        }
      }
      await this.run(c, this.s.deleteExpiredDedup, [now]);
      await this.run(c, this.s.deleteExpiredAttempts, [now]);
      return touched;
    });
  }

  async sourceArnsOfNext(queueId: number, limit: number, now: number): Promise<string[]> {
    const rows = await this.run<MessageRow>(this.pool, this.s.selectVisible, [queueId, now, limit]);
    return [...new Set(rows.map((r) => r.dead_letter_source_arn ?? ''))];
  }

  async moveMessages(
    sourceQueueId: number,
    resolve: (sourceArn: string | undefined) => MoveDestination | undefined,
    limit: number,
    now: number,
  ): Promise<{ moved: number; destinations: number[]; blocked: boolean }> {
    return this.tx(async (c) => {
      // Only visible messages move: one in flight still belongs to the consumer holding its receipt handle.
      const candidates = await this.run<MessageRow>(c, this.s.selectVisible, [sourceQueueId, now, limit]);
      if (candidates.length === 0) return { moved: 0, destinations: [], blocked: false };
      const fifo = candidates.some(isFifoRow);
      let groups: string[] = [];
      let lockedRows: MessageRow[];
      const ids = candidates.map((r) => r.id);
      if (fifo) {
        // Group locks first (skipping groups a receive holds), then the rows, re-read under them.
        const wanted = [...new Set(candidates.map((r) => r.group_id ?? ''))];
        groups = (await this.run<{ group_id: string }>(c, this.s.lockGroupsSkipLocked, [sourceQueueId, wanted])).map((r) => r.group_id);
        const locked = new Set(groups);
        lockedRows = (await this.run<MessageRow>(c, this.s.selectVisibleByIds, [ids, sourceQueueId, now])).filter((r) => locked.has(r.group_id ?? ''));
      } else {
        lockedRows = await this.run<MessageRow>(c, this.s.lockVisibleByIds, [ids, sourceQueueId, now]);
      }
      const byId = new Map(lockedRows.map((r) => [r.id, r]));
      const rows = candidates.map((r) => byId.get(r.id)).filter((r): r is MessageRow => r !== undefined);

      const plan = new Map<number, { to: MoveDestination; rows: MessageRow[] }>();
      let moved = 0;
      let blocked = false;
      for (const row of rows) {
        const to = resolve(row.dead_letter_source_arn ?? undefined);
        if (!to) {
          blocked = true;
          break;
        }
        let entry = plan.get(to.queue.id);
        if (!entry) plan.set(to.queue.id, (entry = { to, rows: [] }));
        entry.rows.push(row);
        moved++;
      }
      // A message redriven out of a dead-letter queue starts over: no receives, no source ARN.
      for (const { to, rows: batch } of plan.values()) await this.moveRows(c, batch, to, now, undefined, true);
      if (groups.length) await this.run(c, this.s.refreshGroups, [sourceQueueId, groups, now]);
      return { moved, destinations: [...plan.keys()], blocked };
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Move tasks
  // -------------------------------------------------------------------------------------------------------------

  async saveMoveTask(task: MoveTaskRecord): Promise<void> {
    await this.run(this.pool, this.s.putMoveTask, [task.taskHandle, task.sourceArn, task.status, JSON.stringify(task), task.startedAt]);
  }

  async updateMoveTask(taskHandle: string, change: MoveTaskChange): Promise<MoveTaskRecord | undefined> {
    return this.tx(async (c) => {
      // The row lock makes a concurrent change (a cancel on another node, a step) wait and then see this one.
      const [row] = await this.run<{ record: string }>(c, this.s.lockMoveTask, [taskHandle]);
      if (!row) return undefined;
      const current = JSON.parse(row.record) as MoveTaskRecord;
      const next = change(current);
      if (!next) return current;
      await this.run(c, this.s.putMoveTask, [next.taskHandle, next.sourceArn, next.status, JSON.stringify(next), next.startedAt]);
      return next;
    });
  }

  async listMoveTasks(sourceArn: string, limit: number): Promise<MoveTaskRecord[]> {
    const rows = await this.run<{ record: string }>(this.pool, this.s.listMoveTasks, [sourceArn, limit]);
    return rows.map((r) => JSON.parse(r.record) as MoveTaskRecord);
  }

  async listActiveMoveTasks(): Promise<MoveTaskRecord[]> {
    const rows = await this.run<{ record: string }>(this.pool, this.s.listActiveMoveTasks, []);
    return rows.map((r) => JSON.parse(r.record) as MoveTaskRecord);
  }

  async getMoveTask(taskHandle: string): Promise<MoveTaskRecord | undefined> {
    const [row] = await this.run<{ record: string }>(this.pool, this.s.getMoveTask, [taskHandle]);
    return row && (JSON.parse(row.record) as MoveTaskRecord);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Cross-node wake-ups (proposed contract addition)
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Calls `listener` with a queue's id whenever, on any node sharing the database, messages may have become
   * available in it: a send, a redrive or move into it, a visibility change that released a message, or its
   * deletion. Built on LISTEN/NOTIFY: the notification is sent inside the writing transaction, so it arrives only
   * once the data is committed. Called with `undefined` after the listening connection was lost and regained:
   * notifications may have been missed meanwhile, so every waiter should look again. Returns an unsubscribe.
   */
  onMessagesAvailable(listener: (queueId: number | undefined) => void): () => void {
    if (this.closed) throw new Error('store is closed');
    this.listeners.add(listener);
    if (!this.listener) {
      this.listener = new ChannelListener(
        { connectionString: this.options.connectionString, keepAlive: true, connectionTimeoutMillis: this.options.connectionTimeoutMs ?? 10_000 },
        this.channel,
        (payload) => {
          const id = Number(payload);
          if (Number.isSafeInteger(id)) this.emit(id);
        },
        () => this.emit(undefined),
        (err) => this.options.onError?.(err),
      );
    }
    // A failed first connection is reported through onError and retried by the listener.
    this.listener.start().catch(() => {});
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once this store's LISTEN connection is in place (after onMessagesAvailable). */
  async listening(): Promise<void> {
    await this.listener?.start();
  }

  private emit(queueId: number | undefined): void {
    for (const l of [...this.listeners]) {
      try {
        l(queueId);
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }

  /**
   * Leader election among the nodes sharing this schema (see store/leadership.ts), on a connection of its own.
   * Built on first use; closed with the store.
   */
  leadership(options: PostgresLeadershipOptions = {}): PostgresLeadership {
    if (this.closed) throw new Error('store is closed');
    this.leaders ??= new PostgresLeadership({ connectionString: this.options.connectionString }, this.schema, {
      onError: (err) => this.options.onError?.(err),
      ...options,
    });
    return this.leaders;
  }

  // -------------------------------------------------------------------------------------------------------------
  // SNS and the delivery log, on this database (src/store/postgres/sns.ts, delivery-log.ts)
  // -------------------------------------------------------------------------------------------------------------

  /** The SNS store over this database, whose publishes deliver into these queues in their own transaction. */
  snsStore(): PostgresSnsStore {
    this.sns ??= new PostgresSnsStore(this.host());
    return this.sns;
  }

  /** The log of deliveries recorded instead of made, on this database (shared by every node). */
  deliveryLog(): PostgresDeliveryLog {
    this.log ??= new PostgresDeliveryLog(this.host());
    return this.log;
  }

  private host(): PostgresHost {
    return {
      pool: this.pool,
      quotedSchema: this.quotedSchema,
      transaction: (fn) => this.tx(fn),
      send: (queue, messages, fifo) => this.send(queue, messages, fifo),
      sendManyIn: (c, deliveries) => this.sendManyIn(c, deliveries),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.health.stop();
    await this.leaders?.close();
    this.listeners.clear();
    await this.listener?.stop();
    await this.pool.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Errors after which a transaction can simply run again: deadlock victims and serialization conflicts. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Byte order of UTF-8 strings (COLLATE "C"): the order in which every transaction takes group locks. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Rows of FIFO queues carry a sequence number (standard rows may carry a group id: fair queues). */
function isFifoRow(row: { sequence_number: string | null }): boolean {
  return row.sequence_number !== null;
}

function take(row: MessageRow, o: ReceiveRun): StoredMessage {
  row.receive_count += 1;
  row.first_received_at ??= o.now;
  row.received_at = o.now;
  row.receipt_token = o.token;
  row.visible_at = o.now + o.visibilityTimeoutMs;
  return toMessage(row);
}

/** The insert statement's column arrays ($4 .. $19). Throws on a message the engine cannot store. */
function insertColumns(rows: InsertRow[], fifo: boolean): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 16 }, () => new Array<unknown>(rows.length));
  rows.forEach((m, i) => {
    if (typeof m.body !== 'string') throw new TypeError('message body must be a string');
    if (typeof m.messageId !== 'string') throw new TypeError('message id must be a string');
    cols[0]![i] = m.messageId;
    cols[1]![i] = Buffer.from(m.body, 'utf8');
    cols[2]![i] = m.md5OfBody;
    cols[3]![i] = m.messageAttributes ?? null;
    cols[4]![i] = m.md5OfMessageAttributes ?? null;
    cols[5]![i] = m.systemAttributes ?? null;
    cols[6]![i] = m.md5OfSystemAttributes ?? null;
    cols[7]![i] = m.senderId;
    cols[8]![i] = m.sentAt;
    cols[9]![i] = m.visibleAt;
    cols[10]![i] = m.expiresAt;
    cols[11]![i] = m.receiveCount;
    cols[12]![i] = m.firstReceivedAt;
    cols[13]![i] = fifo ? (m.groupId ?? '') : (m.groupId ?? null);
    cols[14]![i] = m.deduplicationId ?? null;
    cols[15]![i] = m.deadLetterSourceArn ?? null;
  });
  return cols;
}

function toQueue(row: QueueRow): QueueRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    region: row.region,
    name: row.name,
    fifo: row.fifo,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    tags: JSON.parse(row.tags) as Record<string, string>,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

const toMessage = (row: MessageRow): StoredMessage => storedMessage(row, row.body.toString('utf8'));
