import type { Database, Statement } from 'better-sqlite3';
import { IndexedMessage, type ContentBudget, type MessageContent } from './queue-index.js';
import { decodeRecords, encodeDelete, encodePurge, encodeReceive, encodeSend, encodeVisibility, type SendState } from './message-log-codec.js';
import type { LogBatch } from './log-batch.js';

/**
 * The durable record of standard queues' messages: an append-only log inside the store's SQLite database
 * (`message_log`), one row per commit group, holding that group's records in order — a message sent (with its whole
 * state), received, its visibility changed, deleted, a queue purged. The in-memory index (queue-index.ts) answers
 * every read; this log is only written, and read back when the store opens (replay), when the index must be rebuilt,
 * and for the content of messages the memory budget does not hold.
 *
 * Why a log and not one row per message: a row per message costs an insert, an update per receive and a delete,
 * each touching B-tree pages (about 0.26 WAL frames per message under load), which made the rows about a fifth of
 * the server's CPU per message. One appended row per commit group costs one insert. Because the row is written in
 * the group's own transaction, atomicity with everything else in the group, crash safety and the single-writer lock
 * all still come from SQLite. (docs/performance.md measures both.)
 *
 * Space: a row is freed once it is the oldest and none of its messages is still live there. Rows are deleted only
 * from the oldest end, so a delete record never outlives the send it cancels. A message that stays while the log
 * moves on (a dead-letter queue that keeps messages for days) is copied forward — a fresh send record with its
 * current state in the current group — a bounded number per commit, once the log holds far more records than live
 * messages.
 */

/** Per row of the log: how many records it holds, and how many of its sends are still their message's latest. */
interface RowInfo {
  records: number;
  live: number;
}


/** When to copy live messages forward, and how many per commit group. */
export interface CompactionOptions {
  /** Compaction starts once the log holds this many records more than twice the live messages (50,000). */
  slack?: number;
  /** Messages copied forward per commit group at most, so that no commit stalls on a deep queue (2,000). */
  copyPerCommit?: number;
}
/** Decoded rows kept for reading content the memory budget does not hold (a draining backlog reads one row in turn). */
const DECODED_ROWS_KEPT = 8;

/** A row shipped to the commit thread and not yet reported committed: the table does not hold it yet. */
interface InFlightRow {
  text: string;
  /** Content of its messages that the memory budget did not keep (read back from here until the row commits). */
  content: Map<number, MessageContent>;
}

export class MessageLog {
  /** The seq the current group's row will get. */
  seq = 1;
  /** Records of the open group, each already encoded (message-log-codec.ts). */
  private pending: string[] = [];
  /** Content of messages sent in the open group that the memory budget did not keep. */
  private pendingContent = new Map<number, MessageContent>();
  private readonly rows = new Map<number, RowInfo>();
  /** The oldest seq that may still be in the table. */
  private oldest = 1;
  /** Records in the rows the table holds (and the open group's). */
  private records = 0;
  private live = 0;
  /**
   * Rows read back for content, with where each send record starts: a message's content is decoded only when it is
   * asked for, so it dies young unless the budget keeps it (decoding a whole row at once promoted hundreds of
   * content objects to the old generation, as garbage).
   */
  private readonly decoded = new Map<number, { text: string; at: Map<number, number> }>();
  /** False from a failure until the next replay: the counts may not match the table, so nothing is freed or copied. */
  private current = false;
  /** Rows shipped to the commit thread, by seq, in order (see group-commit.ts). */
  private readonly inFlight = new Map<number, InFlightRow>();
  /** The id reservation the open group must persist (see reserveIds). */
  private reservation: number | undefined;
  private readonly s: {
    insert: Statement;
    minSeq: Statement;
    all: Statement;
    get: Statement;
    deleteBefore: Statement;
    reserve: Statement;
    writer: Statement;
    setWriter: Statement;
  };

  private readonly slack: number;
  private readonly copyPerCommit: number;

