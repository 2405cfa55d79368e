import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { randomToken } from '../../core/ids.js';
import type {
  ReceiptRef,
  FifoSendOptions,
  MoveDestination,
  MoveTaskChange,
  MoveTaskRecord,
  NewMessage,
  QueueChange,
  QueueCounts,
  QueueKey,
  QueueRecord,
  ReceiptOutcome,
  ReceiveOptions,
  SendResult,
  Store,
  StoredMessage,
} from '../contract.js';
import { deadLetterArnOf, MESSAGE_COLUMNS, messageRow, parseMoveTask, toMessage, toQueue, type MessageRow, type QueueRow } from './rows.js';
import { GroupCommit } from './group-commit.js';
import { BACKSTOP_CHECKPOINT_PAGES, BackgroundCheckpointer } from './checkpointer.js';
import type { AtomicFanout, FanoutDelivery } from '../sns-contract.js';
import { SqliteEventsStore } from './events.js';
import { SqliteDeliveryLog } from './delivery-log.js';
import { SqliteSnsStore } from './sns.js';
import { migrate } from './schema.js';
import { ContentBudget, contentOf, IndexedMessage, StandardQueueIndex } from './queue-index.js';
import { MessageLog, type CompactionOptions } from './message-log.js';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  /**
   * `normal` (default): WAL with synchronous=NORMAL — a commit survives the process being killed, since the
   * operating system holds the written pages. `full`: also fsync each commit, surviving power loss.
   */
  durability?: 'normal' | 'full';
  /** Bytes of standard-queue message content kept in memory (default 64 MiB); beyond it, it is read back from the log. */
  messageCacheBytes?: number;
  /** Checkpoint the write-ahead log on a worker thread (default for files; see checkpointer.ts). */
  backgroundCheckpoints?: boolean;
  /** When the message log copies long-lived messages forward (defaults in message-log.ts; tests make it eager). */
  logCompaction?: CompactionOptions;
  /**
   * Commit standard queues' message-log writes on a thread of their own (default for files; see log-committer.ts and
   * group-commit.ts). Off, every group commits on the calling thread.
   */
  commitThread?: boolean;
}

/** Message ids are reserved in blocks of this many: one small write per block keeps them unique across restarts. */
const ID_BLOCK = 4_096;

/** How long a FIFO ReceiveRequestAttemptId is remembered (AWS: five minutes). */
const RECEIVE_ATTEMPT_WINDOW_MS = 5 * 60_000;

/** A receive first deletes up to this many expired rows of its queue; the sweep takes any rest. */
const EXPIRED_PER_RECEIVE = 1_000;

/** FIFO sequence numbers: 20 digits, increasing with arrival, as AWS's look. */
const sequenceNumberOf = (rowId: number): string => (10n ** 19n + BigInt(rowId)).toString();

/**
 * The embedded engine. better-sqlite3 is synchronous and each call is one short transaction, so a whole operation
 * runs without yielding to the event loop: no two requests interleave inside a transaction.
 */
export class SqliteStore implements Store, AtomicFanout {
  readonly engine = 'sqlite';
  private readonly db: Database.Database;
  private readonly s: ReturnType<typeof prepare>;
  private readonly group: GroupCommit;
  /** Queue records by id and by key. This process is the file's only writer, so the cache is always current. */
  private readonly queuesById = new Map<number, QueueRecord>();
  private readonly queuesByKey = new Map<string, QueueRecord>();
  /** Receipt tokens: a random prefix per process and a counter — unique, and far cheaper than random bytes each. */
  private readonly tokenPrefix = randomToken(6);
  private tokenCounter = 0;
  private readonly markReceivedStatements = new Map<number, Statement>();
  /** Per queue, no message expires before this (absent: unknown, look). Kept exact by this process's writes. */
  private readonly earliestExpiry = new Map<number, number>();
  /**
   * Standard queues' messages, indexed in memory (see queue-index.ts); empty and `indexed` false after anything
   * that may have changed the log behind the index's back (a failed commit or savepoint, another connection's
   * commit): the next operation rebuilds it by replaying the log.
   */
  private readonly standard = new Map<number, StandardQueueIndex>();
  private indexed = false;
  private readonly budget: ContentBudget;
  /** Where standard queues' messages are durably recorded (message-log.ts); FIFO queues keep their rows. */
  private readonly messageLog: MessageLog;
  /** The next message id, and the persisted bound below which ids are reserved for this process. */
  private nextId = 0;
  private reservedIds = 0;
  /** SQLite's data_version when this store last looked: it changes when another connection commits. */
  private dataVersion = 0;
  /** SNS topics and subscriptions on the same database, built on first use (see snsStore). */
  private sns: SqliteSnsStore | undefined;
  /** EventBridge buses, rules and targets on the same database, built on first use (see eventsStore). */
  private events: SqliteEventsStore | undefined;
  private log: SqliteDeliveryLog | undefined;
  private readonly checkpointer: BackgroundCheckpointer | undefined;

  constructor(options: SqliteOptions) {
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = OFF');
    migrate(this.db);
    if (options.path !== ':memory:' && options.backgroundCheckpoints !== false) {
      this.checkpointer = new BackgroundCheckpointer(this.db, options.path);
    }
    this.s = prepare(this.db);
    this.budget = new ContentBudget(options.messageCacheBytes ?? 64 * 1024 * 1024);
    const file = options.path !== ':memory:';
    this.messageLog = new MessageLog(
      this.db,
      (queueId, id) => this.standard.get(queueId)?.get(id),
      options.logCompaction,
      file ? this.writer : undefined,
    );
    this.group = new GroupCommit(
      this.db,
      () => this.forgetFileState(),
      () => this.noticeOtherWriters(),
    );
    this.group.attach(this.messageLog);
    this.tx = this.transactions();
    const pipelined = file && options.commitThread !== false;
    // Claim the file before reading it: from here on, a writer token other than this store's means another
    // connection wrote, so nothing written after the state below was read can go unnoticed.
    if (pipelined) this.s.setWriter.run(this.writer);
    this.dataVersion = this.s.dataVersion.get() as number;
    this.seedIds();
    this.buildIndexes();
    if (pipelined) {
      this.group.enablePipeline({
        path: options.path,
        durability: options.durability ?? 'normal',
        autocheckpointPages: this.checkpointer ? BACKSTOP_CHECKPOINT_PAGES : 1_000,
        writer: this.writer,
        writerIsMine: () => this.s.getWriter.get() === this.writer,
        // Whatever the thread did not commit is gone, and another connection may have written: read it all again.
        ended: () => this.rereadFile(this.s.dataVersion.get() as number),
      });
    }
  }

