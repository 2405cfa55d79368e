import type { NewMessage } from '../contract.js';

/**
 * The in-memory index of a standard queue's messages (see SqliteStore). The message log (message-log.ts) is the
 * durable record of every message; this index answers every read — which messages a receive takes next, which have
 * expired, the Approximate* counts, when the next message turns visible — so that nothing but appending to the log
 * touches storage on the hot path. It is rebuilt from the log when the store opens, and whenever the log may have
 * changed without it (a failed commit or savepoint, another connection's writes).
 */

/** What a message keeps of its content in memory: everything a receive returns that never changes. */
export type MessageContent = Omit<NewMessage, 'visibleAt' | 'expiresAt'>;

/** The unchanging part of a message, copied (so that the caller's object is not kept). */
export function contentOf(m: NewMessage): MessageContent {
  const c: MessageContent = { messageId: m.messageId, body: m.body, md5OfBody: m.md5OfBody, senderId: m.senderId, sentAt: m.sentAt };
  if (m.messageAttributes !== undefined) c.messageAttributes = m.messageAttributes;
  if (m.md5OfMessageAttributes !== undefined) c.md5OfMessageAttributes = m.md5OfMessageAttributes;
  if (m.systemAttributes !== undefined) c.systemAttributes = m.systemAttributes;
  if (m.md5OfSystemAttributes !== undefined) c.md5OfSystemAttributes = m.md5OfSystemAttributes;
  if (m.groupId !== undefined) c.groupId = m.groupId;
  if (m.deduplicationId !== undefined) c.deduplicationId = m.deduplicationId;
  if (m.deadLetterSourceArn !== undefined) c.deadLetterSourceArn = m.deadLetterSourceArn;
  return c;
}


/** One message of a standard queue as the index sees it. */
export class IndexedMessage {
  /** Position in the queue's visibility heap and expiry heap (-1: not in it). */
  vPos = -1;
  ePos = -1;
  /** The message's content while the memory budget allows; otherwise undefined and a receive reads the row. */
  content: MessageContent | undefined = undefined;
  contentBytes = 0;
  /** The message log row that holds this message's latest send record (see message-log.ts). */
  seq = 0;

  constructor(
    readonly id: number,
    public visibleAt: number,
    readonly expiresAt: number,
    public receiveCount: number,
    public firstReceivedAt: number | null,
    public receivedAt: number | null,
    public receiptToken: string | null,
  ) {}
}

/** The bytes of message content all standard queues of a store may keep in memory together. */
export class ContentBudget {
  used = 0;
  constructor(readonly limit: number) {}

  /** Keeps a message's content in memory if the budget allows. */
  keep(e: IndexedMessage, content: MessageContent): void {
    if (e.content) return;
    const bytes = contentBytesOf(content);
    if (this.used + bytes > this.limit) return;
    this.used += bytes;
    e.content = content;
    e.contentBytes = bytes;
  }

  /** Gives back what a message's content took (the message is gone, or its content dropped). */
  release(e: IndexedMessage): void {
    if (!e.content) return;
    this.used -= e.contentBytes;
    e.content = undefined;
    e.contentBytes = 0;
  }
}

/** Roughly what a message's content occupies in memory (its strings, and a fixed allowance for the object). */
export function contentBytesOf(c: MessageContent): number {
  return 256 + c.body.length + (c.messageAttributes?.length ?? 0) + (c.systemAttributes?.length ?? 0);
}

/**
 * A binary min-heap of messages that knows each member's position, so that a member can be removed or re-keyed in
 * O(log n). Ordered by visibleAt (or expiresAt), then by id: the order the engine's SQL used (earliest first, and
 * arrival order among equals).
 */
class MessageHeap {
  readonly items: IndexedMessage[] = [];

  constructor(private readonly byExpiry: boolean) {}

  get size(): number {
    return this.items.length;
  }