  constructor(
    db: Database,
    /** The index entry of a message, if it is still there (compaction copies only those). */
    private readonly lookup: (queueId: number, id: number) => IndexedMessage | undefined,
    compaction: CompactionOptions = {},
    /**
     * This store's writer token: every commit leaves it in message_ids.writer, so that a store using the commit
     * thread notices another connection's writes (see group-commit.ts). Undefined for an in-memory database.
     */
    private readonly writer?: string,
  ) {
    this.slack = compaction.slack ?? 50_000;
    this.copyPerCommit = compaction.copyPerCommit ?? 2_000;
    this.s = {
      insert: db.prepare('INSERT INTO message_log (seq, records) VALUES (?, ?)'),
      minSeq: db.prepare('SELECT min(seq) FROM message_log').pluck(),
      all: db.prepare('SELECT seq, records FROM message_log ORDER BY seq').raw(true),
      get: db.prepare('SELECT records FROM message_log WHERE seq = ?').pluck(),
      deleteBefore: db.prepare('DELETE FROM message_log WHERE seq < ?'),
      reserve: db.prepare('UPDATE message_ids SET next_id = max(next_id, ?)'),
      writer: db.prepare('SELECT writer FROM message_ids').pluck(),
      setWriter: db.prepare('UPDATE message_ids SET writer = ?'),
    };
  }

  // --- writing -------------------------------------------------------------------------------------------------

  /** Records a message sent (or copied forward) with its current state; the entry now lives in this group's row. */
  send(queueId: number, e: IndexedMessage, c: MessageContent): void {
    this.push(encodeSend(stateOf(queueId, e), c));
    e.seq = this.seq;
    this.row(this.seq).live++;
    this.live++;
    if (!e.content) this.pendingContent.set(e.id, c);
  }

  /** Records a receive of `ids`: each one's count grows, first receive set if unset, and the rest as given. */
  receive(queueId: number, visibleAt: number, receivedAt: number, token: string, ids: number[]): void {
    this.push(encodeReceive(queueId, visibleAt, receivedAt, token, ids));
  }

  visibility(queueId: number, id: number, visibleAt: number): void {
    this.push(encodeVisibility(queueId, visibleAt, id));
  }

  /** Records messages deleted (or expired, or moved away); their rows' live counts fall. */
  delete(queueId: number, es: IndexedMessage[]): void {
    if (es.length === 0) return;
    const ids: number[] = [];
    for (const e of es) {
      ids.push(e.id);
      this.gone(e);
    }
    this.push(encodeDelete(queueId, ids));
  }

  /** Records a queue emptied (purge, or the queue deleted); `es` are the messages it held. */
  purge(queueId: number, es: IndexedMessage[]): void {
    for (const e of es) this.gone(e);
    this.push(encodePurge(queueId));
  }

  private push(record: string): void {
    this.pending.push(record);
    this.row(this.seq).records++;
    this.records++;
  }

  private gone(e: IndexedMessage): void {
    const info = this.rows.get(e.seq);
    if (info) info.live--;
    this.live--;
  }

  private row(seq: number): RowInfo {
    let info = this.rows.get(seq);
    if (!info) this.rows.set(seq, (info = { records: 0, live: 0 }));
    return info;
  }

  /** Where the open group's records end: a savepoint that fails truncates back to it. */
  mark(): number {
    return this.pending.length;
  }

  /**
   * Drops the records a failed savepoint appended. The in-memory counts they changed are rebuilt with the index
   * (the engine forgets its index after any failure).
   */
  rollbackTo(mark: number): void {
    this.pending.length = mark;
  }

  /** The open group is gone (its transaction rolled back): its records with it. */
  discard(): void {
    this.pending = [];
    this.pendingContent.clear();
  }

  /**
   * Message ids up to `next` are reserved (message_ids.next_id): persisted by the open group, before any of its
   * writes that use them is acknowledged.
   */
  reserveIds(next: number): void {
    this.reservation = Math.max(this.reservation ?? 0, next);
  }

  /**
   * Inside the group's transaction, just before COMMIT: copies a bounded number of long-lived messages forward when
   * the log has grown far beyond what is live, writes the group's row, and deletes the oldest rows nothing lives in.
   */
  beforeCommit(): void {
    const batch = this.closeGroup();
    this.pendingContent.clear();
    if (batch.records !== undefined) this.s.insert.run(batch.seq, batch.records);
    if (batch.reserve !== undefined) this.s.reserve.run(batch.reserve);
    if (batch.deleteBefore !== undefined) this.s.deleteBefore.run(batch.deleteBefore);
    if (this.writer !== undefined && this.s.writer.get() !== this.writer) this.s.setWriter.run(this.writer);
  }

  /**
   * A log-only group closes and goes to the commit thread: the same work as beforeCommit, as a batch. Until the
   * thread reports it committed, the row is read from here (replay, content beyond the budget).
   */
  ship(): LogBatch | undefined {
    const batch = this.closeGroup();
    if (batch.records !== undefined) {
      this.inFlight.set(batch.seq!, { text: batch.records, content: this.pendingContent });
      this.pendingContent = new Map();
    }
    return batch.records === undefined && batch.reserve === undefined && batch.deleteBefore === undefined ? undefined : batch;
  }