  /** This store's writer token (see MessageLog and GroupCommit). */
  private readonly writer = randomToken(9);

  private readonly tx: ReturnType<SqliteStore['transactions']>;

  /** Each operation's transaction function, built once; inside a commit group each runs as a savepoint. */
  private transactions() {
    // A transaction that fails rolls back its savepoint, and GroupCommit then calls onRollback: whatever it changed
    // in memory is undone by rebuilding from the table. (Also when it ran inside the SNS or EventBridge store's
    // transaction, which fails as a whole.)
    const t = <A extends unknown[], R>(fn: (...args: A) => R) => this.db.transaction(fn);
    return {
      createQueue: t((q: Omit<QueueRecord, 'id'>) => this.createQueueTx(q)),
      updateQueue: t((id: number, change: QueueChange): QueueRecord | undefined => {
        // Read inside the transaction, so the change sees every update committed (or grouped) before it.
        const row = this.s.getQueueById.get(id) as QueueRow | undefined;
        if (!row) return undefined;
        const current = toQueue(row);
        const next = change(current);
        const q: QueueRecord = { ...current, attributes: { ...next.attributes }, tags: { ...next.tags }, modifiedAt: next.modifiedAt };
        this.s.updateQueue.run(JSON.stringify(q.attributes), JSON.stringify(q.tags), deadLetterArnOf(q.attributes), q.modifiedAt, q.id);
        return q;
      }),
      deleteQueue: t((id: number) => {
        this.s.deleteQueue.run(id);
        this.purgeMessages(id);
        this.standard.delete(id);
        this.s.purgeGroups.run(id);
        this.s.purgeDedup.run(id);
        this.s.purgeAttempts.run(id);
      }),
      send: t((queueId: number, messages: NewMessage[], fifo: FifoSendOptions | undefined) =>
        fifo ? messages.map((m) => this.insertOne(queueId, m, fifo)) : this.insertStandard(queueId, messages),
      ),
      sendMany: t((deliveries: FanoutDelivery[]) => this.sendManyInTransaction(deliveries)),
      receive: t((queue: QueueRecord, o: ReceiveOptions) => this.receiveTx(queue, o)),
      deleteMessages: t((queueId: number, receipts: ReceiptRef[], now: number) =>
        this.isStandard(queueId) ? this.deleteStandardTx(queueId, receipts) : receipts.map((r) => this.deleteOneTx(queueId, r, now)),
      ),
      requeue: t((queueId: number, receipt: ReceiptRef, message: NewMessage): ReceiptOutcome => {
        const [outcome] = this.deleteStandardTx(queueId, [receipt]);
        if (outcome === 'ok') this.insertStandard(queueId, [message]);
        return outcome!;
      }),
      changeVisibilities: t((queueId: number, changes: (ReceiptRef & { visibleAt: number })[], now: number, maxMs: number) =>
        changes.map((c) => this.changeVisibilityTx(queueId, c, now, maxMs)),
      ),
      purge: t((queueId: number) => {
        this.purgeMessages(queueId);
        this.s.purgeGroups.run(queueId);
      }),
      deleteExpired: t((now: number, limit: number) => this.deleteExpiredTx(now, limit)),
      moveMessages: t(
        (sourceQueueId: number, resolve: (arn: string | undefined) => MoveDestination | undefined, limit: number, now: number) =>
          this.moveMessagesTx(sourceQueueId, resolve, limit, now),
      ),
    };
  }

  /** Forgets the in-memory message index; the next operation that needs it rebuilds it from the table. */
  private forgetMessages(): void {
    this.standard.clear();
    this.budget.used = 0;
    this.indexed = false;
    this.messageLog.invalidate();
    // The reservation written in the failed transaction may be gone: write a new one before the next id is used.
    this.reservedIds = 0;
  }

  /**
   * Another connection committed to the file (a second store on it): everything this store keeps in memory may
   * be stale, so it is dropped and rebuilt. Checked at the start of each commit group and before reads from
   * memory; costs one pragma.
   */
  private noticeOtherWriters(): void {
    const v = this.s.dataVersion.get() as number;
    if (v !== this.dataVersion) this.rereadFile(v);
  }

  /** Drops everything kept from the file (rebuilt on next use) and reseeds the id counter, as of data_version `v`. */
  private rereadFile(v: number): void {
    this.dataVersion = v;
    this.forgetFileState();
    this.seedIds();
  }

  /** Drops the queue records, message index and SNS state kept in memory; each is read again when next needed. */
  private forgetFileState(): void {
    this.forgetQueues();
    this.forgetMessages();
    this.sns?.forget();
  }

  /** Ids continue above the persisted reservation and above every FIFO row, whichever is higher. */
  private seedIds(): void {
    const reserved = this.s.getIdReservation.get() as number;
    const max = (this.s.maxMessageId.get() as number | null) ?? 0;
    this.nextId = Math.max(reserved, max + 1);
    this.reservedIds = reserved;
  }

  private allocateId(): number {
    if (this.nextId >= this.reservedIds) {
      this.reservedIds = this.nextId + ID_BLOCK;
      // Written with the group that uses the ids (on whichever thread commits it).
      this.messageLog.reserveIds(this.reservedIds);
    }
    return this.nextId++;
  }

  /** Builds the index of every standard queue by replaying the message log. */
  private buildIndexes(): void {
    this.standard.clear();
    this.budget.used = 0;
    // Replay keeps content in the order the messages were sent (the order a backlog drains in) while the budget allows.
    for (const [queueId, byId] of this.messageLog.replay(this.budget)) {
      const index = new StandardQueueIndex(queueId, this.budget);
      index.adopt(byId);
      this.standard.set(queueId, index);
    }
    this.indexed = true;
  }

  /** The in-memory index of a standard queue (built on first need). */
  private indexOf(queueId: number): StandardQueueIndex {
    if (!this.indexed) this.buildIndexes();
    let index = this.standard.get(queueId);
    if (!index) this.standard.set(queueId, (index = new StandardQueueIndex(queueId, this.budget)));
    return index;
  }

  /** Whether the queue is a standard one (true), FIFO (false), or unknown (undefined: it does not exist). */
  private isStandard(queueId: number): boolean | undefined {
    let q = this.queuesById.get(queueId);
    if (!q) {
      const row = this.s.getQueueById.get(queueId) as QueueRow | undefined;
      if (!row) return undefined;
      q = this.remember(toQueue(row));
    }
    return !q.fifo;
  }

  /** Deletes every message of a queue: a standard queue's with one purge record in the log, a FIFO queue's rows. */
  private purgeMessages(queueId: number): void {
    if (!this.indexed) this.buildIndexes();
    const index = this.standard.get(queueId);
    const gone = index ? index.clear() : [];
    if (gone.length) this.messageLog.purge(queueId, gone);
    this.s.purgeFifoMessages.run(queueId);
    this.earliestExpiry.delete(queueId);
  }

