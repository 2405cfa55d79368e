/**
 * The storage contract: one narrow, domain-shaped interface that every engine (SQLite now, PostgreSQL next)
 * implements and that one conformance suite checks. Every method is one transaction: a message's state never
 * changes half-way. Methods are async so that engines with network round trips fit the same shape.
 *
 * Times are milliseconds since the epoch and always come from the caller (the injected clock), never from the
 * engine, so that tests control time.
 */

export interface QueueKey {
  accountId: string;
  region: string;
  name: string;
}

export interface QueueRecord extends QueueKey {
  readonly id: number;
  readonly fifo: boolean;
  /** Settable attributes exactly as AWS returns them (string values), defaults included. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/** A message as written by a send (or moved in from elsewhere). */
export interface NewMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  /** Message attributes in AWS JSON wire form, serialized; undefined when the message has none. */
  messageAttributes?: string;
  md5OfMessageAttributes?: string;
  /** Message system attributes (AWSTraceHeader) in AWS JSON wire form, serialized. */
  systemAttributes?: string;
  md5OfSystemAttributes?: string;
  senderId: string;
  sentAt: number;
  visibleAt: number;
  expiresAt: number;
  groupId?: string;
  deduplicationId?: string;
  deadLetterSourceArn?: string;
}

export interface StoredMessage extends NewMessage {
  /** The engine's own row identity; also the order of messages. */
  readonly rowId: number;
  receiveCount: number;
  firstReceivedAt?: number;
  sequenceNumber?: string;
  /** Changes on every receive; a receipt handle names the row and this token. */
  receiptToken?: string;
}

export interface SendResult {
  messageId: string;
  sequenceNumber?: string;
  /** True when a FIFO queue had already accepted this deduplication id inside the window. */
  duplicate: boolean;
}

export interface FifoSendOptions {
  /** Where the deduplication id is unique: the whole queue or each message group. */
  scope: 'queue' | 'messageGroup';
  windowMs: number;
}

export interface ReceiveOptions {
  max: number;
  visibilityTimeoutMs: number;
  now: number;
  /** When set, a message about to be received for the (maxReceiveCount+1)th time moves to the dead-letter queue. */
  redrive?: {
    maxReceiveCount: number;
    deadLetterQueue: QueueRecord;
    sourceArn: string;
    retentionMs: number;
    /** Called (inside the transaction) for each message moved to the dead-letter queue. */
    onMoved?: () => void;
  };
  /** FIFO only: a retried receive with the same attempt id within five minutes returns the same messages. */
  attemptId?: string;
}

export type ReceiptOutcome = 'ok' | 'gone' | 'stale' | 'beyondLimit';

/** What a receipt handle names: a message row and the token of the receive that produced the handle. */
export interface ReceiptRef {
  rowId: number;
  token: string;
}

export interface QueueCounts {
  visible: number;
  inflight: number;
  delayed: number;
}

export interface MoveTaskRecord {
  taskHandle: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  startedAt: number;
  moved: number;
  toMove: number;
  failureReason?: string;
  /**
   * When the task last advanced (clock time); unset until its first step. A step kicked outside the regular
   * rhythm (a task just started, a node just took leadership over) advances only tasks that have never stepped,
   * so that the rate holds.
   */
  steppedAt?: number;
}

/** What a change to a queue record may replace; the rest of the record (id, key, type, createdAt) is fixed. */
export type QueueUpdate = Pick<QueueRecord, 'attributes' | 'tags' | 'modifiedAt'>;

/**
 * A read-modify-write of one queue record: called with the record as it is inside the engine's transaction (after
 * any concurrent change has committed), it returns what to store. It must be synchronous and depend on nothing but
 * its argument and its own closure: an engine may call it again when it retries the transaction. Throwing aborts
 * the update and rejects `updateQueue` with the same error.
 */
export type QueueChange = (current: QueueRecord) => QueueUpdate;

/** A read-modify-write of one move task record (see `Store.updateMoveTask`). */
export type MoveTaskChange = (current: MoveTaskRecord) => MoveTaskRecord | undefined;

export interface MoveDestination {
  queue: QueueRecord;
  retentionMs: number;
}

/** Whether a node's storage can serve requests now. */
export interface Readiness {
  ready: boolean;
  /** Why not, in words for an operator (absent when ready). */
  reason?: string;
}

export interface Store {
  readonly engine: string;

  /**
   * Engines with a remote database say whether it answers now; the node reports itself unready meanwhile. Absent:
   * always ready (an embedded file).
   */
  readiness?(): Readiness;