  /** The commit thread committed a shipped batch: its row is in the table now. */
  committed(batch: LogBatch): void {
    if (batch.seq !== undefined) this.inFlight.delete(batch.seq);
  }

  /** The commit thread failed: shipped rows it did not commit are gone (the engine replays what the table holds). */
  lost(): void {
    this.inFlight.clear();
  }

  /** Whether a shipped batch's row is in the table. */
  inTable(batch: LogBatch): boolean {
    return batch.seq !== undefined && this.s.get.get(batch.seq) !== undefined;
  }

  /** Closes the open group: its row, reservation and the rows now free, for whoever writes them. */
  private closeGroup(): LogBatch {
    if (this.current && this.records > 2 * this.live + this.slack) this.copyForward();
    const batch: LogBatch = {};
    if (this.reservation !== undefined) batch.reserve = this.reservation;
    this.reservation = undefined;
    if (this.pending.length === 0) return batch;
    batch.seq = this.seq;
    batch.records = this.pending.join('');
    this.seq++;
    this.pending = [];
    if (!this.current) return batch;
    const before = this.oldest;
    for (let info = this.rows.get(this.oldest); this.oldest < this.seq; info = this.rows.get(this.oldest)) {
      if (info && info.live > 0) break;
      if (info) {
        this.records -= info.records;
        this.rows.delete(this.oldest);
      }
      this.decoded.delete(this.oldest);
      this.oldest++;
    }
    if (this.oldest !== before) batch.deleteBefore = this.oldest;
    return batch;
  }

  /** Copies the live messages of the oldest rows into the open group (up to copyPerCommit). */
  private copyForward(): void {
    let copied = 0;
    // Only rows the table holds: a row still in flight is read by nobody here (and is young anyway).
    const end = this.inFlight.size ? this.inFlight.keys().next().value! : this.seq;
    for (let seq = this.oldest; seq < end && copied < this.copyPerCommit; seq++) {
      const info = this.rows.get(seq);
      if (!info || info.live === 0) continue;
      let whole = true;
      for (const { state, content } of this.sendsOf(seq)) {
        const e = this.lookup(state.queueId, state.id);
        if (!e || e.seq !== seq) continue;
        this.gone(e);
        this.send(state.queueId, e, content);
        if (++copied >= this.copyPerCommit) {
          whole = false;
          break;
        }
      }
      // Every message still living in the row has been copied: a count left over would be a miscount, and would
      // keep the row (and every row after it) forever. Count it out so the row can be freed.
      if (whole && info.live !== 0) {
        this.live -= info.live;
        info.live = 0;
      }
    }
  }

  // --- reading -------------------------------------------------------------------------------------------------

  /** The send records of one row of the table. */
  private sendsOf(seq: number): { state: SendState; content: MessageContent }[] {
    const text = this.s.get.get(seq) as string | undefined;
    const out: { state: SendState; content: MessageContent }[] = [];
    if (text !== undefined) decodeRecords(text, (r) => r.kind === 'send' && r.content && out.push({ state: r.state, content: r.content }));
    return out;
  }

  /** The content of a message whose content is not in memory: from the open group, or from its row. */
  content(e: IndexedMessage): MessageContent {
    if (e.seq === this.seq) {
      const c = this.pendingContent.get(e.id);
      if (c) return c;
      // Not noted (the index was rebuilt in the middle of the group): the open group's own records hold it.
      let found: MessageContent | undefined;
      decodeRecords(this.pending.join(''), (r) => {
        if (r.kind === 'send' && r.state.id === e.id) found = r.content;
      });
      if (found) return found;
    }
    const flying = this.inFlight.get(e.seq);
    if (flying) {
      const c = flying.content.get(e.id);
      if (c) return c;
    }
    let row = this.decoded.get(e.seq);
    if (row) {
      // Most recently used last.
      this.decoded.delete(e.seq);
      this.decoded.set(e.seq, row);
    } else {
      const text = flying?.text ?? (this.s.get.get(e.seq) as string | undefined) ?? '';
      const at = new Map<number, number>();
      decodeRecords(text, (r, offset) => r.kind === 'send' && at.set(r.state.id, offset), () => false);
      row = { text, at };
      this.decoded.set(e.seq, row);
      if (this.decoded.size > DECODED_ROWS_KEPT) this.decoded.delete(this.decoded.keys().next().value!);
    }
    const offset = row.at.get(e.id);
    let c: MessageContent | undefined;
    if (offset !== undefined) decodeRecords(row.text, (r) => r.kind === 'send' && (c = r.content), () => true, offset, true);
    if (!c) throw new Error(`message ${e.id} is indexed in log row ${e.seq}, which does not hold it`);
    return c;
  }