  private nextToken(): string {
    return this.tokenPrefix + (this.tokenCounter++).toString(36);
  }

  private remember(q: QueueRecord): QueueRecord {
    Object.freeze(q.attributes);
    Object.freeze(q.tags);
    Object.freeze(q);
    this.queuesById.set(q.id, q);
    this.queuesByKey.set(keyOf(q), q);
    return q;
  }

  private queueExists(id: number): boolean {
    return this.s.queueExists.get(id) !== undefined;
  }

  private forgetQueues(): void {
    this.queuesById.clear();
    this.queuesByKey.clear();
    this.earliestExpiry.clear();
  }

  async createQueue(q: Omit<QueueRecord, 'id'>): Promise<{ queue: QueueRecord; created: boolean }> {
    return this.group.write(() => this.tx.createQueue(q));
  }

  private createQueueTx(q: Omit<QueueRecord, 'id'>): { queue: QueueRecord; created: boolean } {
    const existing = this.s.getQueue.get(q.accountId, q.region, q.name) as QueueRow | undefined;
    if (existing) return { queue: this.remember(toQueue(existing)), created: false };
    const info = this.s.insertQueue.run(
      q.accountId,
      q.region,
      q.name,
      q.fifo ? 1 : 0,
      JSON.stringify(q.attributes),
      JSON.stringify(q.tags),
      deadLetterArnOf(q.attributes),
      q.createdAt,
      q.modifiedAt,
    );
    return { queue: this.remember({ ...q, attributes: { ...q.attributes }, tags: { ...q.tags }, id: Number(info.lastInsertRowid) }), created: true };
  }

  async getQueue(key: QueueKey): Promise<QueueRecord | undefined> {
    const cached = this.queuesByKey.get(keyOf(key));
    if (cached) return cached;
    return this.group.read(() => {
      const row = this.s.getQueue.get(key.accountId, key.region, key.name) as QueueRow | undefined;
      return row && this.remember(toQueue(row));
    });
  }

  async getQueueById(id: number): Promise<QueueRecord | undefined> {
    const cached = this.queuesById.get(id);
    if (cached) return cached;
    return this.group.read(() => {
      const row = this.s.getQueueById.get(id) as QueueRow | undefined;
      return row && this.remember(toQueue(row));
    });
  }

  async listQueues(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number) {
    // `name >= prefix AND name < prefix + U+FFFF` keeps the prefix search on the unique index.
    return this.group.read(() => {
      const rows = this.s.listQueues.all(accountId, region, prefix, prefix + '\uffff', startAfter ?? '', limit) as QueueRow[];
      return rows.map(toQueue);
    });
  }

  async listDeadLetterSources(deadLetterArn: string, startAfter: string | undefined, limit: number) {
    return this.group.read(() => (this.s.listDeadLetterSources.all(deadLetterArn, startAfter ?? '', limit) as QueueRow[]).map(toQueue));
  }

  async updateQueue(id: number, change: QueueChange): Promise<QueueRecord | undefined> {
    return this.group.write(() => {
      // A queue deleted meanwhile stays deleted.
      const q = this.tx.updateQueue(id, change);
      return q && this.remember(q);
    });
  }

  async deleteQueue(id: number): Promise<void> {
    await this.group.write(() => {
      this.tx.deleteQueue(id);
      const q = this.queuesById.get(id);
      this.queuesById.delete(id);
      if (q) this.queuesByKey.delete(keyOf(q));
      else this.forgetQueues();
    });
  }

  async send(queue: QueueRecord, messages: NewMessage[], fifo?: FifoSendOptions): Promise<SendResult[]> {
    // A standard queue's send writes nothing to SQLite but log records (and now and then the id reservation, which
    // may as well stay if the send fails): no savepoint needed, the group takes its records back on failure.
    if (fifo) return this.group.write(() => this.tx.send(queue.id, messages, fifo));
    return this.group.writeLog(() => this.insertStandard(queue.id, messages));
  }

  /** Sends into several queues in one transaction (SNS fan-out): every queue gets its messages, or none does. */
  async sendMany(deliveries: FanoutDelivery[]): Promise<SendResult[][]> {
    return this.group.write(() => this.tx.sendMany(deliveries));
  }

  private sendManyInTransaction(deliveries: FanoutDelivery[]): SendResult[][] {
    return deliveries.map((d) => (d.fifo ? d.messages.map((m) => this.insertOne(d.queue.id, m, d.fifo)) : this.insertStandard(d.queue.id, d.messages)));
  }

  /** Adds new messages to a standard queue: into its index, and a send record each into the message log. */
  private insertStandard(queueId: number, messages: NewMessage[]): SendResult[] {
    const results: SendResult[] = [];
    for (const m of messages) {
      this.addStandard(queueId, m, 0, null);
      results.push({ messageId: m.messageId, duplicate: false });
    }
    return results;
  }

  private addStandard(queueId: number, m: NewMessage, receiveCount: number, firstReceivedAt: number | null): number {
    const index = this.indexOf(queueId);
    const e = new IndexedMessage(this.allocateId(), m.visibleAt, m.expiresAt, receiveCount, firstReceivedAt, null, null);
    const c = contentOf(m);
    index.add(e, c);
    this.messageLog.send(queueId, e, c);
    return e.id;
  }

  /**
   * The SNS store over this same database and group commit, so that a publish and its deliveries into these
   * queues commit in one transaction.
   */
  snsStore(): SqliteSnsStore {
    this.sns ??= new SqliteSnsStore(this.db, this.group, (deliveries) => this.tx.sendMany(deliveries));
    return this.sns;
  }

  /** The log of deliveries recorded instead of made, on this same database. */
  deliveryLog(): SqliteDeliveryLog {
    this.log ??= new SqliteDeliveryLog(this.db, this.group);
    return this.log;
  }

  /** The EventBridge store over this same database and group commit, so that PutEvents' deliveries commit together. */
  eventsStore(): SqliteEventsStore {
    this.events ??= new SqliteEventsStore(this.db, this.group, (deliveries) => this.tx.sendMany(deliveries));
    return this.events;
  }