  createQueue(queue: Omit<QueueRecord, 'id'>): Promise<{ queue: QueueRecord; created: boolean }>;
  getQueue(key: QueueKey): Promise<QueueRecord | undefined>;
  getQueueById(id: number): Promise<QueueRecord | undefined>;
  /** Queues whose name starts with `prefix`, in name order, after `startAfter`. */
  listQueues(accountId: string, region: string, prefix: string, startAfter: string | undefined, limit: number): Promise<QueueRecord[]>;
  /** Queues whose RedrivePolicy names `deadLetterArn`, in name order, after `startAfter`. */
  listDeadLetterSources(deadLetterArn: string, startAfter: string | undefined, limit: number): Promise<QueueRecord[]>;
  /**
   * Changes a queue record atomically: two concurrent updates (on one node or on several) both take effect, the
   * second one seeing the first one's result. Returns the new record, or undefined when the queue does not exist
   * (deleted meanwhile: the update does not bring it back).
   */
  updateQueue(id: number, change: QueueChange): Promise<QueueRecord | undefined>;
  /** Removes the queue and all its messages. */
  deleteQueue(id: number): Promise<void>;

  send(queue: QueueRecord, messages: NewMessage[], fifo?: FifoSendOptions): Promise<SendResult[]>;
  receive(queue: QueueRecord, options: ReceiveOptions): Promise<StoredMessage[]>;
  deleteMessage(queueId: number, rowId: number, receiptToken: string, now: number): Promise<ReceiptOutcome>;
  /** `beyondLimit` when `visibleAt` is more than `maxVisibilityMs` after the receive that issued the receipt. */
  changeVisibility(
    queueId: number,
    rowId: number,
    receiptToken: string,
    visibleAt: number,
    now: number,
    maxVisibilityMs?: number,
  ): Promise<ReceiptOutcome>;
  /**
   * Replaces a received message of a standard queue with `message`, in one transaction: the message the receipt
   * names is deleted and `message` sent to the same queue, or, when the receipt names nothing any more ('gone'),
   * nothing happens. (A durable job retried as a new message: a crash leaves the old message or the new one,
   * never both and never neither.)
   */
  requeue(queue: QueueRecord, receipt: ReceiptRef, message: NewMessage): Promise<ReceiptOutcome>;
  /** Several deletes in one transaction; outcomes in the order given. */
  deleteMessages(queueId: number, receipts: ReceiptRef[], now: number): Promise<ReceiptOutcome[]>;
  /** Several visibility changes in one transaction; outcomes in the order given. */
  changeVisibilities(
    queueId: number,
    changes: (ReceiptRef & { visibleAt: number })[],
    now: number,
    maxVisibilityMs?: number,
  ): Promise<ReceiptOutcome[]>;
  purge(queueId: number): Promise<void>;
  counts(queueId: number, now: number): Promise<QueueCounts>;
  /** The earliest moment after `now` at which a message of the queue becomes visible, if any. */
  nextVisibleAt(queueId: number, now: number): Promise<number | undefined>;
  /** Deletes up to `limit` messages whose retention has passed; returns the queues touched. */
  deleteExpired(now: number, limit: number): Promise<number[]>;

  /** The DeadLetterQueueSourceArn values among the next `limit` visible messages of a queue ('' where a message has none). */
  sourceArnsOfNext(queueId: number, limit: number, now: number): Promise<string[]>;
  /**
   * Moves up to `limit` visible messages out of a queue (a dead-letter queue being redriven), each to the
   * destination `resolve` names for its DeadLetterQueueSourceArn. Stops at the first message with no destination.
   */
  moveMessages(
    sourceQueueId: number,
    resolve: (sourceArn: string | undefined) => MoveDestination | undefined,
    limit: number,
    now: number,
  ): Promise<{ moved: number; destinations: number[]; blocked: boolean }>;
  saveMoveTask(task: MoveTaskRecord): Promise<void>;
  /**
   * Changes a move task atomically, as `updateQueue` does a queue: `change` sees the record as stored inside the
   * engine's transaction (a concurrent change on any node has committed first) and returns what to store, or
   * undefined to leave it. Returns the stored record afterwards, or undefined when the task does not exist.
   * `change` must be synchronous, must not throw, and may be called again if the engine retries.
   */
  updateMoveTask(taskHandle: string, change: MoveTaskChange): Promise<MoveTaskRecord | undefined>;
  /** A source queue's tasks, newest first. */
  listMoveTasks(sourceArn: string, limit: number): Promise<MoveTaskRecord[]>;
  /** Tasks still RUNNING or CANCELLING, so that a restarted server carries on with them. */
  listActiveMoveTasks(): Promise<MoveTaskRecord[]>;
  getMoveTask(taskHandle: string): Promise<MoveTaskRecord | undefined>;

  close(): Promise<void>;
}