  /** The engine dropped its index (after a failure): the counts here are suspect until the next replay. */
  invalidate(): void {
    this.current = false;
  }

  /**
   * Rebuilds every standard queue's messages from the table (and the open group's records, which the table does
   * not hold yet), and the per-row counts with them.
   */
  replay(budget: ContentBudget): Map<number, Map<number, IndexedMessage>> {
    this.rows.clear();
    this.decoded.clear();
    this.records = 0;
    this.live = 0;
    const byQueue = new Map<number, Map<number, IndexedMessage>>();
    // Content is kept as messages are replayed, while the budget allows, and given back when a later record removes
    // the message: so replaying a deep backlog never holds more content than the budget.
    // Once the budget is (nearly) full, send records' content is stepped over rather than copied out: a message whose
    // content is not kept is read back from its row when received.
    const wantContent = () => budget.used < budget.limit * 0.98;
    const apply = (seq: number, text: string) => {
      let records = 0;
      decodeRecords(text, (r) => {
        records++;
        switch (r.kind) {
          case 'send': {
            const st = r.state;
            const e = new IndexedMessage(st.id, st.visibleAt, st.expiresAt, st.receiveCount, st.firstReceivedAt, st.receivedAt, st.receiptToken);
            e.seq = seq;
            let q = byQueue.get(st.queueId);
            if (!q) byQueue.set(st.queueId, (q = new Map()));
            const previous = q.get(st.id);
            if (previous) budget.release(previous);
            q.set(st.id, e);
            if (r.content) budget.keep(e, r.content);
            break;
          }
          case 'receive': {
            const q = byQueue.get(r.queueId);
            if (!q) break;
            for (const id of r.ids) {
              const e = q.get(id);
              if (!e) continue;
              e.receiveCount++;
              e.firstReceivedAt ??= r.receivedAt;
              e.receivedAt = r.receivedAt;
              e.receiptToken = r.token;
              e.visibleAt = r.visibleAt;
            }
            break;
          }
          case 'visibility': {
            const e = byQueue.get(r.queueId)?.get(r.id);
            if (e) e.visibleAt = r.visibleAt;
            break;
          }
          case 'delete': {
            const q = byQueue.get(r.queueId);
            if (!q) break;
            for (const id of r.ids) {
              const e = q.get(id);
              if (!e) continue;
              budget.release(e);
              q.delete(id);
            }
            break;
          }
          case 'purge': {
            const q = byQueue.get(r.queueId);
            if (!q) break;
            for (const e of q.values()) budget.release(e);
            byQueue.delete(r.queueId);
            break;
          }
        }
      }, wantContent);
      this.row(seq).records += records;
      this.records += records;
    };
    let last = 0;
    for (const [seq, text] of this.s.all.iterate() as IterableIterator<[number, string]>) {
      apply(seq, text);
      last = seq;
    }
    this.oldest = (this.s.minSeq.get() as number | null) ?? last + 1;
    // Rows in flight to the commit thread follow (those it has committed meanwhile were read above).
    for (const [seq, row] of this.inFlight) {
      if (seq <= last) continue;
      apply(seq, row.text);
      last = seq;
    }
    // The open group keeps the seq it had (its records point there); a fresh store starts after the last row.
    if (this.pending.length === 0) this.seq = last + 1;
    if (this.pending.length) apply(this.seq, this.pending.join(''));
    for (const [queueId, q] of byQueue) {
      for (const e of q.values()) this.row(e.seq).live++;
      this.live += q.size;
      if (q.size === 0) byQueue.delete(queueId);
    }
    this.current = true;
    // Each queue's map by id, handed to its index as is (building a second one cost a tenth of a replay).
    return byQueue;
  }

  /** The rows the log table holds, the records in them, and the live messages (tests watch compaction). */
  stats(): { rows: number; records: number; live: number } {
    return { rows: this.seq - this.oldest, records: this.records, live: this.live };
  }
}

function stateOf(queueId: number, e: IndexedMessage): SendState {
  return {
    id: e.id,
    queueId,
    visibleAt: e.visibleAt,
    expiresAt: e.expiresAt,
    receiveCount: e.receiveCount,
    firstReceivedAt: e.firstReceivedAt,
    receivedAt: e.receivedAt,
    receiptToken: e.receiptToken,
  };
}