  private insertOne(queueId: number, m: NewMessage, fifo: FifoSendOptions | undefined): SendResult {
    if (fifo && m.deduplicationId !== undefined) {
      const scope = fifo.scope === 'messageGroup' ? (m.groupId ?? '') : '';
      const seen = this.s.getDedup.get(queueId, scope, m.deduplicationId, m.sentAt) as
        | { message_id: string; sequence_number: string }
        | undefined;
      if (seen) return { messageId: seen.message_id, sequenceNumber: seen.sequence_number, duplicate: true };
      const rowId = this.insertRow(queueId, m, true);
      const sequenceNumber = sequenceNumberOf(rowId);
      this.s.putDedup.run(queueId, scope, m.deduplicationId, m.messageId, sequenceNumber, m.sentAt + fifo.windowMs);
      return { messageId: m.messageId, sequenceNumber, duplicate: false };
    }
    const rowId = this.insertRow(queueId, m, fifo !== undefined);
    return fifo ? { messageId: m.messageId, sequenceNumber: sequenceNumberOf(rowId), duplicate: false } : { messageId: m.messageId, duplicate: false };
  }

  /**
   * Inserts a message: in a FIFO queue a row, registered with its message group; in a standard queue into the
   * index and the message log.
   */
  private insertRow(queueId: number, m: NewMessage, fifo: boolean, receiveCount = 0, firstReceivedAt: number | null = null): number {
    if (!fifo) return this.addStandard(queueId, m, receiveCount, firstReceivedAt);
    const earliest = this.earliestExpiry.get(queueId);
    if (earliest !== undefined && m.expiresAt < earliest) this.earliestExpiry.set(queueId, m.expiresAt);
    const rowId = this.allocateId();
    this.s.insertMessage.run(
      rowId,
      queueId,
      m.messageId,
      m.body,
      m.md5OfBody,
      m.messageAttributes ?? null,
      m.md5OfMessageAttributes ?? null,
      m.systemAttributes ?? null,
      m.md5OfSystemAttributes ?? null,
      m.senderId,
      m.sentAt,
      m.visibleAt,
      m.expiresAt,
      receiveCount,
      firstReceivedAt,
      m.groupId ?? '',
      m.deduplicationId ?? null,
      sequenceNumberOf(rowId),
      m.deadLetterSourceArn ?? null,
    );
    // A new group starts at this message; an existing group keeps its head.
    this.s.insertGroup.run(queueId, m.groupId ?? '', m.visibleAt, rowId);
    return rowId;
  }

  async receive(queue: QueueRecord, o: ReceiveOptions): Promise<StoredMessage[]> {
    // Without a redrive policy a standard queue's receive only reads SQLite (no savepoint, as for send); moving a
    // message to a dead-letter queue may write FIFO rows, which a failure must take back.
    if (queue.fifo || o.redrive) return this.group.write(() => this.tx.receive(queue, o));
    return this.group.writeLog(() => this.receiveTx(queue, o));
  }

  private receiveTx(queue: QueueRecord, options: ReceiveOptions): StoredMessage[] {
    const o: ReceiveRun = { ...options, token: this.nextToken(), taken: [] };
    if (queue.fifo && o.attemptId !== undefined) {
      const repeat = this.repeatAttempt(queue.id, o.attemptId, o);
      if (repeat) return repeat;
    }
    // Expired rows go first, so that however many there are, they never hide live messages from this receive.
    if (queue.fifo) this.dropExpired(queue.id, o.now);
    const taken = queue.fifo ? this.receiveFifo(queue, o) : this.receiveStandard(queue, o);
    if (queue.fifo && o.attemptId !== undefined && taken.length) {
      this.s.putAttempt.run(
        queue.id,
        o.attemptId,
        o.now + RECEIVE_ATTEMPT_WINDOW_MS,
        JSON.stringify(taken.map((m) => [m.rowId, m.receiptToken, m.visibleAt])),
      );
    }
    return taken;
  }

  /**
   * AWS: a retried FIFO receive with the same ReceiveRequestAttemptId answers the same messages and receipt
   * handles, and resets their visibility timeout — as long as none was deleted or had its visibility changed.
   */
  private repeatAttempt(queueId: number, attemptId: string, o: ReceiveOptions): StoredMessage[] | undefined {
    const row = this.s.getAttempt.get(queueId, attemptId, o.now) as { receipts: string } | undefined;
    if (!row) return undefined;
    const rows: MessageRow[] = [];
    for (const [rowId, token, visibleAt] of JSON.parse(row.receipts) as [number, string, number][]) {
      const raw = this.s.getMessage.get(rowId) as unknown[] | undefined;
      const m = raw && messageRow(raw);
      if (!m || m.receipt_token !== token || m.queue_id !== queueId || m.visible_at !== visibleAt) return undefined;
      rows.push(m);
    }
    const visibleAt = o.now + o.visibilityTimeoutMs;
    const groups = new Set<string>();
    for (const m of rows) {
      this.s.setVisibleAt.run(visibleAt, m.id);
      m.visible_at = visibleAt;
      if (isFifoRow(m)) groups.add(m.group_id!);
    }
    for (const g of groups) this.refreshGroup(queueId, g, o.now);
    this.s.putAttempt.run(queueId, attemptId, o.now + RECEIVE_ATTEMPT_WINDOW_MS, JSON.stringify(rows.map((m) => [m.id, m.receipt_token, visibleAt])));
    return rows.map(toMessage);
  }

  /** Deletes up to `limit` expired messages of a standard queue, earliest expiry first. */
  private dropExpiredStandard(index: StandardQueueIndex, now: number, limit = EXPIRED_PER_RECEIVE): number {
    const dropped: IndexedMessage[] = [];
    for (let e = index.firstExpired(now); e && dropped.length < limit; e = index.firstExpired(now)) {
      index.remove(e);
      dropped.push(e);
    }
    this.messageLog.delete(index.queueId, dropped);
    return dropped.length;
  }

  private dropExpired(queueId: number, now: number, limit = EXPIRED_PER_RECEIVE): number {
    // Most receives find nothing expired: skip the query while the queue's earliest expiry is still ahead.
    const earliest = this.earliestExpiry.get(queueId);
    if (earliest !== undefined && earliest > now) return 0;
    const rows = this.s.selectExpiredInQueue.all(queueId, now, limit) as MessageRow[];
    const groups = new Set<string>();
    for (const r of rows) {
      this.s.deleteMessage.run(r.id);
      if (isFifoRow(r)) groups.add(r.group_id!);
    }
    for (const g of groups) this.refreshGroup(queueId, g, now);
    const next = (this.s.earliestExpiry.get(queueId) as { t: number | null }).t;
    this.earliestExpiry.set(queueId, next ?? Number.POSITIVE_INFINITY);
    return rows.length;
  }