  key(e: IndexedMessage): number {
    return this.byExpiry ? e.expiresAt : e.visibleAt;
  }

  private less(a: IndexedMessage, b: IndexedMessage): boolean {
    const ka = this.key(a);
    const kb = this.key(b);
    return ka < kb || (ka === kb && a.id < b.id);
  }

  private place(e: IndexedMessage, i: number): void {
    this.items[i] = e;
    if (this.byExpiry) e.ePos = i;
    else e.vPos = i;
  }

  private posOf(e: IndexedMessage): number {
    return this.byExpiry ? e.ePos : e.vPos;
  }

  push(e: IndexedMessage): void {
    this.place(e, this.items.length);
    this.siftUp(this.items.length - 1);
  }

  /** Adds many members at once in O(n) (building the index at open). */
  pushAll(es: IndexedMessage[]): void {
    for (const e of es) this.place(e, this.items.length);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): IndexedMessage | undefined {
    return this.items[0];
  }

  remove(e: IndexedMessage): void {
    const i = this.posOf(e);
    if (i < 0) return;
    const last = this.items.pop()!;
    if (last !== e) {
      this.place(last, i);
      this.siftDown(i);
      this.siftUp(this.posOf(last));
    }
    if (this.byExpiry) e.ePos = -1;
    else e.vPos = -1;
  }

  /** Restores the order after a member's key changed. */
  update(e: IndexedMessage): void {
    const i = this.posOf(e);
    if (i < 0) return this.push(e);
    this.siftUp(i);
    this.siftDown(this.posOf(e));
  }

  clear(): void {
    this.items.length = 0;
  }

  private siftUp(i: number): void {
    const items = this.items;
    const e = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.less(e, parent)) break;
      this.place(parent, i);
      i = p;
    }
    this.place(e, i);
  }

  private siftDown(i: number): void {
    const items = this.items;
    const n = items.length;
    const e = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!this.less(child, e)) break;
      this.place(child, i);
      i = c;
    }
    this.place(e, i);
  }
}

/** One standard queue's messages: by id, by when they turn visible, and by when they expire. */
export class StandardQueueIndex {
  private byId = new Map<number, IndexedMessage>();
  private readonly visibility = new MessageHeap(false);
  private readonly expiry = new MessageHeap(true);
  /** Messages received at least once: hidden ones among them are "in flight", the rest hidden are "delayed". */
  private received = 0;

  constructor(
    readonly queueId: number,
    private readonly budget: ContentBudget,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: number): IndexedMessage | undefined {
    return this.byId.get(id);
  }

  /** Every message, in no particular order. */
  all(): IterableIterator<IndexedMessage> {
    return this.byId.values();
  }

  add(e: IndexedMessage, content?: MessageContent): void {
    this.byId.set(e.id, e);
    if (e.receiveCount > 0) this.received++;
    if (content) this.keepContent(e, content);
    this.visibility.push(e);
    this.expiry.push(e);
  }

  /** Takes over a map of messages by id (building the index from the log; the map is the index's from now on). */
  adopt(byId: Map<number, IndexedMessage>): void {
    this.clear();
    this.byId = byId;
    const es = [...byId.values()];
    for (const e of es) if (e.receiveCount > 0) this.received++;
    this.visibility.pushAll(es);
    this.expiry.pushAll(es);
  }

  /** Keeps a message's content in memory if the budget allows. */
  keepContent(e: IndexedMessage, content: MessageContent): void {
    this.budget.keep(e, content);
  }

  remove(e: IndexedMessage): void {
    if (this.byId.get(e.id) !== e) return;
    this.byId.delete(e.id);
    if (e.receiveCount > 0) this.received--;
    this.visibility.remove(e);
    this.expiry.remove(e);
    this.budget.release(e);
  }

  /** Removes every message (purge, queue deleted). Returns them. */
  clear(): IndexedMessage[] {
    const all = [...this.byId.values()];
    for (const e of all) this.budget.release(e);
    this.byId.clear();
    this.visibility.clear();
    this.expiry.clear();
    this.received = 0;
    return all;
  }