  private receiveStandard(queue: QueueRecord, o: ReceiveRun): StoredMessage[] {
    const index = this.indexOf(queue.id);
    this.dropExpiredStandard(index, o.now);
    const out: StoredMessage[] = [];
    const taken: IndexedMessage[] = [];
    const takenIds: number[] = [];
    const visibleAt = o.now + o.visibilityTimeoutMs;
    // Messages moved to the dead-letter queue do not count against `max`, but a receive looks at only so many.
    for (let looked = 0; out.length < o.max && looked < o.max + MAX_SKIPPED_PER_RECEIVE; looked++) {
      // Taken out of the visibility order until the end of this receive: with a visibility timeout of 0 a taken
      // message would otherwise be visible to itself again.
      const e = index.takeVisible(o.now);
      if (!e) break;
      // Expired beyond what dropExpiredStandard took this time: never returned.
      if (e.expiresAt <= o.now) {
        this.removeStandard(index, e);
        continue;
      }
      // The dead-letter queue was looked up before this transaction: if it has been deleted since, the message
      // stays here and is received as if the queue had no redrive policy (never moved into a queue that is gone).
      const r = o.redrive;
      if (r && e.receiveCount >= r.maxReceiveCount && this.queueExists(r.deadLetterQueue.id)) {
        const m = this.standardMessage(index, e);
        this.removeStandard(index, e);
        this.relocate(m, { queue: r.deadLetterQueue, retentionMs: r.retentionMs }, o.now, r.sourceArn, m.receiveCount, m.firstReceivedAt ?? null);
        r.onMoved?.();
        continue;
      }
      index.countReceive(e);
      e.firstReceivedAt ??= o.now;
      e.receivedAt = o.now;
      e.receiptToken = o.token;
      e.visibleAt = visibleAt;
      taken.push(e);
      takenIds.push(e.id);
      out.push(this.standardMessage(index, e));
    }
    for (const e of taken) index.setVisibleAt(e, visibleAt);
    if (takenIds.length) this.messageLog.receive(queue.id, visibleAt, o.now, o.token, takenIds);
    return out;
  }

  /** The contract's view of an indexed message; its content from memory, or from the log (kept if the budget allows). */
  private standardMessage(index: StandardQueueIndex, e: IndexedMessage): StoredMessage {
    let c = e.content;
    if (!c) {
      c = this.messageLog.content(e);
      index.keepContent(e, c);
    }
    const m: StoredMessage = {
      rowId: e.id,
      messageId: c.messageId,
      body: c.body,
      md5OfBody: c.md5OfBody,
      senderId: c.senderId,
      sentAt: c.sentAt,
      visibleAt: e.visibleAt,
      expiresAt: e.expiresAt,
      receiveCount: e.receiveCount,
    };
    if (c.messageAttributes !== undefined) m.messageAttributes = c.messageAttributes;
    if (c.md5OfMessageAttributes !== undefined) m.md5OfMessageAttributes = c.md5OfMessageAttributes;
    if (c.systemAttributes !== undefined) m.systemAttributes = c.systemAttributes;
    if (c.md5OfSystemAttributes !== undefined) m.md5OfSystemAttributes = c.md5OfSystemAttributes;
    if (e.firstReceivedAt !== null) m.firstReceivedAt = e.firstReceivedAt;
    if (e.receiptToken !== null) m.receiptToken = e.receiptToken;
    if (c.groupId !== undefined) m.groupId = c.groupId;
    if (c.deduplicationId !== undefined) m.deduplicationId = c.deduplicationId;
    if (c.deadLetterSourceArn !== undefined) m.deadLetterSourceArn = c.deadLetterSourceArn;
    return m;
  }

  /** Deletes a standard queue's message: its index entry, and a delete record in the log. */
  private removeStandard(index: StandardQueueIndex, e: IndexedMessage): void {
    index.remove(e);
    this.messageLog.delete(index.queueId, [e]);
  }

  private receiveFifo(queue: QueueRecord, o: ReceiveRun): StoredMessage[] {
    const out: StoredMessage[] = [];
    // AWS returns as many messages of one group as it can before moving to the next group.
    const groups = this.s.selectAvailableGroups.all(queue.id, o.now, o.max) as { group_id: string }[];
    for (const { group_id } of groups) {
      if (out.length >= o.max) break;
      const rows = (this.s.selectGroupHead.all(queue.id, group_id, o.max - out.length) as unknown[][]).map(messageRow);
      for (const row of rows) {
        if (row.visible_at > o.now) break; // order within a group: stop at the first message not yet visible
        const taken = this.take(queue, row, o);
        if (taken) out.push(taken);
      }
      this.markTaken(o);
      this.refreshGroup(queue.id, group_id, o.now);
    }
    return out;
  }

  /** Receives one candidate row: drops it if expired, dead-letters it if over maxReceiveCount, else takes it. */
  private take(queue: QueueRecord, row: MessageRow, o: ReceiveRun): StoredMessage | undefined {
    if (row.expires_at <= o.now) {
      this.s.deleteMessage.run(row.id);
      return undefined;
    }
    // The dead-letter queue was looked up before this transaction: if it has been deleted since, the message stays
    // here and is received as if the queue had no redrive policy (never moved into a queue that is gone).
    if (o.redrive && row.receive_count >= o.redrive.maxReceiveCount && this.queueExists(o.redrive.deadLetterQueue.id)) {
      const r = o.redrive;
      this.moveRow(row, { queue: r.deadLetterQueue, retentionMs: r.retentionMs }, o.now, r.sourceArn);
      r.onMoved?.();
      return undefined;
    }
    row.receive_count += 1;
    row.first_received_at ??= o.now;
    row.receipt_token = o.token;
    row.visible_at = o.now + o.visibilityTimeoutMs;
    o.taken.push(row.id);
    return toMessage(row);
  }

  /** Writes the receive of the rows `take` collected, in one statement. */
  private markTaken(o: ReceiveRun): void {
    if (o.taken.length === 0) return;
    let stmt = this.markReceivedStatements.get(o.taken.length);
    if (!stmt) {
      stmt = this.db.prepare(
        `UPDATE messages SET visible_at = ?, receive_count = receive_count + 1,
           first_received_at = coalesce(first_received_at, ?), received_at = ?, receipt_token = ?
         WHERE id IN (${o.taken.map(() => '?').join(', ')})`,
      );
      this.markReceivedStatements.set(o.taken.length, stmt);
    }
    stmt.run(o.now + o.visibilityTimeoutMs, o.now, o.now, o.token, ...o.taken);
    o.taken.length = 0;
  }

  /**
   * Moves one message row into another queue, keeping its MessageId. As AWS does, a standard destination keeps the
   * original enqueue time (retention counts from it); a FIFO destination starts the message afresh.
   */
  private moveRow(row: MessageRow, to: MoveDestination, now: number, sourceArn: string | undefined): void {
    this.s.deleteMessage.run(row.id);
    if (isFifoRow(row) && row.queue_id !== to.queue.id) this.refreshGroup(row.queue_id, row.group_id!, now);
    this.relocate(toMessage(row), to, now, sourceArn, row.receive_count, row.first_received_at);
  }

  /** Inserts a message taken out of another queue (already deleted there) into its destination. */
  private relocate(
    m: StoredMessage,
    to: MoveDestination,
    now: number,
    sourceArn: string | undefined,
    receiveCount: number,
    firstReceivedAt: number | null,
  ): void {
    const sentAt = to.queue.fifo ? now : m.sentAt;
    const moved: NewMessage = {
      ...m,
      sentAt,
      visibleAt: now,
      expiresAt: sentAt + to.retentionMs,
      ...(sourceArn !== undefined ? { deadLetterSourceArn: sourceArn } : {}),
    };
    if (sourceArn === undefined) delete moved.deadLetterSourceArn;
    if (to.queue.fifo && moved.groupId === undefined) moved.groupId = '';
    this.insertRow(to.queue.id, moved, to.queue.fifo, receiveCount, firstReceivedAt);
  }

  /**
   * A FIFO group is available when its oldest message is visible and none of its messages is in flight. Messages
   * in flight are always among the first few of the group (a receive takes from the head, at most ten, and the
   * group stays blocked until they are gone), so looking at the head of the group is enough.
   */
  private refreshGroup(queueId: number, groupId: string, now: number): void {
    const head = this.s.selectGroupHeadState.all(queueId, groupId, 10) as Pick<MessageRow, 'id' | 'visible_at' | 'receive_count'>[];
    if (head.length === 0) {
      this.s.deleteGroup.run(queueId, groupId);
      return;
    }
    let availableAt = head[0]!.visible_at;
    for (const m of head) if (m.receive_count > 0 && m.visible_at > now && m.visible_at > availableAt) availableAt = m.visible_at;
    this.s.updateGroup.run(availableAt, head[0]!.id, queueId, groupId);
  }

  async deleteMessage(queueId: number, rowId: number, token: string, now: number): Promise<ReceiptOutcome> {
    return (await this.deleteMessages(queueId, [{ rowId, token }], now))[0]!;
  }

  async deleteMessages(queueId: number, receipts: ReceiptRef[], now: number): Promise<ReceiptOutcome[]> {
    // A standard queue's delete is log records only (no savepoint, as for send).
    if (this.isStandard(queueId)) return this.group.writeLog(() => this.deleteStandardTx(queueId, receipts));
    return this.group.write(() => this.tx.deleteMessages(queueId, receipts, now));
  }

  async requeue(queue: QueueRecord, receipt: ReceiptRef, message: NewMessage): Promise<ReceiptOutcome> {
    if (queue.fifo) throw new Error('requeue is for standard queues');
    return this.group.write(() => this.tx.requeue(queue.id, receipt, message));
  }

  /**
   * Deletes from a standard queue: AWS deletes whatever handle names the message, even that of an earlier receive
   * (ids are never reused, so a handle never names a later message). One delete record covers them all.
   */
  private deleteStandardTx(queueId: number, receipts: ReceiptRef[]): ReceiptOutcome[] {
    const index = this.indexOf(queueId);
    const gone: IndexedMessage[] = [];
    const outcomes = receipts.map((r): ReceiptOutcome => {
      const e = index.get(r.rowId);
      if (!e) return 'gone';
      index.remove(e);
      gone.push(e);
      return 'ok';
    });
    this.messageLog.delete(queueId, gone);
    return outcomes;
  }

  /** Deletes from a FIFO queue (or a queue that no longer exists). */
  private deleteOneTx(queueId: number, r: ReceiptRef, now: number): ReceiptOutcome {
    const row = this.s.getReceiptState.get(r.rowId) as MessageRow | undefined;
    if (!row || row.queue_id !== queueId) return 'gone';
    // AWS: deleting with the handle of an earlier receive still deletes a standard-queue message; a FIFO
    // queue refuses a handle that a later receive has replaced or whose visibility timeout has passed.
    if (isFifoRow(row) && (row.receipt_token !== r.token || row.visible_at <= now)) return 'stale';
    this.s.deleteMessage.run(r.rowId);
    if (isFifoRow(row)) this.refreshGroup(queueId, row.group_id!, now);
    return 'ok';
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
    // A standard queue's change is a log record only (no savepoint, as for send).
    if (this.isStandard(queueId)) return this.group.writeLog(() => changes.map((c) => this.changeVisibilityTx(queueId, c, now, maxVisibilityMs)));
    return this.group.write(() => this.tx.changeVisibilities(queueId, changes, now, maxVisibilityMs));
  }

  private changeVisibilityTx(queueId: number, c: ReceiptRef & { visibleAt: number }, now: number, maxMs: number): ReceiptOutcome {
    const standard = this.isStandard(queueId);
    if (standard === undefined) return 'gone';
    if (standard) {
      const index = this.indexOf(queueId);
      const e = index.get(c.rowId);
      if (!e) return 'gone';
      if (e.receiptToken !== c.token) return 'stale';
      if (e.receivedAt !== null && c.visibleAt - e.receivedAt > maxMs) return 'beyondLimit';
      index.setVisibleAt(e, c.visibleAt);
      this.messageLog.visibility(queueId, e.id, c.visibleAt);
      return 'ok';
    }
    const row = this.s.getReceiptState.get(c.rowId) as MessageRow | undefined;
    if (!row || row.queue_id !== queueId) return 'gone';
    if (row.receipt_token !== c.token) return 'stale';
    if (row.received_at !== null && c.visibleAt - row.received_at > maxMs) return 'beyondLimit';
    this.s.setVisibleAt.run(c.visibleAt, c.rowId);
    if (isFifoRow(row)) this.refreshGroup(queueId, row.group_id!, now);
    return 'ok';
  }

  async purge(queueId: number): Promise<void> {
    await this.group.write(() => this.tx.purge(queueId));
  }

  async counts(queueId: number, now: number): Promise<QueueCounts> {
    return this.group.read(() => {
      if (this.readsFromMemory(queueId)) return this.indexOf(queueId).counts(now);
      const visible = (this.s.countVisible.get(queueId, now) as { n: number }).n;
      const hidden = this.s.countHidden.get(queueId, now) as { inflight: number | null; delayed: number | null };
      return { visible, inflight: hidden.inflight ?? 0, delayed: hidden.delayed ?? 0 };
    });
  }

  async nextVisibleAt(queueId: number, now: number): Promise<number | undefined> {
    return this.group.read(() => {
      if (this.readsFromMemory(queueId)) return this.indexOf(queueId).nextVisibleAt(now);
      return (this.s.nextVisible.get(queueId, now) as { t: number | null } | undefined)?.t ?? undefined;
    });
  }