  /**
   * Takes the earliest message visible at `now` out of the visibility order (it stays indexed otherwise): the
   * caller either gives it a new visibility with `setVisibleAt` or removes it.
   */
  takeVisible(now: number): IndexedMessage | undefined {
    const top = this.visibility.peek();
    if (!top || top.visibleAt > now) return undefined;
    this.visibility.remove(top);
    return top;
  }

  /** A message was received: its receive count grows (the caller updates the rest of its state). */
  countReceive(e: IndexedMessage): void {
    if (e.receiveCount === 0) this.received++;
    e.receiveCount++;
  }

  setVisibleAt(e: IndexedMessage, visibleAt: number): void {
    e.visibleAt = visibleAt;
    this.visibility.update(e);
  }

  /** The message that expires first, if it has expired at `now`. */
  firstExpired(now: number): IndexedMessage | undefined {
    const top = this.expiry.peek();
    return top && top.expiresAt <= now ? top : undefined;
  }

  /** Visible, in flight (received, hidden) and delayed (never received, hidden) messages at `now`. */
  counts(now: number): { visible: number; inflight: number; delayed: number } {
    // The messages visible at `now` form a subtree at the top of the heap: walk only that.
    const items = this.visibility.items;
    let visible = 0;
    let visibleReceived = 0;
    const stack: number[] = items.length && items[0]!.visibleAt <= now ? [0] : [];
    while (stack.length) {
      const i = stack.pop()!;
      const e = items[i]!;
      visible++;
      if (e.receiveCount > 0) visibleReceived++;
      const l = 2 * i + 1;
      if (l < items.length && items[l]!.visibleAt <= now) stack.push(l);
      if (l + 1 < items.length && items[l + 1]!.visibleAt <= now) stack.push(l + 1);
    }
    // Messages taken out of the visibility order by a receive in progress are not counted; none are between calls.
    const inflight = this.received - visibleReceived;
    return { visible, inflight, delayed: this.byId.size - visible - inflight };
  }

  /** The earliest moment after `now` at which a message turns visible. */
  nextVisibleAt(now: number): number | undefined {
    const items = this.visibility.items;
    let best: number | undefined;
    const stack: number[] = items.length ? [0] : [];
    while (stack.length) {
      const i = stack.pop()!;
      const t = items[i]!.visibleAt;
      if (t > now) {
        // Everything below is later still.
        if (best === undefined || t < best) best = t;
        continue;
      }
      const l = 2 * i + 1;
      if (l < items.length) stack.push(l);
      if (l + 1 < items.length) stack.push(l + 1);
    }
    return best;
  }

  /** The first `limit` messages visible at `now`, in the order a receive would take them, left in place. */
  peekVisible(now: number, limit: number): IndexedMessage[] {
    const items = this.visibility.items;
    const out: IndexedMessage[] = [];
    // Best-first walk of the heap: the frontier holds positions whose parents were already output, kept sorted.
    const frontier: number[] = items.length ? [0] : [];
    const before = (a: number, b: number) => {
      const x = items[a]!;
      const y = items[b]!;
      return x.visibleAt < y.visibleAt || (x.visibleAt === y.visibleAt && x.id < y.id);
    };
    const insert = (i: number) => {
      let lo = 0;
      let hi = frontier.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(frontier[mid]!, i)) lo = mid + 1;
        else hi = mid;
      }
      frontier.splice(lo, 0, i);
    };
    while (out.length < limit && frontier.length) {
      const i = frontier.shift()!;
      const e = items[i]!;
      if (e.visibleAt > now) break;
      out.push(e);
      const l = 2 * i + 1;
      if (l < items.length) insert(l);
      if (l + 1 < items.length) insert(l + 1);
    }
    return out;
  }
}