  /** Whether a read of this queue's messages is answered from memory (a standard queue); first checks for other writers. */
  private readsFromMemory(queueId: number): boolean {
    this.group.noticeOtherWriters();
    return this.isStandard(queueId) === true;
  }

  async deleteExpired(now: number, limit: number): Promise<number[]> {
    return this.group.write(() => this.tx.deleteExpired(now, limit));
  }

  private deleteExpiredTx(now: number, limit: number): number[] {
    const touched: number[] = [];
    let budget = limit;
    for (const { id, fifo } of this.s.allQueueIds.all() as { id: number; fifo: number }[]) {
      if (budget <= 0) break;
      const dropped = fifo ? this.dropExpired(id, now, budget) : this.dropExpiredStandard(this.indexOf(id), now, budget);
      if (dropped === 0) continue;
      budget -= dropped;
      touched.push(id);
    }
    this.s.deleteExpiredDedup.run(now);
    this.s.deleteExpiredAttempts.run(now);
    return touched;
  }

  async sourceArnsOfNext(queueId: number, limit: number, now: number): Promise<string[]> {
    return this.group.read(() => {
      if (this.readsFromMemory(queueId)) {
        const index = this.indexOf(queueId);
        return [...new Set(index.peekVisible(now, limit).map((e) => this.standardMessage(index, e).deadLetterSourceArn ?? ''))];
      }
      const rows = (this.s.selectVisible.all(queueId, now, limit) as unknown[][]).map(messageRow);
      return [...new Set(rows.map((r) => r.dead_letter_source_arn ?? ''))];
    });
  }

  async moveMessages(
    sourceQueueId: number,
    resolve: (sourceArn: string | undefined) => MoveDestination | undefined,
    limit: number,
    now: number,
  ): Promise<{ moved: number; destinations: number[]; blocked: boolean }> {
    return this.group.write(() => this.tx.moveMessages(sourceQueueId, resolve, limit, now));
  }

  private moveMessagesTx(
    sourceQueueId: number,
    resolve: (sourceArn: string | undefined) => MoveDestination | undefined,
    limit: number,
    now: number,
  ): { moved: number; destinations: number[]; blocked: boolean } {
    // Only visible messages move: one in flight still belongs to the consumer holding its receipt handle.
    if (this.isStandard(sourceQueueId)) return this.moveStandardTx(sourceQueueId, resolve, limit, now);
    const rows = (this.s.selectVisible.all(sourceQueueId, now, limit) as unknown[][]).map(messageRow);
    const destinations = new Set<number>();
    let moved = 0;
    for (const row of rows) {
      const to = resolve(row.dead_letter_source_arn ?? undefined);
      if (!to || !this.queueExists(to.queue.id)) return { moved, destinations: [...destinations], blocked: true };
      // A message redriven out of a dead-letter queue starts over: no receives, no source ARN.
      this.moveRow({ ...row, receive_count: 0, first_received_at: null }, to, now, undefined);
      destinations.add(to.queue.id);
      moved++;
    }
    return { moved, destinations: [...destinations], blocked: false };
  }

  private moveStandardTx(
    sourceQueueId: number,
    resolve: (sourceArn: string | undefined) => MoveDestination | undefined,
    limit: number,
    now: number,
  ): { moved: number; destinations: number[]; blocked: boolean } {
    const index = this.indexOf(sourceQueueId);
    const destinations = new Set<number>();
    let moved = 0;
    for (const e of index.peekVisible(now, limit)) {
      const m = this.standardMessage(index, e);
      const to = resolve(m.deadLetterSourceArn);
      if (!to || !this.queueExists(to.queue.id)) return { moved, destinations: [...destinations], blocked: true };
      this.removeStandard(index, e);
      // A message redriven out of a dead-letter queue starts over: no receives, no source ARN.
      this.relocate(m, to, now, undefined, 0, null);
      destinations.add(to.queue.id);
      moved++;
    }
    return { moved, destinations: [...destinations], blocked: false };
  }

  async saveMoveTask(task: MoveTaskRecord): Promise<void> {
    await this.group.write(() => this.s.putMoveTask.run(task.taskHandle, task.sourceArn, JSON.stringify(task), task.startedAt));
  }

  async updateMoveTask(taskHandle: string, change: MoveTaskChange): Promise<MoveTaskRecord | undefined> {
    // One synchronous write: nothing else runs on this connection between the read and the write.
    return this.group.write(() => {
      const row = this.s.getMoveTask.get(taskHandle) as { record: string } | undefined;
      if (!row) return undefined;
      const current = parseMoveTask(row.record);
      const next = change(current);
      if (!next) return current;
      this.s.putMoveTask.run(next.taskHandle, next.sourceArn, JSON.stringify(next), next.startedAt);
      return next;
    });
  }

  async listMoveTasks(sourceArn: string, limit: number): Promise<MoveTaskRecord[]> {
    return this.group.read(() => (this.s.listMoveTasks.all(sourceArn, limit) as { record: string }[]).map((r) => parseMoveTask(r.record)));
  }

  async listActiveMoveTasks(): Promise<MoveTaskRecord[]> {
    return this.group.read(() => (this.s.listActiveMoveTasks.all() as { record: string }[]).map((r) => parseMoveTask(r.record)));
  }

  async getMoveTask(taskHandle: string): Promise<MoveTaskRecord | undefined> {
    return this.group.read(() => {
      const row = this.s.getMoveTask.get(taskHandle) as { record: string } | undefined;
      return row && parseMoveTask(row.record);
    });
  }

  /** Whether standard queues' writes are committed on the commit thread (false in memory, or once it ended). */
  usesCommitThread(): boolean {
    return this.group.pipelined;
  }

  /** The message log's size: rows in the table, records they hold, live messages (tests watch compaction). */
  messageLogStats(): { rows: number; records: number; live: number } {
    return this.messageLog.stats();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.group.flush();
    await this.group.stop();
    await this.checkpointer?.stop();
    if (!this.db.open) return;
    this.group.flush(); // anything written while the threads stopped (now on this thread)
    this.db.close();
  }
}

/** A receive in progress: its options, the token every message it takes gets, and the rows taken so far. */
interface ReceiveRun extends ReceiveOptions {
  token: string;
  taken: number[];
}

const INSERT_COLUMNS =
  'id, queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes, md5_system_attributes, ' +
  'sender_id, sent_at, visible_at, expires_at, receive_count, first_received_at, group_id, dedup_id, sequence_number, ' +
  'dead_letter_source_arn';

/** How many messages a receive may move to the dead-letter queue (or drop) beyond the `max` it takes. */
const MAX_SKIPPED_PER_RECEIVE = 100;

const keyOf = (k: QueueKey): string => `${k.accountId}\u0000${k.region}\u0000${k.name}`;

/**
 * Rows of FIFO queues carry a sequence number. (Standard-queue rows may carry a group id too, since fair queues
 * accept MessageGroupId, but groups order nothing there.)
 */
function isFifoRow(row: MessageRow): boolean {
  return row.sequence_number !== null;
}

function prepare(db: Database.Database) {
  const q = (sql: string): Statement => db.prepare(sql);
  return {
    getQueue: q('SELECT * FROM queues WHERE account_id = ? AND region = ? AND name = ?'),
    getQueueById: q('SELECT * FROM queues WHERE id = ?'),
    insertQueue: q(
      `INSERT INTO queues (account_id, region, name, fifo, attributes, tags, dead_letter_arn, created_at, modified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listQueues: q(
      `SELECT * FROM queues WHERE account_id = ? AND region = ? AND name >= ? AND name < ? AND name > ?
       ORDER BY name LIMIT ?`,
    ),
    listDeadLetterSources: q('SELECT * FROM queues WHERE dead_letter_arn = ? AND name > ? ORDER BY name LIMIT ?'),
    updateQueue: q('UPDATE queues SET attributes = ?, tags = ?, dead_letter_arn = ?, modified_at = ? WHERE id = ?'),
    deleteQueue: q('DELETE FROM queues WHERE id = ?'),
    insertMessage: q(
      `INSERT INTO messages (${INSERT_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    dataVersion: q('PRAGMA data_version').pluck(),
    getIdReservation: q('SELECT next_id FROM message_ids').pluck(),
    getWriter: q('SELECT writer FROM message_ids').pluck(),
    setWriter: q('UPDATE message_ids SET writer = ?'),
    maxMessageId: q('SELECT max(id) FROM messages').pluck(),
    getMessage: q(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`).raw(true),
    // FIFO queues only from here on (the partial indexes cover rows with a sequence number).
    selectVisible: q(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE queue_id = ? AND visible_at <= ? AND sequence_number IS NOT NULL
       ORDER BY visible_at LIMIT ?`,
    ).raw(true),
    getReceiptState: q('SELECT queue_id, receipt_token, visible_at, received_at, group_id, sequence_number FROM messages WHERE id = ?'),
    setVisibleAt: q('UPDATE messages SET visible_at = ? WHERE id = ?'),
    deleteMessage: q('DELETE FROM messages WHERE id = ?'),
    purgeFifoMessages: q('DELETE FROM messages WHERE queue_id = ? AND sequence_number IS NOT NULL'),
    countVisible: q('SELECT count(*) AS n FROM messages WHERE queue_id = ? AND visible_at <= ? AND sequence_number IS NOT NULL'),
    countHidden: q(
      `SELECT sum(receive_count > 0) AS inflight, sum(receive_count = 0) AS delayed
       FROM messages WHERE queue_id = ? AND visible_at > ? AND sequence_number IS NOT NULL`,
    ),
    nextVisible: q('SELECT min(visible_at) AS t FROM messages WHERE queue_id = ? AND visible_at > ? AND sequence_number IS NOT NULL'),
    selectExpiredInQueue: q(
      `SELECT id, queue_id, group_id, sequence_number FROM messages
       WHERE queue_id = ? AND expires_at <= ? AND sequence_number IS NOT NULL LIMIT ?`,
    ),
    allQueueIds: q('SELECT id, fifo FROM queues'),
    queueExists: q('SELECT 1 FROM queues WHERE id = ?'),
    earliestExpiry: q('SELECT min(expires_at) AS t FROM messages WHERE queue_id = ? AND sequence_number IS NOT NULL'),
    insertGroup: q('INSERT INTO fifo_groups (queue_id, group_id, available_at, head_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    updateGroup: q('UPDATE fifo_groups SET available_at = ?, head_id = ? WHERE queue_id = ? AND group_id = ?'),
    deleteGroup: q('DELETE FROM fifo_groups WHERE queue_id = ? AND group_id = ?'),
    purgeGroups: q('DELETE FROM fifo_groups WHERE queue_id = ?'),
    selectAvailableGroups: q(
      'SELECT group_id FROM fifo_groups WHERE queue_id = ? AND available_at <= ? ORDER BY available_at, head_id LIMIT ?',
    ),
    selectGroupHead: q(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE queue_id = ? AND group_id = ? AND sequence_number IS NOT NULL
       ORDER BY id LIMIT ?`,
    ).raw(true),
    selectGroupHeadState: q(
      `SELECT id, visible_at, receive_count FROM messages WHERE queue_id = ? AND group_id = ? AND sequence_number IS NOT NULL
       ORDER BY id LIMIT ?`,
    ),
    getDedup: q(
      `SELECT message_id, sequence_number FROM fifo_dedup
       WHERE queue_id = ? AND scope = ? AND dedup_id = ? AND expires_at > ?`,
    ),
    putDedup: q(
      `INSERT INTO fifo_dedup (queue_id, scope, dedup_id, message_id, sequence_number, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE SET message_id = excluded.message_id,
         sequence_number = excluded.sequence_number, expires_at = excluded.expires_at`,
    ),
    purgeDedup: q('DELETE FROM fifo_dedup WHERE queue_id = ?'),
    deleteExpiredDedup: q('DELETE FROM fifo_dedup WHERE expires_at <= ?'),
    getAttempt: q('SELECT receipts FROM receive_attempts WHERE queue_id = ? AND attempt_id = ? AND expires_at > ?'),
    putAttempt: q(
      `INSERT INTO receive_attempts (queue_id, attempt_id, expires_at, receipts) VALUES (?, ?, ?, ?)
       ON CONFLICT (queue_id, attempt_id) DO UPDATE SET expires_at = excluded.expires_at, receipts = excluded.receipts`,
    ),
    purgeAttempts: q('DELETE FROM receive_attempts WHERE queue_id = ?'),
    deleteExpiredAttempts: q('DELETE FROM receive_attempts WHERE expires_at <= ?'),
    putMoveTask: q(
      `INSERT INTO move_tasks (task_handle, source_arn, record, started_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (task_handle) DO UPDATE SET record = excluded.record`,
    ),
    listMoveTasks: q('SELECT record FROM move_tasks WHERE source_arn = ? ORDER BY started_at DESC LIMIT ?'),
    listActiveMoveTasks: q(
      `SELECT record FROM move_tasks WHERE json_extract(record, '$.status') IN ('RUNNING', 'CANCELLING') ORDER BY started_at`,
    ),
    getMoveTask: q('SELECT record FROM move_tasks WHERE task_handle = ?'),
  };
}
