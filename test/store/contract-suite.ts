/**
 * The storage conformance suite: every engine behind src/store/contract.ts must pass it unchanged.
 *
 * It drives the Store interface directly (no HTTP) and passes every time explicitly (`now`, `sentAt`, `visibleAt`,
 * ...), so nothing here depends on the wall clock except the scale test, which measures how long receives take.
 *
 * Wire an engine in with a file `test/store/<engine>.test.ts`:
 *
 *   defineStoreContract('sqlite :memory:', async () => new SqliteStore({ path: ':memory:' }));
 *   defineStorePersistence('sqlite file', async () => ({ open: async () => new SqliteStore({ path }) }));
 *
 * `makeStore` must return a fresh, empty store each time it is called (every test gets its own and closes it).
 * Standard queues give no ordering guarantee, so tests on standard queues compare sets, never order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type {
  FifoSendOptions,
  MoveDestination,
  MoveTaskRecord,
  NewMessage,
  QueueKey,
  QueueRecord,
  ReceiveOptions,
  Store,
  StoredMessage,
} from '../../src/store/contract.js';

export type StoreFactory = () => Promise<Store>;

export interface StoreContractOptions {
  /** Run the scale tests (large queues; a few seconds each). Default true. */
  scale?: boolean;
}

/** A database that can be opened more than once (one after another, or at the same time). */
export interface StoreLocation {
  open(): Promise<Store>;
  /** Removes the database, after every store opened on it was closed. */
  dispose?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------------

export const T0 = Date.UTC(2026, 0, 1);
const SEC = 1_000;
const MIN = 60 * SEC;
const DAY = 24 * 60 * MIN;
const RETENTION_MS = 4 * DAY;
const VT = 30 * SEC;
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

const FIFO_QUEUE: FifoSendOptions = { scope: 'queue', windowMs: 5 * MIN };
const FIFO_GROUP: FifoSendOptions = { scope: 'messageGroup', windowMs: 5 * MIN };

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
export const arnOf = (q: QueueKey): string => `arn:aws:sqs:${q.region}:${q.accountId}:${q.name}`;

interface QueueOptions {
  fifo?: boolean;
  accountId?: string;
  region?: string;
  attributes?: Record<string, string>;
  tags?: Record<string, string>;
  at?: number;
  /** Adds a RedrivePolicy naming this dead-letter queue. */
  deadLetter?: QueueKey;
}

export function queueInput(name: string, o: QueueOptions = {}): Omit<QueueRecord, 'id'> {
  const fifo = o.fifo ?? name.endsWith('.fifo');
  const attributes: Record<string, string> = {
    DelaySeconds: '0',
    MaximumMessageSize: '262144',
    MessageRetentionPeriod: String(RETENTION_MS / 1000),
    ReceiveMessageWaitTimeSeconds: '0',
    VisibilityTimeout: String(VT / 1000),
    ...(fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {}),
    ...(o.deadLetter ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(o.deadLetter), maxReceiveCount: 3 }) } : {}),
    ...o.attributes,
  };
  return {
    accountId: o.accountId ?? ACCOUNT,
    region: o.region ?? REGION,
    name,
    fifo,
    attributes,
    tags: { ...o.tags },
    createdAt: o.at ?? T0,
    modifiedAt: o.at ?? T0,
  };
}

/** A standard message sent at `at`, visible at once, kept for four days. */
export function message(body: string, at: number, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    messageId: randomUUID(),
    body,
    md5OfBody: md5(body),
    senderId: 'AIDAEXAMPLESENDER',
    sentAt: at,
    visibleAt: at,
    expiresAt: at + RETENTION_MS,
    ...extra,
  };
}

/** A FIFO message; the deduplication id defaults to a fresh one. */
export function fifoMessage(group: string, body: string, at: number, extra: Partial<NewMessage> = {}): NewMessage {
  return message(body, at, { groupId: group, deduplicationId: randomUUID(), ...extra });
}

const bodies = (ms: readonly StoredMessage[]): string[] => ms.map((m) => m.body);
const sortedBodies = (ms: readonly StoredMessage[]): string[] => bodies(ms).sort();
const sortNums = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const names = (qs: readonly QueueRecord[]): string[] => qs.map((q) => q.name);
/** Drops keys whose value is undefined, so records compare by content. */
const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function recv(now: number, max = 10, extra: Partial<ReceiveOptions> = {}): ReceiveOptions {
  return { max, visibilityTimeoutMs: VT, now, ...extra };
}

async function mustCreate(store: Store, input: Omit<QueueRecord, 'id'>): Promise<QueueRecord> {
  const { queue, created } = await store.createQueue(input);
  assert.equal(created, true, `queue ${input.name} should be new`);
  return queue;
}

async function sendOne(store: Store, queue: QueueRecord, m: NewMessage, fifo?: FifoSendOptions) {
  const [result] = await store.send(queue, [m], fifo);
  assert.ok(result);
  return result;
}

async function receiveOne(store: Store, queue: QueueRecord, now: number, extra: Partial<ReceiveOptions> = {}): Promise<StoredMessage> {
  const got = await store.receive(queue, recv(now, 1, extra));
  assert.equal(got.length, 1, `expected one message at ${now - T0} ms`);
  return got[0]!;
}

function token(m: StoredMessage): string {
  assert.equal(typeof m.receiptToken, 'string', 'a received message carries a receipt token');
  assert.ok(m.receiptToken!.length > 0);
  return m.receiptToken!;
}

/** Messages of a receive grouped as runs of one group: [[group, bodies...], ...]. */
function runsOf(ms: readonly StoredMessage[]): { group: string; bodies: string[] }[] {
  const runs: { group: string; bodies: string[] }[] = [];
  for (const m of ms) {
    const last = runs[runs.length - 1];
    if (last && last.group === m.groupId) last.bodies.push(m.body);
    else runs.push({ group: m.groupId ?? '', bodies: [m.body] });
  }
  return runs;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

// ---------------------------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------------------------

export function defineStoreContract(engineName: string, makeStore: StoreFactory, options: StoreContractOptions = {}): void {
  /** A test with its own fresh store, closed afterwards. */
  const it = (name: string, fn: (store: Store) => Promise<void>, opts: { timeout?: number } = {}) =>
    test(name, { timeout: opts.timeout ?? 60_000 }, async () => {
      const store = await makeStore();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });

  describe(`store contract: ${engineName}`, () => {
    // -----------------------------------------------------------------------------------------------------------
    describe('queues', () => {
      it('createQueue stores the record and returns it with an id', async (store) => {
        const input = queueInput('orders', { attributes: { VisibilityTimeout: '45' }, tags: { team: 'billing', env: '' } });
        const { queue, created } = await store.createQueue(input);
        assert.equal(created, true);
        assert.equal(typeof queue.id, 'number');
        assert.deepEqual(queue, { ...input, id: queue.id });
        assert.deepEqual(await store.getQueue({ accountId: ACCOUNT, region: REGION, name: 'orders' }), queue);
        assert.deepEqual(await store.getQueueById(queue.id), queue);

        const fifo = await mustCreate(store, queueInput('orders.fifo'));
        assert.equal(fifo.fifo, true);
        assert.notEqual(fifo.id, queue.id);
        assert.deepEqual(await store.getQueueById(fifo.id), fifo);
      });

      it('createQueue of an existing key returns created:false and the existing record, unchanged', async (store) => {
        const first = await mustCreate(store, queueInput('orders', { attributes: { VisibilityTimeout: '45' }, tags: { a: '1' } }));
        const again = await store.createQueue(
          queueInput('orders', { attributes: { VisibilityTimeout: '99' }, tags: { b: '2' }, at: T0 + DAY }),
        );
        assert.equal(again.created, false);
        assert.deepEqual(again.queue, first);
        assert.deepEqual(await store.getQueue(first), first);
        assert.equal((await store.listQueues(ACCOUNT, REGION, '', undefined, 100)).length, 1);
      });

      it('getQueue and getQueueById return undefined for unknown queues', async (store) => {
        const q = await mustCreate(store, queueInput('known'));
        assert.equal(await store.getQueue({ accountId: ACCOUNT, region: REGION, name: 'unknown' }), undefined);
        assert.equal(await store.getQueue({ accountId: ACCOUNT, region: REGION, name: 'Known' }), undefined, 'names are case-sensitive');
        assert.equal(await store.getQueueById(q.id + 1000), undefined);
      });

      it('queues are isolated by account and region', async (store) => {
        const a = await mustCreate(store, queueInput('shared', { accountId: '111111111111', region: 'us-east-1' }));
        const b = await mustCreate(store, queueInput('shared', { accountId: '222222222222', region: 'us-east-1' }));
        const c = await mustCreate(store, queueInput('shared', { accountId: '111111111111', region: 'eu-west-1' }));
        assert.equal(new Set([a.id, b.id, c.id]).size, 3);
        for (const q of [a, b, c]) assert.deepEqual(await store.getQueue(q), q);
        assert.deepEqual(await store.listQueues('111111111111', 'us-east-1', '', undefined, 100), [a]);
        assert.deepEqual(await store.listQueues('222222222222', 'us-east-1', '', undefined, 100), [b]);
        assert.deepEqual(await store.listQueues('111111111111', 'eu-west-1', '', undefined, 100), [c]);
        assert.deepEqual(await store.listQueues('222222222222', 'eu-west-1', '', undefined, 100), []);

        await store.send(a, [message('for a', T0)]);
        assert.deepEqual(await store.receive(b, recv(T0)), []);
        assert.deepEqual(await store.receive(c, recv(T0)), []);
        assert.deepEqual(bodies(await store.receive(a, recv(T0))), ['for a']);
      });

      it('listQueues filters by prefix and pages in name order after startAfter', async (store) => {
        for (const name of ['orders-b', 'payments', 'orders-a', 'ordersX', 'order', 'orders', 'orders-c.fifo']) {
          await mustCreate(store, queueInput(name));
        }
        const all = await store.listQueues(ACCOUNT, REGION, '', undefined, 100);
        assert.deepEqual(names(all), ['order', 'orders', 'orders-a', 'orders-b', 'orders-c.fifo', 'ordersX', 'payments']);
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, 'orders', undefined, 100)), [
          'orders',
          'orders-a',
          'orders-b',
          'orders-c.fifo',
          'ordersX',
        ]);
        // Paging: each page starts after the last name of the previous one.
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listQueues(ACCOUNT, REGION, 'orders', after, 2);
          if (page.length === 0) break;
          pages.push(names(page));
          after = page[page.length - 1]!.name;
        }
        assert.deepEqual(pages, [['orders', 'orders-a'], ['orders-b', 'orders-c.fifo'], ['ordersX']]);
        // startAfter need not name an existing queue.
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, 'orders', 'orders-aa', 2)), ['orders-b', 'orders-c.fifo']);
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, 'pay', undefined, 100)), ['payments']);
        assert.deepEqual(await store.listQueues(ACCOUNT, REGION, 'zzz', undefined, 100), []);
        assert.deepEqual(await store.listQueues(ACCOUNT, REGION, 'Orders', undefined, 100), [], 'prefixes are case-sensitive');
        // The records listed are the full records.
        assert.deepEqual(all[0], await store.getQueue({ accountId: ACCOUNT, region: REGION, name: 'order' }));
      });

      it('listQueues orders names by code point (binary, case-sensitive), not by locale', async (store) => {
        const input = ['b', 'B', 'a', 'A', '_x', '0', 'a-1', 'a_1', 'a1', 'aB'];
        for (const name of input) await mustCreate(store, queueInput(name));
        const expected = [...input].sort(); // UTF-16 code unit order equals byte order for ASCII
        assert.deepEqual(expected, ['0', 'A', 'B', '_x', 'a', 'a-1', 'a1', 'aB', 'a_1', 'b']);
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, '', undefined, 100)), expected);
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, 'a', undefined, 100)), ['a', 'a-1', 'a1', 'aB', 'a_1']);
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, '', 'a1', 3)), ['aB', 'a_1', 'b']);
      });

      it('updateQueue persists attributes, tags and modifiedAt', async (store) => {
        const q = await mustCreate(store, queueInput('orders', { tags: { keep: '1', drop: '2' } }));
        const { DelaySeconds: _removed, ...kept } = q.attributes;
        const updated: QueueRecord = {
          ...q,
          attributes: { ...kept, VisibilityTimeout: '120', Policy: '{"Version":"2012-10-17"}' },
          tags: { keep: '1', added: 'yes' },
          modifiedAt: T0 + MIN,
        };
        let seen: QueueRecord | undefined;
        const returned = await store.updateQueue(q.id, (current) => {
          seen = current;
          return updated;
        });
        assert.deepEqual(seen, q, 'the change is called with the stored record');
        assert.deepEqual(returned, updated, 'updateQueue returns the new record');
        const got = await store.getQueue(q);
        assert.deepEqual(got, updated);
        assert.equal(got!.id, q.id);
        assert.equal(got!.createdAt, T0);
        assert.equal(got!.attributes['DelaySeconds'], undefined, 'a removed attribute stays removed');
        assert.deepEqual(await store.getQueueById(q.id), updated);
        assert.deepEqual(await store.listQueues(ACCOUNT, REGION, '', undefined, 10), [updated]);
      });

      it('deleteQueue removes the queue and all its messages', async (store) => {
        const q = await mustCreate(store, queueInput('doomed'));
        const other = await mustCreate(store, queueInput('other'));
        await store.send(q, [message('a', T0), message('b', T0), message('c', T0 + MIN, { visibleAt: T0 + MIN })]);
        await store.send(other, [message('stays', T0)]);
        const inflight = await receiveOne(store, q, T0);

        await store.deleteQueue(q.id);
        assert.equal(await store.getQueue(q), undefined);
        assert.equal(await store.getQueueById(q.id), undefined);
        assert.deepEqual(names(await store.listQueues(ACCOUNT, REGION, '', undefined, 10)), ['other']);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 0, inflight: 0, delayed: 0 });
        assert.equal(await store.nextVisibleAt(q.id, T0), undefined);
        assert.equal(await store.deleteMessage(q.id, inflight.rowId, token(inflight), T0), 'gone');
        assert.equal(await store.changeVisibility(q.id, inflight.rowId, token(inflight), T0, T0), 'gone');
        assert.deepEqual(await store.receive(q, recv(T0 + DAY)), []);
        assert.deepEqual(await store.deleteExpired(T0 + 30 * DAY, 1000), [other.id], 'no message of the deleted queue is left to expire');

        // The same name can be created again, empty.
        const again = await mustCreate(store, queueInput('doomed'));
        assert.deepEqual(await store.counts(again.id, T0 + 2 * MIN), { visible: 0, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.receive(again, recv(T0 + 2 * MIN)), []);
      });

      it('updateQueue of a queue deleted meanwhile does not bring it back', async (store) => {
        // SetQueueAttributes racing DeleteQueue: the caller still holds the record it resolved before the delete.
        const q = await mustCreate(store, queueInput('doomed'));
        await store.deleteQueue(q.id);
        let called = false;
        const result = await store.updateQueue(q.id, (current) => {
          called = true;
          return { ...current, attributes: { ...current.attributes, VisibilityTimeout: '99' }, modifiedAt: T0 + 1 };
        });
        assert.equal(result, undefined, 'updateQueue answers undefined for a deleted queue');
        assert.equal(called, false, 'the change is not called for a deleted queue');
        assert.equal(await store.getQueue(q), undefined, 'getQueue');
        assert.equal(await store.getQueueById(q.id), undefined, 'getQueueById');
        assert.deepEqual(await store.listQueues(ACCOUNT, REGION, '', undefined, 10), []);
        const again = await store.createQueue(queueInput('doomed', { at: T0 + 2 }));
        assert.equal(again.created, true, 'the name is free for a new queue');
      });

      it('concurrent updateQueue calls each see the previous one: no change is lost', async (store) => {
        // TagQueue, SetQueueAttributes and AddPermission racing each other: a read-then-write outside the engine's
        // transaction would keep only some of these tags.
        const q = await mustCreate(store, queueInput('busy', { tags: { base: '0' } }));
        const N = 25;
        const results = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            store.updateQueue(q.id, (cur) =>
              i % 5 === 4
                ? { ...cur, attributes: { ...cur.attributes, [`Attr${i}`]: String(i) }, modifiedAt: T0 + i }
                : { ...cur, tags: { ...cur.tags, [`k${i}`]: String(i) }, modifiedAt: T0 + i },
            ),
          ),
        );
        for (const r of results) assert.ok(r, 'every update found the queue');
        const got = (await store.getQueueById(q.id))!;
        const wantTags: Record<string, string> = { base: '0' };
        const wantAttrs: Record<string, string> = { ...q.attributes };
        for (let i = 0; i < N; i++) {
          if (i % 5 === 4) wantAttrs[`Attr${i}`] = String(i);
          else wantTags[`k${i}`] = String(i);
        }
        assert.deepEqual(got.tags, wantTags, 'every concurrent tag change is kept');
        assert.deepEqual(got.attributes, wantAttrs, 'every concurrent attribute change is kept');
        assert.deepEqual(await store.getQueue(q), got);
      });

      it('a change that throws leaves the record as it was and rejects with its error', async (store) => {
        const q = await mustCreate(store, queueInput('guarded', { tags: { a: '1' } }));
        const refusal = new Error('label exists');
        await assert.rejects(
          store.updateQueue(q.id, (cur) => {
            if (cur.tags['a'] === '1') throw refusal;
            return { ...cur, tags: {} };
          }),
          (err) => err === refusal,
        );
        assert.deepEqual(await store.getQueueById(q.id), q);
        // Other writes of the moment are not affected.
        await store.send(q, [message('still works', T0)]);
        const after = await store.updateQueue(q.id, (cur) => ({ ...cur, tags: { ...cur.tags, b: '2' }, modifiedAt: T0 + 5 }));
        assert.deepEqual(after?.tags, { a: '1', b: '2' });
        assert.deepEqual((await store.getQueue(q))?.tags, { a: '1', b: '2' });
        assert.equal((await store.counts(q.id, T0)).visible, 1);
      });

      it('queue ids are never reused after deleteQueue', async (store) => {
        // Receipt handles, long polls and background work name queues by id; an id taken over by a new queue would
        // let a long poll still waiting on the deleted queue receive the new queue's messages.
        const a = await mustCreate(store, queueInput('a'));
        const b = await mustCreate(store, queueInput('b'));
        await store.deleteQueue(b.id);
        const c = await mustCreate(store, queueInput('c'));
        assert.notEqual(c.id, a.id);
        assert.notEqual(c.id, b.id, 'the id of the deleted queue was given to a new queue');
        await store.send(c, [message('for c', T0)]);
        assert.deepEqual(await store.receive(b, recv(T0)), [], 'a receive on the deleted queue must not see the new queue');
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('dead-letter sources', () => {
      it('listDeadLetterSources lists the queues whose RedrivePolicy targets the ARN, in name order, with paging', async (store) => {
        const dlq1 = await mustCreate(store, queueInput('dlq-1'));
        const dlq2 = await mustCreate(store, queueInput('dlq-2'));
        for (const name of ['src-c', 'src-a', 'src-b']) await mustCreate(store, queueInput(name, { deadLetter: dlq1 }));
        await mustCreate(store, queueInput('other', { deadLetter: dlq2 }));
        await mustCreate(store, queueInput('plain'));

        assert.deepEqual(names(await store.listDeadLetterSources(arnOf(dlq1), undefined, 100)), ['src-a', 'src-b', 'src-c']);
        assert.deepEqual(names(await store.listDeadLetterSources(arnOf(dlq1), undefined, 2)), ['src-a', 'src-b']);
        assert.deepEqual(names(await store.listDeadLetterSources(arnOf(dlq1), 'src-b', 2)), ['src-c']);
        assert.deepEqual(await store.listDeadLetterSources(arnOf(dlq1), 'src-c', 2), []);
        assert.deepEqual(names(await store.listDeadLetterSources(arnOf(dlq2), undefined, 100)), ['other']);
        assert.deepEqual(await store.listDeadLetterSources(arnOf({ ...dlq1, name: 'nope' }), undefined, 100), []);
        const [first] = await store.listDeadLetterSources(arnOf(dlq1), undefined, 1);
        assert.deepEqual(first, await store.getQueue({ accountId: ACCOUNT, region: REGION, name: 'src-a' }));
      });

      it('updateQueue and deleteQueue keep the dead-letter source list current', async (store) => {
        const dlq1 = await mustCreate(store, queueInput('dlq-1'));
        const dlq2 = await mustCreate(store, queueInput('dlq-2'));
        const a = await mustCreate(store, queueInput('src-a', { deadLetter: dlq1 }));
        const b = await mustCreate(store, queueInput('src-b', { deadLetter: dlq1 }));
        const other = await mustCreate(store, queueInput('other', { deadLetter: dlq2 }));
        const plain = await mustCreate(store, queueInput('plain'));

        const { RedrivePolicy: _dropped, ...withoutPolicy } = b.attributes;
        await store.updateQueue(b.id, (cur) => ({ ...cur, attributes: withoutPolicy, modifiedAt: T0 + 1 }));
        await store.updateQueue(plain.id, (cur) => ({ ...cur, attributes: queueInput('plain', { deadLetter: dlq1 }).attributes, modifiedAt: T0 + 1 }));
        await store.updateQueue(other.id, (cur) => ({ ...cur, attributes: queueInput('other', { deadLetter: dlq1 }).attributes, modifiedAt: T0 + 1 }));
        assert.deepEqual(names(await store.listDeadLetterSources(arnOf(dlq1), undefined, 100)), ['other', 'plain', 'src-a']);
        assert.deepEqual(await store.listDeadLetterSources(arnOf(dlq2), undefined, 100), []);

        await store.deleteQueue(a.id);
        assert.deepEqual(names(await store.listDeadLetterSources(arnOf(dlq1), undefined, 100)), ['other', 'plain']);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('standard messages', () => {
      it('send returns the message ids; receive returns the messages with receiveCount 1, a token and firstReceivedAt', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        const sent = [message('one', T0), message('two', T0), message('three', T0)];
        const results = await store.send(q, sent);
        assert.deepEqual(
          results.map((r) => [r.messageId, r.duplicate]),
          sent.map((m) => [m.messageId, false]),
          'one result per message, in order',
        );
        for (const r of results) assert.equal(r.sequenceNumber, undefined, 'standard queues have no sequence numbers');

        const now = T0 + 5 * SEC;
        const got = await store.receive(q, recv(now));
        assert.equal(got.length, 3);
        assert.deepEqual(sortedBodies(got), ['one', 'three', 'two']);
        for (const m of got) {
          const original = sent.find((s) => s.messageId === m.messageId);
          assert.ok(original, 'each received message is one that was sent');
          assert.equal(m.body, original.body);
          assert.equal(m.md5OfBody, original.md5OfBody);
          assert.equal(m.senderId, original.senderId);
          assert.equal(m.sentAt, T0);
          assert.equal(m.expiresAt, T0 + RETENTION_MS);
          assert.equal(m.receiveCount, 1);
          assert.equal(m.firstReceivedAt, now);
          assert.equal(m.visibleAt, now + VT, 'visibleAt of a received message is the end of its visibility timeout');
          assert.equal(m.sequenceNumber, undefined);
          token(m);
        }
        assert.equal(new Set(got.map((m) => m.rowId)).size, 3, 'row ids are distinct');
      });

      it('message fields round-trip exactly; absent optional fields stay absent', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        const attrs = JSON.stringify({ Color: { DataType: 'String', StringValue: 'blue' } });
        const sys = JSON.stringify({ AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } });
        const big = 'x'.repeat(256 * 1024);
        const unicode = 'héllo 🌍 <&> "quotes" \u0000 null byte \n newline \u{10FFFF}';
        const full = message(unicode, T0, {
          messageAttributes: attrs,
          md5OfMessageAttributes: md5(attrs),
          systemAttributes: sys,
          md5OfSystemAttributes: md5(sys),
          groupId: 'tenant-1', // fair queues: a standard queue accepts MessageGroupId
          deadLetterSourceArn: 'arn:aws:sqs:us-east-1:000000000000:elsewhere',
        });
        const bare = message(big, T0);
        await store.send(q, [full, bare]);
        const got = await store.receive(q, recv(T0));
        const f = got.find((m) => m.messageId === full.messageId);
        const b = got.find((m) => m.messageId === bare.messageId);
        assert.ok(f && b);
        for (const key of [
          'messageId',
          'body',
          'md5OfBody',
          'messageAttributes',
          'md5OfMessageAttributes',
          'systemAttributes',
          'md5OfSystemAttributes',
          'senderId',
          'sentAt',
          'expiresAt',
          'groupId',
          'deadLetterSourceArn',
        ] as const) {
          assert.deepEqual(f[key], full[key], `field ${key}`);
        }
        assert.equal(b.body.length, big.length);
        assert.equal(b.body, big);
        for (const key of [
          'messageAttributes',
          'md5OfMessageAttributes',
          'systemAttributes',
          'md5OfSystemAttributes',
          'groupId',
          'deduplicationId',
          'deadLetterSourceArn',
          'sequenceNumber',
        ] as const) {
          assert.equal(b[key], undefined, `field ${key} of a message without it`);
        }
      });

      it('a received message is invisible until its visibility timeout passes, then returns with receiveCount 2 and a new token', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        const first = await receiveOne(store, q, T0);
        assert.equal(first.receiveCount, 1);
        assert.deepEqual(await store.receive(q, recv(T0 + 1)), []);
        assert.deepEqual(await store.receive(q, recv(T0 + VT - 1)), []);
        const second = await receiveOne(store, q, T0 + VT);
        assert.equal(second.messageId, first.messageId);
        assert.equal(second.rowId, first.rowId);
        assert.equal(second.receiveCount, 2);
        assert.notEqual(token(second), token(first));
        assert.equal(second.firstReceivedAt, T0, 'firstReceivedAt is the time of the first receive');
      });

      it('a receive with a visibility timeout of 0 leaves the message visible', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        const first = await receiveOne(store, q, T0, { visibilityTimeoutMs: 0 });
        const second = await receiveOne(store, q, T0, { visibilityTimeoutMs: 0 });
        assert.equal(second.messageId, first.messageId);
        assert.equal(second.receiveCount, 2);
      });

      it('delayed messages are not received before visibleAt', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('later', T0, { visibleAt: T0 + 10 * SEC }), message('now', T0)]);
        assert.deepEqual(bodies(await store.receive(q, recv(T0))), ['now']);
        assert.deepEqual(await store.receive(q, recv(T0 + 10 * SEC - 1)), []);
        const m = await receiveOne(store, q, T0 + 10 * SEC);
        assert.equal(m.body, 'later');
        assert.equal(m.receiveCount, 1);
        assert.equal(m.firstReceivedAt, T0 + 10 * SEC);
      });

      it('max limits the number of messages received', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, Array.from({ length: 15 }, (_, i) => message(`m${i}`, T0 + i)));
        const now = T0 + SEC;
        const a = await store.receive(q, recv(now, 4));
        const b = await store.receive(q, recv(now, 10));
        const c = await store.receive(q, recv(now, 10));
        assert.deepEqual([a.length, b.length, c.length], [4, 10, 1]);
        assert.deepEqual(await store.receive(q, recv(now, 10)), []);
        assert.equal(new Set([...a, ...b, ...c].map((m) => m.messageId)).size, 15);
        assert.equal((await store.receive(q, recv(now + VT, 1))).length, 1);
      });

      it('deleteMessage with the current token deletes the message', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0), message('n', T0)]);
        const m = await receiveOne(store, q, T0);
        assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + 1), 'ok');
        assert.deepEqual(await store.counts(q.id, T0 + 1), { visible: 1, inflight: 0, delayed: 0 });
        const rest = await store.receive(q, recv(T0 + DAY));
        assert.equal(rest.length, 1);
        assert.notEqual(rest[0]!.messageId, m.messageId);
        assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + 2), 'gone', 'deleting a deleted message');
      });

      it('requeue replaces a received standard message with a new one, in one step', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('attempt 1', T0)]);
        const m = await receiveOne(store, q, T0);
        const retry = message('attempt 2', T0 + 1, { visibleAt: T0 + 5 * SEC });
        assert.equal(await store.requeue(q, { rowId: m.rowId, token: token(m) }, retry), 'ok');
        assert.deepEqual(await store.counts(q.id, T0 + 1), { visible: 0, inflight: 0, delayed: 1 }, 'only the new message, not yet due');
        assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + 2), 'gone', 'the old message is gone');
        const next = await store.receive(q, recv(T0 + 5 * SEC));
        assert.deepEqual(next.map((n) => [n.messageId, n.body, n.receiveCount]), [[retry.messageId, 'attempt 2', 1]]);
      });

      it('requeue of a message that is already gone sends nothing', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        const m = await receiveOne(store, q, T0);
        assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + 1), 'ok');
        assert.equal(await store.requeue(q, { rowId: m.rowId, token: token(m) }, message('again', T0 + 2)), 'gone');
        assert.deepEqual(await store.counts(q.id, T0 + DAY), { visible: 0, inflight: 0, delayed: 0 });
      });

      it('deleteMessage on a standard queue accepts the token of an earlier receive', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        const first = await receiveOne(store, q, T0);
        const second = await receiveOne(store, q, T0 + VT);
        assert.equal(await store.deleteMessage(q.id, first.rowId, token(first), T0 + VT + 1), 'ok');
        assert.deepEqual(await store.receive(q, recv(T0 + DAY)), [], 'the message is gone');
        assert.equal(await store.deleteMessage(q.id, second.rowId, token(second), T0 + VT + 2), 'gone');
      });

      it('deleteMessage after the visibility timeout lapsed still deletes a standard message', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        const m = await receiveOne(store, q, T0);
        assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + VT + SEC), 'ok');
        assert.deepEqual(await store.counts(q.id, T0 + VT + SEC), { visible: 0, inflight: 0, delayed: 0 });
      });

      it("deleteMessage of an unknown row or of another queue's row is gone and deletes nothing", async (store) => {
        const q1 = await mustCreate(store, queueInput('q1'));
        const q2 = await mustCreate(store, queueInput('q2'));
        await store.send(q1, [message('m', T0)]);
        await store.send(q2, [message('n', T0)]);
        const m = await receiveOne(store, q1, T0);
        assert.equal(await store.deleteMessage(q2.id, m.rowId, token(m), T0), 'gone');
        assert.equal(await store.deleteMessage(q1.id, m.rowId + 1_000_000, token(m), T0), 'gone');
        assert.deepEqual(await store.counts(q1.id, T0), { visible: 0, inflight: 1, delayed: 0 });
        assert.deepEqual(await store.counts(q2.id, T0), { visible: 1, inflight: 0, delayed: 0 });
        assert.equal((await receiveOne(store, q1, T0 + VT)).messageId, m.messageId);
      });

      it('changeVisibility extends an in-flight message, and setting it to now releases it', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        const m = await receiveOne(store, q, T0);
        assert.equal(await store.changeVisibility(q.id, m.rowId, token(m), T0 + 60 * SEC, T0 + 10 * SEC), 'ok');
        assert.deepEqual(await store.receive(q, recv(T0 + VT)), []);
        assert.deepEqual(await store.counts(q.id, T0 + VT), { visible: 0, inflight: 1, delayed: 0 });
        assert.equal(await store.nextVisibleAt(q.id, T0 + VT), T0 + 60 * SEC);
        assert.deepEqual(await store.receive(q, recv(T0 + 60 * SEC - 1)), []);
        const again = await receiveOne(store, q, T0 + 60 * SEC);
        assert.equal(again.receiveCount, 2);

        const now = T0 + 61 * SEC;
        assert.equal(await store.changeVisibility(q.id, again.rowId, token(again), now, now), 'ok');
        assert.deepEqual(await store.counts(q.id, now), { visible: 1, inflight: 0, delayed: 0 });
        const third = await receiveOne(store, q, now);
        assert.equal(third.receiveCount, 3);
        // Shortening works too.
        assert.equal(await store.changeVisibility(q.id, third.rowId, token(third), now + 5 * SEC, now + 1), 'ok');
        assert.equal((await receiveOne(store, q, now + 5 * SEC)).receiveCount, 4);
      });

      it('changeVisibility with a stale token is stale; of a deleted or foreign row is gone', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        const other = await mustCreate(store, queueInput('other'));
        await store.send(q, [message('m', T0)]);
        const first = await receiveOne(store, q, T0);
        const second = await receiveOne(store, q, T0 + VT);
        assert.equal(await store.changeVisibility(q.id, first.rowId, token(first), T0 + VT + 1, T0 + VT + 1), 'stale');
        assert.deepEqual(await store.receive(q, recv(T0 + VT + 1)), [], 'a stale change does not release the message');
        assert.equal(await store.changeVisibility(other.id, second.rowId, token(second), T0 + VT + 1, T0 + VT + 1), 'gone');
        assert.deepEqual(await store.receive(q, recv(T0 + VT + 1)), [], 'a change through another queue does nothing');
        assert.equal(await store.deleteMessage(q.id, second.rowId, token(second), T0 + VT + 2), 'ok');
        assert.equal(await store.changeVisibility(q.id, second.rowId, token(second), T0 + VT + 2, T0 + VT + 2), 'gone');
      });

      it('expired messages are never received', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('expires in flight', T0, { expiresAt: T0 + 10 * SEC })]);
        await receiveOne(store, q, T0, { visibilityTimeoutMs: 60 * SEC });
        await store.send(q, [message('expires', T0, { expiresAt: T0 + 5 * SEC }), message('stays', T0)]);
        const stays = await store.receive(q, recv(T0 + 5 * SEC));
        assert.deepEqual(bodies(stays), ['stays']);
        assert.equal(await store.deleteMessage(q.id, stays[0]!.rowId, token(stays[0]!), T0 + 5 * SEC), 'ok');
        assert.deepEqual(await store.receive(q, recv(T0 + 60 * SEC)), [], 'a message that expired in flight does not come back');
        // Delayed past its expiry: never visible while alive.
        await store.send(q, [message('delayed past expiry', T0 + 61 * SEC, { visibleAt: T0 + 70 * SEC, expiresAt: T0 + 65 * SEC })]);
        assert.deepEqual(await store.receive(q, recv(T0 + 70 * SEC)), []);
        // Expiry is inclusive: expiresAt === now is expired.
        await store.send(q, [message('boundary', T0 + 80 * SEC, { expiresAt: T0 + 90 * SEC })]);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 90 * SEC - 1, 10, { visibilityTimeoutMs: 0 }))), ['boundary']);
        assert.deepEqual(await store.receive(q, recv(T0 + 90 * SEC)), []);
      });

      it('a receive returns the live messages however many expired ones are ahead of them', async (store) => {
        // Until the sweeper (deleteExpired) gets to them, expired rows sit in front of the live ones.
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, Array.from({ length: 1000 }, (_, i) => message(`expired-${i}`, T0, { expiresAt: T0 + SEC })));
        await store.send(q, [message('live-1', T0 + 1), message('live-2', T0 + 1), message('live-3', T0 + 1)]);
        assert.deepEqual(sortedBodies(await store.receive(q, recv(T0 + MIN))), ['live-1', 'live-2', 'live-3']);
      });

      it('deleteExpired removes expired messages up to the limit and returns the queues touched', async (store) => {
        const qa = await mustCreate(store, queueInput('qa'));
        const qb = await mustCreate(store, queueInput('qb'));
        const qc = await mustCreate(store, queueInput('qc'));
        await store.send(qa, [
          message('a1', T0, { expiresAt: T0 + 1 * SEC }),
          message('a2', T0, { expiresAt: T0 + 2 * SEC }),
          message('a-live', T0),
        ]);
        await store.send(qb, [message('b-inflight', T0, { expiresAt: T0 + 10 * SEC })]);
        const bInflight = await receiveOne(store, qb, T0, { visibilityTimeoutMs: 60 * SEC });
        await store.send(qb, [message('b-boundary', T0, { expiresAt: T0 + 10 * SEC + 1 })]);
        await store.send(qc, [message('c-live', T0)]);

        assert.deepEqual(await store.deleteExpired(T0, 100), [], 'nothing has expired yet');
        assert.deepEqual(sortNums(await store.deleteExpired(T0 + 10 * SEC, 100)), sortNums([qa.id, qb.id]));
        assert.deepEqual(await store.deleteExpired(T0 + 10 * SEC, 100), [], 'a second sweep finds nothing');
        assert.deepEqual(await store.counts(qa.id, T0 + 10 * SEC), { visible: 1, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.counts(qb.id, T0 + 10 * SEC), { visible: 1, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.counts(qc.id, T0 + 10 * SEC), { visible: 1, inflight: 0, delayed: 0 });
        assert.equal(await store.deleteMessage(qb.id, bInflight.rowId, token(bInflight), T0 + 10 * SEC), 'gone');
        assert.deepEqual(bodies(await store.receive(qb, recv(T0 + 10 * SEC))), ['b-boundary']);
      });

      it('deleteExpired deletes at most `limit` messages per call', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [1, 2, 3].map((i) => message(`e${i}`, T0, { expiresAt: T0 + i * SEC })));
        const now = T0 + MIN;
        assert.deepEqual(await store.deleteExpired(now, 2), [q.id]);
        assert.deepEqual(await store.deleteExpired(now, 2), [q.id]);
        assert.deepEqual(await store.deleteExpired(now, 2), []);
        assert.deepEqual(await store.counts(q.id, now), { visible: 0, inflight: 0, delayed: 0 });
      });

      it('purge removes every message of the queue, and only of that queue', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        const other = await mustCreate(store, queueInput('other'));
        await store.send(q, [message('visible', T0), message('inflight', T0), message('delayed', T0, { visibleAt: T0 + MIN })]);
        await store.send(other, [message('kept', T0)]);
        const inflight = await receiveOne(store, q, T0);
        await store.purge(q.id);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 0, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.receive(q, recv(T0 + DAY)), []);
        assert.equal(await store.deleteMessage(q.id, inflight.rowId, token(inflight), T0 + 1), 'gone');
        assert.deepEqual(await store.counts(other.id, T0), { visible: 1, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.getQueue(q), q, 'purge keeps the queue');
        await store.send(q, [message('after purge', T0 + 2)]);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 2))), ['after purge']);
      });

      it('counts classify messages as visible, in flight or delayed at the given time', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        assert.deepEqual(await store.counts(q.id, T0), { visible: 0, inflight: 0, delayed: 0 });
        await store.send(q, [message('a', T0), message('b', T0), message('c', T0, { visibleAt: T0 + 10 * SEC })]);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 2, inflight: 0, delayed: 1 });
        const a = await receiveOne(store, q, T0);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 1, inflight: 1, delayed: 1 });
        assert.deepEqual(await store.counts(q.id, T0 + 10 * SEC), { visible: 2, inflight: 1, delayed: 0 });
        assert.deepEqual(await store.counts(q.id, T0 + VT), { visible: 3, inflight: 0, delayed: 0 }, 'a lapsed message is visible again');
        // counts is a pure read: asking about the past again gives the same answer.
        assert.deepEqual(await store.counts(q.id, T0), { visible: 1, inflight: 1, delayed: 1 });
        const all = await store.receive(q, recv(T0 + VT));
        assert.equal(all.length, 3);
        assert.deepEqual(await store.counts(q.id, T0 + VT), { visible: 0, inflight: 3, delayed: 0 });
        const again = all.find((m) => m.messageId === a.messageId)!;
        assert.equal(await store.changeVisibility(q.id, again.rowId, token(again), T0 + VT, T0 + VT), 'ok');
        assert.deepEqual(await store.counts(q.id, T0 + VT), { visible: 1, inflight: 2, delayed: 0 });
        assert.equal(await store.deleteMessage(q.id, all[1]!.rowId, token(all[1]!), T0 + VT), 'ok');
        assert.equal((await store.counts(q.id, T0 + VT)).visible + (await store.counts(q.id, T0 + VT)).inflight, 2);
      });

      it('nextVisibleAt is the earliest moment after now at which a message becomes visible', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        assert.equal(await store.nextVisibleAt(q.id, T0), undefined, 'empty queue');
        await store.send(q, [message('now', T0)]);
        assert.equal(await store.nextVisibleAt(q.id, T0), undefined, 'only visible messages');
        await store.send(q, [message('delayed', T0, { visibleAt: T0 + 10 * SEC })]);
        assert.equal(await store.nextVisibleAt(q.id, T0), T0 + 10 * SEC);
        await receiveOne(store, q, T0); // 'now' goes in flight until T0 + 30 s
        assert.equal(await store.nextVisibleAt(q.id, T0), T0 + 10 * SEC);
        assert.equal(await store.nextVisibleAt(q.id, T0 + 10 * SEC), T0 + VT, 'strictly after now');
        assert.equal(await store.nextVisibleAt(q.id, T0 + VT), undefined);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('redrive to a dead-letter queue', () => {
      const redriveTo = (dlq: QueueRecord, source: QueueRecord, maxReceiveCount: number, retentionMs = 14 * DAY) => ({
        maxReceiveCount,
        deadLetterQueue: dlq,
        sourceArn: arnOf(source),
        retentionMs,
      });

      it('a message received maxReceiveCount times moves to the dead-letter queue on the next receive', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const src = await mustCreate(store, queueInput('src', { deadLetter: dlq }));
        const attrs = JSON.stringify({ k: { DataType: 'String', StringValue: 'v' } });
        const sent = message('poison', T0, { messageAttributes: attrs, md5OfMessageAttributes: md5(attrs) });
        await store.send(src, [sent]);
        const redrive = redriveTo(dlq, src, 2);
        const r1 = await receiveOne(store, src, T0, { redrive });
        const r2 = await receiveOne(store, src, T0 + VT, { redrive });
        assert.equal(r2.receiveCount, 2);
        const movedAt = T0 + 2 * VT;
        assert.deepEqual(await store.receive(src, recv(movedAt, 10, { redrive })), [], 'moved instead of returned');
        assert.deepEqual(await store.counts(src.id, movedAt), { visible: 0, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.counts(dlq.id, movedAt), { visible: 1, inflight: 0, delayed: 0 });
        assert.equal(await store.deleteMessage(src.id, r2.rowId, token(r2), movedAt), 'gone');
        assert.equal(await store.deleteMessage(src.id, r1.rowId, token(r1), movedAt), 'gone');

        const dead = await receiveOne(store, dlq, movedAt);
        assert.equal(dead.messageId, sent.messageId, 'keeps its MessageId');
        assert.equal(dead.body, sent.body);
        assert.equal(dead.md5OfBody, sent.md5OfBody);
        assert.equal(dead.messageAttributes, attrs);
        assert.equal(dead.md5OfMessageAttributes, md5(attrs));
        assert.equal(dead.senderId, sent.senderId);
        assert.equal(dead.deadLetterSourceArn, arnOf(src));
        assert.equal(dead.sentAt, T0, 'a standard dead-letter queue keeps the original enqueue time');
        assert.equal(dead.expiresAt, T0 + 14 * DAY, "retention counts from the original enqueue time, with the DLQ's period");
        assert.ok(dead.receiveCount >= 1);
      });

      it('only messages over the limit move; the others are returned by the same receive', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const src = await mustCreate(store, queueInput('src', { deadLetter: dlq }));
        await store.send(src, [message('poison', T0)]);
        const redrive = redriveTo(dlq, src, 1);
        await receiveOne(store, src, T0, { redrive });
        await store.send(src, [message('fresh-1', T0 + 1), message('fresh-2', T0 + 2)]);
        const got = await store.receive(src, recv(T0 + VT, 10, { redrive }));
        assert.deepEqual(sortedBodies(got), ['fresh-1', 'fresh-2']);
        for (const m of got) assert.equal(m.receiveCount, 1);
        assert.deepEqual(bodies(await store.receive(dlq, recv(T0 + VT))), ['poison']);
      });

      it('without redrive options a message is returned however often it was received', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m', T0)]);
        for (let i = 0; i < 5; i++) assert.equal((await receiveOne(store, q, T0 + i * VT)).receiveCount, i + 1);
      });

      it('a FIFO dead-letter queue restarts the enqueue time and keeps the group; the group moves on', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq.fifo'));
        const src = await mustCreate(store, queueInput('src.fifo', { deadLetter: dlq }));
        const [s1] = await store.send(src, [fifoMessage('g', 'g1', T0), fifoMessage('g', 'g2', T0)], FIFO_QUEUE);
        const redrive = redriveTo(dlq, src, 1);
        const r1 = await receiveOne(store, src, T0, { redrive });
        assert.equal(r1.body, 'g1');
        const movedAt = T0 + VT;
        const next = await store.receive(src, recv(movedAt, 10, { redrive }));
        assert.deepEqual(bodies(next), ['g2'], 'g1 moved to the DLQ; its group delivers the next message');

        const dead = await receiveOne(store, dlq, movedAt);
        assert.equal(dead.messageId, s1!.messageId);
        assert.equal(dead.body, 'g1');
        assert.equal(dead.groupId, 'g');
        assert.equal(dead.deadLetterSourceArn, arnOf(src));
        assert.match(dead.sequenceNumber ?? '', /^\d+$/);
        assert.equal(dead.sentAt, movedAt, 'a FIFO dead-letter queue restarts the enqueue time');
        assert.equal(dead.expiresAt, movedAt + 14 * DAY);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('FIFO', () => {
      it('sequence numbers are decimal strings that increase with arrival, across groups and batches', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        const results = [
          ...(await store.send(q, [fifoMessage('a', 'a1', T0)], FIFO_QUEUE)),
          ...(await store.send(q, [fifoMessage('b', 'b1', T0), fifoMessage('a', 'a2', T0), fifoMessage('b', 'b2', T0)], FIFO_QUEUE)),
          ...(await store.send(q, [fifoMessage('a', 'a3', T0 + 1)], FIFO_QUEUE)),
        ];
        const seqs = results.map((r) => {
          assert.equal(r.duplicate, false);
          assert.match(r.sequenceNumber ?? '', /^\d+$/);
          return BigInt(r.sequenceNumber!);
        });
        for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `sequence ${i} increases`);
        const got = [...(await store.receive(q, recv(T0 + 1))), ...(await store.receive(q, recv(T0 + 1)))];
        assert.equal(got.length, 5);
        for (const m of got) {
          const r = results.find((x) => x.messageId === m.messageId);
          assert.equal(m.sequenceNumber, r?.sequenceNumber, 'a received message carries its sequence number');
        }
      });

      it('FIFO messages carry their group and deduplication ids', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('group-1', 'm', T0, { deduplicationId: 'dedup-1' })], FIFO_QUEUE);
        const m = await receiveOne(store, q, T0);
        assert.equal(m.groupId, 'group-1');
        assert.equal(m.deduplicationId, 'dedup-1');
      });

      it('messages of a group are received in order', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        for (let i = 1; i <= 5; i++) await store.send(q, [fifoMessage('g', `m${i}`, T0 + i)], FIFO_QUEUE);
        const first = await store.receive(q, recv(T0 + SEC, 2));
        assert.deepEqual(bodies(first), ['m1', 'm2']);
        for (const m of first) assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + SEC), 'ok');
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + SEC))), ['m3', 'm4', 'm5']);
      });

      it('a group is blocked while any of its messages is in flight; a delete unblocks it', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0), fifoMessage('B', 'b1', T0)], FIFO_QUEUE);
        const a1 = await receiveOne(store, q, T0);
        assert.equal(a1.body, 'a1');
        assert.deepEqual(bodies(await store.receive(q, recv(T0))), ['b1'], 'group A is blocked; B is not');
        assert.deepEqual(await store.receive(q, recv(T0)), [], 'both groups are blocked');
        assert.equal(await store.deleteMessage(q.id, a1.rowId, token(a1), T0 + 1), 'ok');
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 1))), ['a2']);
      });

      it('a group is unblocked when the visibility of its messages lapses, and redelivers in order', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0)], FIFO_QUEUE);
        assert.deepEqual(bodies(await store.receive(q, recv(T0, 1))), ['a1']);
        assert.deepEqual(await store.receive(q, recv(T0 + VT - 1)), []);
        const again = await store.receive(q, recv(T0 + VT));
        assert.deepEqual(bodies(again), ['a1', 'a2']);
        assert.deepEqual(
          again.map((m) => m.receiveCount),
          [2, 1],
        );
      });

      it('releasing one message keeps its group blocked while another of its messages is in flight', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0), fifoMessage('A', 'a3', T0)], FIFO_QUEUE);
        const [a1, a2] = await store.receive(q, recv(T0, 2));
        assert.equal(await store.changeVisibility(q.id, a1!.rowId, token(a1!), T0 + 1, T0 + 1), 'ok');
        assert.deepEqual(await store.receive(q, recv(T0 + 1)), [], 'a2 is still in flight');
        assert.equal(await store.changeVisibility(q.id, a2!.rowId, token(a2!), T0 + 2, T0 + 2), 'ok');
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 2))), ['a1', 'a2', 'a3']);
      });

      it('extending the visibility of an in-flight message keeps its group blocked', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0)], FIFO_QUEUE);
        const a1 = await receiveOne(store, q, T0);
        assert.equal(await store.changeVisibility(q.id, a1.rowId, token(a1), T0 + 2 * MIN, T0 + 1), 'ok');
        assert.deepEqual(await store.receive(q, recv(T0 + VT)), []);
        assert.deepEqual(await store.receive(q, recv(T0 + 2 * MIN - 1)), []);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 2 * MIN))), ['a1', 'a2']);
      });

      it('one receive returns as many messages of one group as possible before moving to the next', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        for (const body of ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']) await store.send(q, [fifoMessage(body[0]!, body, T0)], FIFO_QUEUE);
        const got = await store.receive(q, recv(T0, 4));
        const runs = runsOf(got);
        assert.equal(got.length, 4);
        assert.equal(runs.length, 2, `one run per group: ${JSON.stringify(runs)}`);
        assert.deepEqual(runs[0]!.bodies, [1, 2, 3].map((i) => `${runs[0]!.group}${i}`), 'the first group is drained, in order');
        assert.deepEqual(runs[1]!.bodies, [`${runs[1]!.group}1`], 'then the next group, from its head');
        assert.notEqual(runs[0]!.group, runs[1]!.group);
      });

      it('max limits a FIFO receive across groups', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, ['A', 'B', 'C', 'D', 'E'].map((g) => fifoMessage(g, g, T0)), FIFO_QUEUE);
        assert.equal((await store.receive(q, recv(T0, 3))).length, 3);
        assert.equal((await store.receive(q, recv(T0, 3))).length, 2);
        assert.deepEqual(await store.receive(q, recv(T0, 3)), []);
      });

      it('delayed FIFO messages hold back the rest of their group', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0, { visibleAt: T0 + 10 * SEC })], FIFO_QUEUE);
        await store.send(q, [fifoMessage('A', 'a2', T0 + 1), fifoMessage('B', 'b1', T0 + 1)], FIFO_QUEUE);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 1))), ['b1']);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 10 * SEC))), ['a1', 'a2']);
      });

      it('deduplication within the window returns the original messageId and sequenceNumber and adds nothing', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        const original = await sendOne(store, q, fifoMessage('g', 'first', T0, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(original.duplicate, false);
        const dup = await sendOne(store, q, fifoMessage('g', 'second body', T0 + MIN, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.deepEqual(dup, { messageId: original.messageId, sequenceNumber: original.sequenceNumber, duplicate: true });
        // Within one batch too.
        const batch = await store.send(
          q,
          [fifoMessage('g', 'x', T0 + MIN, { deduplicationId: 'd2' }), fifoMessage('g', 'y', T0 + MIN, { deduplicationId: 'd2' })],
          FIFO_QUEUE,
        );
        assert.equal(batch[0]!.duplicate, false);
        assert.deepEqual(batch[1], { messageId: batch[0]!.messageId, sequenceNumber: batch[0]!.sequenceNumber, duplicate: true });
        assert.deepEqual(await store.counts(q.id, T0 + MIN), { visible: 2, inflight: 0, delayed: 0 });
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + MIN))), ['first', 'x']);
      });

      it('deduplication holds even after the original message was deleted', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        const original = await sendOne(store, q, fifoMessage('g', 'm', T0, { deduplicationId: 'd1' }), FIFO_QUEUE);
        const m = await receiveOne(store, q, T0 + 1);
        assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + 2), 'ok');
        const dup = await sendOne(store, q, fifoMessage('g', 'm', T0 + MIN, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(dup.duplicate, true);
        assert.equal(dup.messageId, original.messageId);
        assert.equal(dup.sequenceNumber, original.sequenceNumber);
        assert.deepEqual(await store.receive(q, recv(T0 + MIN)), []);
      });

      it('after the window the same deduplication id is accepted again', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        const window = FIFO_QUEUE.windowMs;
        const original = await sendOne(store, q, fifoMessage('g', 'm1', T0, { deduplicationId: 'd1' }), FIFO_QUEUE);
        const late = await sendOne(store, q, fifoMessage('g', 'm-late', T0 + window - 1, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(late.duplicate, true, 'still inside the window');
        const fresh = await sendOne(store, q, fifoMessage('g', 'm2', T0 + window + 1, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(fresh.duplicate, false);
        assert.notEqual(fresh.messageId, original.messageId);
        assert.ok(BigInt(fresh.sequenceNumber!) > BigInt(original.sequenceNumber!));
        // The window now runs from the new message.
        const dup = await sendOne(store, q, fifoMessage('g', 'm3', T0 + window + 2, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.deepEqual(dup, { messageId: fresh.messageId, sequenceNumber: fresh.sequenceNumber, duplicate: true });
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + window + 2))), ['m1', 'm2']);
      });

      it('deleteExpired does not forget deduplication ids inside their window', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await sendOne(store, q, fifoMessage('g', 'm1', T0, { deduplicationId: 'd1', expiresAt: T0 + MIN }), FIFO_QUEUE);
        assert.deepEqual(await store.deleteExpired(T0 + 2 * MIN, 100), [q.id]);
        const dup = await sendOne(store, q, fifoMessage('g', 'm1', T0 + 2 * MIN, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(dup.duplicate, true);
        await store.deleteExpired(T0 + 6 * MIN, 100);
        const fresh = await sendOne(store, q, fifoMessage('g', 'm1', T0 + 6 * MIN, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(fresh.duplicate, false);
      });

      it("DeduplicationScope 'queue' dedups across groups; 'messageGroup' within each group", async (store) => {
        const byQueue = await mustCreate(store, queueInput('by-queue.fifo'));
        const r1 = await sendOne(store, byQueue, fifoMessage('g1', 'x', T0, { deduplicationId: 'same' }), FIFO_QUEUE);
        const r2 = await sendOne(store, byQueue, fifoMessage('g2', 'y', T0 + 1, { deduplicationId: 'same' }), FIFO_QUEUE);
        assert.equal(r1.duplicate, false);
        assert.equal(r2.duplicate, true);
        assert.equal(r2.messageId, r1.messageId);

        const byGroup = await mustCreate(store, queueInput('by-group.fifo', { attributes: { DeduplicationScope: 'messageGroup' } }));
        const g1 = await sendOne(store, byGroup, fifoMessage('g1', 'x', T0, { deduplicationId: 'same' }), FIFO_GROUP);
        const g2 = await sendOne(store, byGroup, fifoMessage('g2', 'y', T0 + 1, { deduplicationId: 'same' }), FIFO_GROUP);
        assert.equal(g1.duplicate, false);
        assert.equal(g2.duplicate, false, 'another group may reuse the id');
        assert.notEqual(g2.messageId, g1.messageId);
        const g1dup = await sendOne(store, byGroup, fifoMessage('g1', 'z', T0 + 2, { deduplicationId: 'same' }), FIFO_GROUP);
        const g2dup = await sendOne(store, byGroup, fifoMessage('g2', 'z', T0 + 2, { deduplicationId: 'same' }), FIFO_GROUP);
        assert.deepEqual(g1dup, { ...g1, duplicate: true });
        assert.deepEqual(g2dup, { ...g2, duplicate: true });
        assert.deepEqual(await store.counts(byGroup.id, T0 + 2), { visible: 2, inflight: 0, delayed: 0 });
        assert.deepEqual(await store.counts(byQueue.id, T0 + 2), { visible: 1, inflight: 0, delayed: 0 });
      });

      it('deduplication ids are per queue', async (store) => {
        const q1 = await mustCreate(store, queueInput('q1.fifo'));
        const q2 = await mustCreate(store, queueInput('q2.fifo'));
        await sendOne(store, q1, fifoMessage('g', 'x', T0, { deduplicationId: 'same' }), FIFO_QUEUE);
        assert.equal((await sendOne(store, q2, fifoMessage('g', 'x', T0, { deduplicationId: 'same' }), FIFO_QUEUE)).duplicate, false);
      });

      it('deleting and recreating a FIFO queue forgets its deduplication ids', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await sendOne(store, q, fifoMessage('g', 'x', T0, { deduplicationId: 'same' }), FIFO_QUEUE);
        await store.deleteQueue(q.id);
        const again = await mustCreate(store, queueInput('q.fifo'));
        const r = await sendOne(store, again, fifoMessage('g', 'x', T0 + 1, { deduplicationId: 'same' }), FIFO_QUEUE);
        assert.equal(r.duplicate, false);
        assert.deepEqual(bodies(await store.receive(again, recv(T0 + 1))), ['x']);
      });

      it('deleteMessage on a FIFO queue with a stale or lapsed token is stale', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('g', 'm', T0)], FIFO_QUEUE);
        const first = await receiveOne(store, q, T0);
        assert.equal(await store.deleteMessage(q.id, first.rowId, token(first), T0 + VT), 'stale', 'visibility lapsed');
        assert.deepEqual(await store.counts(q.id, T0 + VT), { visible: 1, inflight: 0, delayed: 0 }, 'nothing was deleted');
        const second = await receiveOne(store, q, T0 + VT);
        assert.equal(await store.deleteMessage(q.id, first.rowId, token(first), T0 + VT + 1), 'stale', 'replaced by a later receive');
        assert.equal(await store.deleteMessage(q.id, second.rowId, token(second), T0 + VT + 1), 'ok');
        assert.equal(await store.deleteMessage(q.id, second.rowId, token(second), T0 + VT + 2), 'gone');
      });

      it('changeVisibility on a FIFO queue with a stale token is stale', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('g', 'm', T0)], FIFO_QUEUE);
        const first = await receiveOne(store, q, T0);
        const second = await receiveOne(store, q, T0 + VT);
        assert.equal(await store.changeVisibility(q.id, first.rowId, token(first), T0 + VT + 1, T0 + VT + 1), 'stale');
        assert.deepEqual(await store.receive(q, recv(T0 + VT + 1)), []);
        assert.equal(await store.changeVisibility(q.id, second.rowId, token(second), T0 + VT + 1, T0 + VT + 1), 'ok');
        assert.equal((await receiveOne(store, q, T0 + VT + 1)).receiveCount, 3);
      });

      it('expired FIFO messages are skipped and do not block their group', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0, { expiresAt: T0 + 5 * SEC }), fifoMessage('A', 'a2', T0)], FIFO_QUEUE);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 5 * SEC))), ['a2']);

        await store.send(q, [fifoMessage('B', 'b1', T0, { expiresAt: T0 + 10 * SEC }), fifoMessage('B', 'b2', T0)], FIFO_QUEUE);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 6 * SEC, 1, { visibilityTimeoutMs: 5 * MIN }))), ['b1']);
        assert.deepEqual(await store.receive(q, recv(T0 + 7 * SEC)), [], 'b1 in flight blocks B');
        assert.deepEqual(await store.deleteExpired(T0 + 10 * SEC, 100), [q.id]);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 10 * SEC))), ['b2'], 'the expired in-flight message no longer blocks B');
      });

      it('a FIFO receive returns live messages however many groups ahead of them hold only expired ones', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, Array.from({ length: 30 }, (_, i) => fifoMessage(`dead-${i}`, `expired-${i}`, T0, { expiresAt: T0 + SEC })), FIFO_QUEUE);
        await store.send(q, Array.from({ length: 12 }, (_, i) => fifoMessage('A', `a-expired-${i}`, T0, { expiresAt: T0 + SEC })), FIFO_QUEUE);
        await store.send(q, [fifoMessage('A', 'a-live', T0 + 1), fifoMessage('live', 'live', T0 + 1)], FIFO_QUEUE);
        assert.deepEqual(sortedBodies(await store.receive(q, recv(T0 + MIN))), ['a-live', 'live']);
      });

      it('purge clears in-flight FIFO groups', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0)], FIFO_QUEUE);
        await receiveOne(store, q, T0);
        await store.purge(q.id);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 0, inflight: 0, delayed: 0 });
        await store.send(q, [fifoMessage('A', 'a3', T0 + 1)], FIFO_QUEUE);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 1))), ['a3']);
      });

      it('counts and nextVisibleAt of a FIFO queue', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0), fifoMessage('B', 'b1', T0, { visibleAt: T0 + 10 * SEC })], FIFO_QUEUE);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 2, inflight: 0, delayed: 1 });
        await receiveOne(store, q, T0);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 1, inflight: 1, delayed: 1 });
        assert.equal(await store.nextVisibleAt(q.id, T0), T0 + 10 * SEC);
        assert.equal(await store.nextVisibleAt(q.id, T0 + 10 * SEC), T0 + VT);
      });

      describe('receive attempt ids', () => {
        it('a retry with the same attempt id within five minutes returns the same messages and tokens', async (store) => {
          const q = await mustCreate(store, queueInput('q.fifo'));
          await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0), fifoMessage('B', 'b1', T0)], FIFO_QUEUE);
          const first = await store.receive(q, recv(T0, 2, { attemptId: 'attempt-1' }));
          assert.deepEqual(bodies(first), ['a1', 'a2']);
          const retry = await store.receive(q, recv(T0 + 10 * SEC, 2, { attemptId: 'attempt-1' }));
          assert.deepEqual(
            retry.map((m) => [m.rowId, m.messageId, m.receiptToken, m.receiveCount]),
            first.map((m) => [m.rowId, m.messageId, m.receiptToken, m.receiveCount]),
          );
          // Another attempt id is a new receive: group A is in flight, B is free.
          assert.deepEqual(bodies(await store.receive(q, recv(T0 + 10 * SEC, 2, { attemptId: 'attempt-2' }))), ['b1']);
          // The retried handles are good for a delete.
          for (const m of retry) assert.equal(await store.deleteMessage(q.id, m.rowId, token(m), T0 + 11 * SEC), 'ok');
        });

        it('a retried attempt resets the visibility timeout of its messages', async (store) => {
          const q = await mustCreate(store, queueInput('q.fifo'));
          await store.send(q, [fifoMessage('A', 'a1', T0)], FIFO_QUEUE);
          const first = await receiveOne(store, q, T0, { attemptId: 'attempt-1' });
          const retryAt = T0 + 20 * SEC;
          const retry = await receiveOne(store, q, retryAt, { attemptId: 'attempt-1' });
          assert.equal(retry.receiptToken, first.receiptToken);
          // AWS: "If a retry occurs within the deduplication interval, it resets the visibility timeout."
          const later = T0 + VT + 10 * SEC; // past the first receive's timeout, inside the retry's
          assert.deepEqual(await store.counts(q.id, later), { visible: 0, inflight: 1, delayed: 0 }, 'still in flight after the retry');
          assert.deepEqual(await store.receive(q, recv(later)), [], 'no other consumer receives it');
          assert.equal(await store.deleteMessage(q.id, retry.rowId, token(retry), later), 'ok', 'the retried handle is still valid');
        });

        it('a retry after one of the messages was deleted is a new receive', async (store) => {
          const q = await mustCreate(store, queueInput('q.fifo'));
          await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0)], FIFO_QUEUE);
          const first = await receiveOne(store, q, T0, { attemptId: 'attempt-1' });
          assert.equal(await store.deleteMessage(q.id, first.rowId, token(first), T0 + 1), 'ok');
          const retry = await store.receive(q, recv(T0 + 2, 1, { attemptId: 'attempt-1' }));
          assert.deepEqual(bodies(retry), ['a2']);
          assert.notEqual(retry[0]!.receiptToken, first.receiptToken);
        });

        it('a retry after the visibility of one of the messages was changed is a new receive', async (store) => {
          const q = await mustCreate(store, queueInput('q.fifo'));
          await store.send(q, [fifoMessage('A', 'a1', T0)], FIFO_QUEUE);
          const first = await receiveOne(store, q, T0, { attemptId: 'attempt-1' });
          assert.equal(await store.changeVisibility(q.id, first.rowId, token(first), T0 + 1, T0 + 1), 'ok');
          // AWS: a retry returns the same messages only "if none of the messages have been modified (deleted or had
          // their visibility changes)".
          const retry = await receiveOne(store, q, T0 + 2, { attemptId: 'attempt-1' });
          assert.equal(retry.messageId, first.messageId);
          assert.notEqual(retry.receiptToken, first.receiptToken, 'a fresh receive with a new token');
          assert.equal(retry.receiveCount, 2);
        });

        it('after five minutes the attempt id starts a new receive', async (store) => {
          const q = await mustCreate(store, queueInput('q.fifo'));
          await store.send(q, [fifoMessage('A', 'a1', T0)], FIFO_QUEUE);
          const first = await receiveOne(store, q, T0, { attemptId: 'attempt-1' });
          const retry = await receiveOne(store, q, T0 + 5 * MIN + SEC, { attemptId: 'attempt-1' });
          assert.equal(retry.messageId, first.messageId);
          assert.notEqual(retry.receiptToken, first.receiptToken);
          assert.equal(retry.receiveCount, 2);
        });

        it('attempt ids are per queue', async (store) => {
          const q1 = await mustCreate(store, queueInput('q1.fifo'));
          const q2 = await mustCreate(store, queueInput('q2.fifo'));
          await store.send(q1, [fifoMessage('A', 'q1-a1', T0)], FIFO_QUEUE);
          await store.send(q2, [fifoMessage('A', 'q2-a1', T0)], FIFO_QUEUE);
          assert.deepEqual(bodies(await store.receive(q1, recv(T0, 10, { attemptId: 'same' }))), ['q1-a1']);
          assert.deepEqual(bodies(await store.receive(q2, recv(T0, 10, { attemptId: 'same' }))), ['q2-a1']);
        });
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('batches of deletes and visibility changes', () => {
      it('deleteMessages gives one outcome per receipt, in order', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        const other = await mustCreate(store, queueInput('other'));
        await store.send(q, [message('m1', T0), message('m2', T0), message('m3', T0)]);
        const first = await store.receive(q, recv(T0));
        const byBody = (ms: StoredMessage[], b: string) => ms.find((m) => m.body === b)!;
        const m1 = byBody(first, 'm1');
        const m3 = byBody(first, 'm3');
        const m2old = byBody(first, 'm2');
        const m2 = (await store.receive(q, recv(T0 + VT))).find((m) => m.body === 'm2')!;
        const outcomes = await store.deleteMessages(
          q.id,
          [
            { rowId: m1.rowId, token: token(m1) },
            { rowId: m1.rowId, token: token(m1) }, // the same receipt twice: deleted by the first
            { rowId: m2old.rowId, token: token(m2old) }, // an older token on a standard queue still deletes
            { rowId: m3.rowId + 1_000_000, token: token(m3) },
          ],
          T0 + VT + 1,
        );
        assert.deepEqual(outcomes, ['ok', 'gone', 'ok', 'gone']);
        assert.deepEqual(await store.deleteMessages(other.id, [{ rowId: m3.rowId, token: token(m3) }], T0 + VT + 1), ['gone']);
        assert.deepEqual(await store.deleteMessages(q.id, [], T0 + VT + 1), []);
        assert.equal(m2.rowId, m2old.rowId);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + DAY))), ['m3']);
      });

      it('deleteMessages on a FIFO queue: stale, ok and gone in one call, and the groups move on', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('A', 'a1', T0), fifoMessage('A', 'a2', T0), fifoMessage('A', 'a3', T0), fifoMessage('B', 'b1', T0)], FIFO_QUEUE);
        const [a1, a2] = await store.receive(q, recv(T0, 2));
        const b1 = await receiveOne(store, q, T0 + 1);
        assert.deepEqual(bodies([a1!, a2!, b1]), ['a1', 'a2', 'b1']);
        const outcomes = await store.deleteMessages(
          q.id,
          [
            { rowId: a1!.rowId, token: token(b1) }, // a token from another receive
            { rowId: a1!.rowId, token: token(a1!) },
            { rowId: a2!.rowId, token: token(a2!) },
            { rowId: a2!.rowId, token: token(a2!) },
            { rowId: b1.rowId, token: token(b1) },
          ],
          T0 + 2,
        );
        assert.deepEqual(outcomes, ['stale', 'ok', 'ok', 'gone', 'ok']);
        assert.deepEqual(bodies(await store.receive(q, recv(T0 + 3))), ['a3']);
      });

      it('changeVisibilities gives one outcome per change, in order', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, [message('m1', T0), message('m2', T0), message('m3', T0)]);
        const first = await store.receive(q, recv(T0));
        const byBody = (b: string) => first.find((m) => m.body === b)!;
        const [m1, m2, m3] = [byBody('m1'), byBody('m2'), byBody('m3')];
        assert.equal(await store.deleteMessage(q.id, m3.rowId, token(m3), T0 + 1), 'ok');
        const now = T0 + 2;
        const outcomes = await store.changeVisibilities(
          q.id,
          [
            { rowId: m1.rowId, token: token(m1), visibleAt: now }, // release
            { rowId: m2.rowId, token: token(m2) + 'x', visibleAt: now }, // not the token of its receive
            { rowId: m3.rowId, token: token(m3), visibleAt: now }, // deleted
            { rowId: m2.rowId, token: token(m2), visibleAt: now + 2 * MIN }, // extend
          ],
          now,
        );
        assert.deepEqual(outcomes, ['ok', 'stale', 'gone', 'ok']);
        assert.deepEqual(await store.counts(q.id, now), { visible: 1, inflight: 1, delayed: 0 });
        const released = await store.receive(q, recv(now));
        assert.deepEqual(bodies(released), ['m1']);
        assert.equal(await store.deleteMessage(q.id, released[0]!.rowId, token(released[0]!), now), 'ok');
        assert.deepEqual(await store.receive(q, recv(now + MIN)), [], 'm2 was extended');
        assert.deepEqual(bodies(await store.receive(q, recv(now + 2 * MIN))), ['m2']);
        assert.deepEqual(await store.changeVisibilities(q.id, [], now), []);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('calls issued together (not awaited one by one)', () => {
      it('receives issued together never return the same message twice', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        await store.send(q, Array.from({ length: 10 }, (_, i) => message(`m${i}`, T0)));
        const results = await Promise.all(Array.from({ length: 15 }, () => store.receive(q, recv(T0, 1))));
        const all = results.flat();
        assert.equal(all.length, 10);
        assert.equal(new Set(all.map((m) => m.messageId)).size, 10);
      });

      it('FIFO receives issued together never return two messages of one group to different callers', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, ['A', 'A', 'A', 'B', 'B', 'C'].map((g, i) => fifoMessage(g, `${g}${i}`, T0)), FIFO_QUEUE);
        const results = await Promise.all(Array.from({ length: 6 }, () => store.receive(q, recv(T0, 1))));
        const groups = results.flat().map((m) => m.groupId);
        assert.deepEqual([...groups].sort(), ['A', 'B', 'C']);
      });

      it('deletes of one message issued together: exactly one succeeds', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        await store.send(q, [fifoMessage('g', 'm', T0)], FIFO_QUEUE);
        const m = await receiveOne(store, q, T0);
        const outcomes = await Promise.all([1, 2, 3].map(() => store.deleteMessage(q.id, m.rowId, token(m), T0 + 1)));
        assert.deepEqual([...outcomes].sort(), ['gone', 'gone', 'ok']);
      });

      it('sends with one deduplication id issued together store one message', async (store) => {
        const q = await mustCreate(store, queueInput('q.fifo'));
        const results = (
          await Promise.all([1, 2, 3, 4, 5].map((i) => store.send(q, [fifoMessage('g', `m${i}`, T0, { deduplicationId: 'same' })], FIFO_QUEUE)))
        ).flat();
        assert.equal(results.filter((r) => !r.duplicate).length, 1);
        assert.equal(new Set(results.map((r) => r.messageId)).size, 1);
        assert.deepEqual(await store.counts(q.id, T0), { visible: 1, inflight: 0, delayed: 0 });
      });

      it('createQueue of one key issued together creates one queue', async (store) => {
        const results = await Promise.all([1, 2, 3].map((i) => store.createQueue(queueInput('q', { at: T0 + i }))));
        assert.equal(results.filter((r) => r.created).length, 1);
        assert.equal(new Set(results.map((r) => r.queue.id)).size, 1);
      });

      it('a call that fails changes nothing, and calls issued with it still take effect', async (store) => {
        const q = await mustCreate(store, queueInput('q'));
        const fifo = await mustCreate(store, queueInput('q.fifo'));
        // A message the engine must refuse (a body is required), placed after a valid one in the same batch.
        const bad = { ...message('bad', T0), body: null as unknown as string };
        const settled = await Promise.allSettled([
          store.send(q, [message('a', T0)]),
          store.send(q, [message('in failed batch', T0), bad]),
          store.send(fifo, [fifoMessage('g', 'in failed fifo batch', T0, { deduplicationId: 'd1' }), { ...bad, groupId: 'g', deduplicationId: 'd2' }], FIFO_QUEUE),
          store.send(q, [message('c', T0)]),
        ]);
        assert.deepEqual(
          settled.map((r) => r.status),
          ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
        );
        assert.deepEqual(sortedBodies(await store.receive(q, recv(T0))), ['a', 'c'], 'nothing of the failed batch was stored');
        assert.deepEqual(await store.counts(fifo.id, T0), { visible: 0, inflight: 0, delayed: 0 });
        const retry = await sendOne(store, fifo, fifoMessage('g', 'retried', T0 + 1, { deduplicationId: 'd1' }), FIFO_QUEUE);
        assert.equal(retry.duplicate, false, 'the failed batch left no deduplication id behind');
        assert.deepEqual(bodies(await store.receive(fifo, recv(T0 + 1))), ['retried']);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('message move tasks', () => {
      const task = (handle: string, sourceArn: string, startedAt: number, extra: Partial<MoveTaskRecord> = {}): MoveTaskRecord => ({
        taskHandle: handle,
        sourceArn,
        status: 'RUNNING',
        startedAt,
        moved: 0,
        toMove: 10,
        ...extra,
      });
      const SRC = 'arn:aws:sqs:us-east-1:000000000000:dlq';
      const OTHER = 'arn:aws:sqs:us-east-1:000000000000:other-dlq';

      it('saveMoveTask and getMoveTask round-trip a record; saving again updates it', async (store) => {
        const full = task('h-full', SRC, T0, { destinationArn: 'arn:aws:sqs:us-east-1:000000000000:dest', maxPerSecond: 50 });
        const bare = task('h-bare', OTHER, T0 + 1);
        await store.saveMoveTask(full);
        await store.saveMoveTask(bare);
        assert.deepEqual(plain(await store.getMoveTask('h-full')), full);
        assert.deepEqual(plain(await store.getMoveTask('h-bare')), bare);
        assert.equal(await store.getMoveTask('h-unknown'), undefined);

        const failed: MoveTaskRecord = { ...full, status: 'FAILED', moved: 7, failureReason: 'CouldNotDetermineMessageSource' };
        await store.saveMoveTask(failed);
        assert.deepEqual(plain(await store.getMoveTask('h-full')), failed);
        assert.equal((await store.listMoveTasks(SRC, 10)).length, 1, 'saving again does not add a task');
      });

      it('updateMoveTask is a read-modify-write: concurrent changes all take effect, and undefined leaves the task', async (store) => {
        await store.saveMoveTask(task('h', SRC, T0, { toMove: 100 }));
        // Twenty changes at once, each adding one: a lost update (two reading the same record) leaves fewer.
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.updateMoveTask('h', (current) => ({ ...current, moved: current.moved + 1 }))),
        );
        assert.equal((await store.getMoveTask('h'))!.moved, 20);
        assert.deepEqual(results.map((r) => r!.moved).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));

        const seen: MoveTaskRecord[] = [];
        const left = await store.updateMoveTask('h', (current) => {
          seen.push(current);
          return undefined;
        });
        assert.equal(left!.moved, 20, 'answers the record as stored');
        assert.equal(seen.length >= 1, true);
        assert.equal((await store.getMoveTask('h'))!.status, 'RUNNING');

        const cancelled = await store.updateMoveTask('h', (current) => ({ ...current, status: 'CANCELLING' }));
        assert.equal(cancelled!.status, 'CANCELLING');
        assert.deepEqual((await store.listActiveMoveTasks()).map((t) => [t.taskHandle, t.status]), [['h', 'CANCELLING']]);
        assert.equal(await store.updateMoveTask('h-unknown', (current) => current), undefined);
      });

      it('listMoveTasks lists a source’s tasks newest first, up to the limit', async (store) => {
        await store.saveMoveTask(task('h2', SRC, T0 + 2 * SEC, { status: 'COMPLETED' }));
        await store.saveMoveTask(task('h1', SRC, T0 + 1 * SEC, { status: 'CANCELLED' }));
        await store.saveMoveTask(task('h3', SRC, T0 + 3 * SEC));
        await store.saveMoveTask(task('x1', OTHER, T0 + 4 * SEC));
        assert.deepEqual((await store.listMoveTasks(SRC, 10)).map((t) => t.taskHandle), ['h3', 'h2', 'h1']);
        assert.deepEqual((await store.listMoveTasks(SRC, 1)).map((t) => t.taskHandle), ['h3']);
        assert.deepEqual((await store.listMoveTasks(OTHER, 10)).map((t) => t.taskHandle), ['x1']);
        assert.deepEqual(await store.listMoveTasks('arn:aws:sqs:us-east-1:000000000000:none', 10), []);
        assert.deepEqual(plain((await store.listMoveTasks(SRC, 10))[1]), task('h2', SRC, T0 + 2 * SEC, { status: 'COMPLETED' }));
      });

      it('listActiveMoveTasks lists the RUNNING and CANCELLING tasks of every source', async (store) => {
        await store.saveMoveTask(task('running', SRC, T0));
        await store.saveMoveTask(task('cancelling', OTHER, T0 + 1, { status: 'CANCELLING' }));
        await store.saveMoveTask(task('done', SRC, T0 + 2, { status: 'COMPLETED' }));
        await store.saveMoveTask(task('cancelled', SRC, T0 + 3, { status: 'CANCELLED' }));
        await store.saveMoveTask(task('failed', SRC, T0 + 4, { status: 'FAILED', failureReason: 'x' }));
        assert.deepEqual((await store.listActiveMoveTasks()).map((t) => t.taskHandle).sort(), ['cancelling', 'running']);
        await store.saveMoveTask(task('running', SRC, T0, { status: 'COMPLETED', moved: 10 }));
        assert.deepEqual((await store.listActiveMoveTasks()).map((t) => t.taskHandle), ['cancelling']);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    describe('moving messages out of a dead-letter queue', () => {
      const dest = (queue: QueueRecord): MoveDestination => ({ queue, retentionMs: RETENTION_MS });

      it('moveMessages moves the visible messages to a fixed destination, as fresh messages', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const target = await mustCreate(store, queueInput('target'));
        const attrs = JSON.stringify({ k: { DataType: 'String', StringValue: 'v' } });
        const srcArn = arnOf({ accountId: ACCOUNT, region: REGION, name: 'src' });
        const sent = [1, 2, 3].map((i) =>
          message(`m${i}`, T0 + i, { deadLetterSourceArn: srcArn, messageAttributes: attrs, md5OfMessageAttributes: md5(attrs) }),
        );
        await store.send(dlq, sent);
        await store.send(dlq, [message('inflight', T0 + 4, { deadLetterSourceArn: srcArn })]);
        const inflight = await store.receive(dlq, recv(T0 + 10, 10));
        assert.equal(inflight.length, 4);
        // Release m1..m3 again; keep 'inflight' in flight.
        for (const m of inflight.filter((x) => x.body !== 'inflight')) {
          assert.equal(await store.changeVisibility(dlq.id, m.rowId, token(m), T0 + 11, T0 + 11), 'ok');
        }
        await store.send(dlq, [message('delayed', T0 + 12, { visibleAt: T0 + MIN, deadLetterSourceArn: srcArn })]);

        const now = T0 + 20;
        const result = await store.moveMessages(dlq.id, () => dest(target), 10, now);
        assert.deepEqual(result, { moved: 3, destinations: [target.id], blocked: false });
        assert.deepEqual(await store.counts(dlq.id, now), { visible: 0, inflight: 1, delayed: 1 }, 'in-flight and delayed messages stay');
        assert.deepEqual(await store.counts(target.id, now), { visible: 3, inflight: 0, delayed: 0 });

        const got = await store.receive(target, recv(now));
        assert.deepEqual(sortedBodies(got), ['m1', 'm2', 'm3']);
        for (const m of got) {
          const original = sent.find((s) => s.messageId === m.messageId);
          assert.ok(original, 'keeps its MessageId');
          assert.equal(m.md5OfBody, original.md5OfBody);
          assert.equal(m.messageAttributes, attrs);
          assert.equal(m.receiveCount, 1, 'a redriven message starts over');
          assert.equal(m.deadLetterSourceArn, undefined, 'and loses its dead-letter source');
          assert.ok(m.expiresAt > now);
        }
        // The old handle of a moved message no longer works in the dead-letter queue.
        const moved = inflight.find((m) => m.body === 'm1')!;
        assert.equal(await store.deleteMessage(dlq.id, moved.rowId, token(moved), now), 'gone');
      });

      it('moveMessages moves at most `limit` messages', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const target = await mustCreate(store, queueInput('target'));
        await store.send(dlq, [1, 2, 3, 4, 5].map((i) => message(`m${i}`, T0 + i)));
        assert.deepEqual(await store.moveMessages(dlq.id, () => dest(target), 2, T0 + 10), { moved: 2, destinations: [target.id], blocked: false });
        assert.deepEqual(await store.moveMessages(dlq.id, () => dest(target), 2, T0 + 10), { moved: 2, destinations: [target.id], blocked: false });
        assert.deepEqual(await store.moveMessages(dlq.id, () => dest(target), 2, T0 + 10), { moved: 1, destinations: [target.id], blocked: false });
        assert.deepEqual(await store.moveMessages(dlq.id, () => dest(target), 2, T0 + 10), { moved: 0, destinations: [], blocked: false });
        assert.equal((await store.counts(target.id, T0 + 10)).visible, 5);
      });

      it('sourceArnsOfNext lists each source ARN once, "" for a message without one, among the next visible messages', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const arnA = arnOf({ accountId: ACCOUNT, region: REGION, name: 'a' });
        const arnB = arnOf({ accountId: ACCOUNT, region: REGION, name: 'b' });
        await store.send(dlq, [message('b-inflight', T0, { deadLetterSourceArn: arnB })]);
        await receiveOne(store, dlq, T0);
        await store.send(dlq, [
          message('a1', T0 + 1, { deadLetterSourceArn: arnA }),
          message('none', T0 + 2),
          message('a2', T0 + 3, { deadLetterSourceArn: arnA }),
          message('b-delayed', T0 + 4, { visibleAt: T0 + MIN, deadLetterSourceArn: arnB }),
        ]);
        assert.deepEqual([...(await store.sourceArnsOfNext(dlq.id, 10, T0 + 10))].sort(), ['', arnA]);
        const one = await store.sourceArnsOfNext(dlq.id, 1, T0 + 10);
        assert.equal(one.length, 1);
        assert.ok(['', arnA].includes(one[0]!));
        assert.deepEqual(await store.sourceArnsOfNext(dlq.id, 10, T0 - 1), [], 'nothing is visible yet');
        const empty = await mustCreate(store, queueInput('empty'));
        assert.deepEqual(await store.sourceArnsOfNext(empty.id, 10, T0), []);
      });

      it("moveMessages returns messages to each one's source queue through resolve", async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const srcA = await mustCreate(store, queueInput('src-a', { deadLetter: dlq }));
        const srcB = await mustCreate(store, queueInput('src-b', { deadLetter: dlq }));
        // Fill the DLQ the real way: through redrive on receive.
        await store.send(srcA, [message('a1', T0), message('a2', T0)]);
        await store.send(srcB, [message('b1', T0)]);
        for (const src of [srcA, srcB]) {
          const redrive = { maxReceiveCount: 1, deadLetterQueue: dlq, sourceArn: arnOf(src), retentionMs: RETENTION_MS };
          await store.receive(src, recv(T0, 10, { redrive }));
          assert.deepEqual(await store.receive(src, recv(T0 + VT, 10, { redrive })), []);
        }
        const now = T0 + VT + 1;
        assert.deepEqual(await store.counts(dlq.id, now), { visible: 3, inflight: 0, delayed: 0 });

        const arns = await store.sourceArnsOfNext(dlq.id, 10, now);
        assert.deepEqual([...arns].sort(), [arnOf(srcA), arnOf(srcB)].sort());
        const byArn = new Map([srcA, srcB].map((q) => [arnOf(q), dest(q)]));
        const seen: (string | undefined)[] = [];
        const result = await store.moveMessages(dlq.id, (arn) => (seen.push(arn), arn === undefined ? undefined : byArn.get(arn)), 10, now);
        assert.equal(result.moved, 3);
        assert.equal(result.blocked, false);
        assert.deepEqual(sortNums(result.destinations), sortNums([srcA.id, srcB.id]));
        assert.deepEqual([...new Set(seen)].sort(), [arnOf(srcA), arnOf(srcB)].sort(), 'resolve is asked with each message’s source ARN');

        assert.deepEqual(sortedBodies(await store.receive(srcA, recv(now))), ['a1', 'a2']);
        assert.deepEqual(bodies(await store.receive(srcB, recv(now))), ['b1']);
        assert.deepEqual(await store.counts(dlq.id, now), { visible: 0, inflight: 0, delayed: 0 });
      });

      it('moveMessages stops at a message without a destination and reports blocked', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq'));
        const srcA = await mustCreate(store, queueInput('src-a'));
        const arnA = arnOf(srcA);
        await store.send(dlq, [
          message('a1', T0 + 1, { deadLetterSourceArn: arnA }),
          message('orphan', T0 + 2),
          message('a2', T0 + 3, { deadLetterSourceArn: arnA }),
        ]);
        const now = T0 + 10;
        const result = await store.moveMessages(dlq.id, (arn) => (arn === arnA ? dest(srcA) : undefined), 10, now);
        assert.equal(result.blocked, true);
        assert.ok(result.moved < 3);
        assert.deepEqual(result.destinations, result.moved > 0 ? [srcA.id] : []);
        assert.equal((await store.counts(srcA.id, now)).visible, result.moved, 'what was moved before the block stays moved');
        assert.equal((await store.counts(dlq.id, now)).visible, 3 - result.moved);
        const left = await store.receive(dlq, recv(now));
        assert.ok(bodies(left).includes('orphan'), 'the message without a destination stays in the dead-letter queue');
      });

      it('moveMessages into a FIFO queue keeps the group and its order', async (store) => {
        const dlq = await mustCreate(store, queueInput('dlq.fifo'));
        const target = await mustCreate(store, queueInput('target.fifo'));
        const srcArn = arnOf(target);
        await store.send(
          dlq,
          [fifoMessage('A', 'a1', T0, { deadLetterSourceArn: srcArn }), fifoMessage('A', 'a2', T0, { deadLetterSourceArn: srcArn })],
          FIFO_QUEUE,
        );
        const result = await store.moveMessages(dlq.id, () => dest(target), 10, T0 + 1);
        assert.deepEqual(result, { moved: 2, destinations: [target.id], blocked: false });
        const got = await store.receive(target, recv(T0 + 1));
        assert.deepEqual(bodies(got), ['a1', 'a2']);
        assert.deepEqual(got.map((m) => m.groupId), ['A', 'A']);
        assert.ok(BigInt(got[1]!.sequenceNumber!) > BigInt(got[0]!.sequenceNumber!));
        // The moved messages behave as FIFO messages in their new queue: the group is now in flight.
        await store.send(target, [fifoMessage('A', 'a3', T0 + 2)], FIFO_QUEUE);
        assert.deepEqual(await store.receive(target, recv(T0 + 2)), []);
      });
    });

    // -----------------------------------------------------------------------------------------------------------
    if (options.scale !== false) {
      describe('scale', () => {
        /** Median time of `rounds` receives of 10 on each queue, interleaved so that both see the same noise. */
        async function timeReceives(store: Store, big: QueueRecord, small: QueueRecord, rounds: number, start: number) {
          const tBig: number[] = [];
          const tSmall: number[] = [];
          for (let i = 0; i < rounds; i++) {
            // Each round one minute later: the small queue's messages (30 s timeout) are visible again.
            const now = start + i * MIN;
            for (const [q, out] of [[big, tBig], [small, tSmall]] as const) {
              const t = performance.now();
              const got = await store.receive(q, recv(now, 10));
              out.push(performance.now() - t);
              assert.equal(got.length, 10);
            }
          }
          return { big: median(tBig.slice(10)), small: median(tSmall.slice(10)) };
        }

        it(
          'receive on a standard queue of 200,000 messages is about as fast as on a queue of 10',
          async (store) => {
            const big = await mustCreate(store, queueInput('big'));
            const small = await mustCreate(store, queueInput('small'));
            const N = 200_000;
            const CHUNK = 5_000;
            for (let i = 0; i < N; i += CHUNK) {
              await store.send(big, Array.from({ length: CHUNK }, (_, j) => message(`m${i + j}`, T0 + i + j)));
            }
            await store.send(small, Array.from({ length: 10 }, (_, j) => message(`s${j}`, T0 + j)));
            const start = T0 + N + SEC;
            assert.deepEqual(await store.counts(big.id, start), { visible: N, inflight: 0, delayed: 0 });

            const t = await timeReceives(store, big, small, 300, start);
            const ratio = t.big / t.small;
            const detail = `median receive: ${t.big.toFixed(3)} ms on ${N} messages vs ${t.small.toFixed(3)} ms on 10 (x${ratio.toFixed(2)})`;
            console.log(`# [${engineName}] ${detail}`);
            assert.ok(ratio < 5, detail);
          },
          { timeout: 120_000 },
        );

        it(
          'receive on a FIFO queue with 20,000 message groups in flight is about as fast as on a small one',
          async (store) => {
            // Many groups, each with one message in flight: a receive must not walk past every blocked group.
            const big = await mustCreate(store, queueInput('big.fifo'));
            const small = await mustCreate(store, queueInput('small.fifo'));
            const GROUPS = 40_000;
            const CHUNK = 4_000;
            for (let i = 0; i < GROUPS; i += CHUNK) {
              await store.send(big, Array.from({ length: CHUNK }, (_, j) => fifoMessage(`g${i + j}`, `m${i + j}`, T0)), FIFO_QUEUE);
            }
            await store.send(small, Array.from({ length: 10 }, (_, j) => fifoMessage(`g${j}`, `s${j}`, T0)), FIFO_QUEUE);
            // Put the first half of the groups in flight for a day (large receives, to keep the setup short).
            for (let i = 0; i < GROUPS / 2; i += 500) {
              assert.equal((await store.receive(big, recv(T0 + 1, 500, { visibilityTimeoutMs: DAY }))).length, 500);
            }
            const start = T0 + SEC;
            assert.deepEqual(await store.counts(big.id, start), { visible: GROUPS / 2, inflight: GROUPS / 2, delayed: 0 });

            const t = await timeReceives(store, big, small, 300, start);
            const ratio = t.big / t.small;
            const detail = `median receive: ${t.big.toFixed(3)} ms with ${GROUPS / 2} groups in flight vs ${t.small.toFixed(3)} ms on 10 groups (x${ratio.toFixed(2)})`;
            console.log(`# [${engineName}] ${detail}`);
            assert.ok(ratio < 5, detail);
          },
          { timeout: 120_000 },
        );
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Persistence: for engines that keep data outside the process (a file, a server)
// ---------------------------------------------------------------------------------------------------------------

export function defineStorePersistence(engineName: string, makeLocation: () => Promise<StoreLocation>): void {
  const it = (name: string, fn: (location: StoreLocation, opened: Store[]) => Promise<void>) =>
    test(name, async () => {
      const location = await makeLocation();
      const opened: Store[] = [];
      const tracked: StoreLocation = {
        open: async () => {
          const s = await location.open();
          opened.push(s);
          return s;
        },
      };
      try {
        await fn(tracked, opened);
      } finally {
        for (const s of opened) await s.close();
        await location.dispose?.();
      }
    });

  describe(`store persistence: ${engineName}`, () => {
    it('a store reopened on the same database sees the queues, messages and their state', async (location) => {
      const s1 = await location.open();
      const dlq = await mustCreate(s1, queueInput('dlq', { tags: { team: 'x' } }));
      const std = await mustCreate(s1, queueInput('std', { deadLetter: dlq, attributes: { VisibilityTimeout: '60' } }));
      const fifo = await mustCreate(s1, queueInput('q.fifo'));
      const gone = await mustCreate(s1, queueInput('gone'));
      await s1.deleteQueue(gone.id);
      const attrs = JSON.stringify({ k: { DataType: 'String', StringValue: 'v' } });
      const sent = [message('s1', T0, { messageAttributes: attrs, md5OfMessageAttributes: md5(attrs) }), message('s2', T0), message('s3', T0, { visibleAt: T0 + MIN })];
      await s1.send(std, sent);
      const inflight = await receiveOne(s1, std, T0);
      const fifoSent = await s1.send(fifo, [fifoMessage('A', 'a1', T0, { deduplicationId: 'dd' }), fifoMessage('A', 'a2', T0)], FIFO_QUEUE);
      const a1 = await receiveOne(s1, fifo, T0);
      const runningTask: MoveTaskRecord = { taskHandle: 'task-1', sourceArn: arnOf(dlq), status: 'RUNNING', startedAt: T0, moved: 1, toMove: 5 };
      await s1.saveMoveTask(runningTask);
      await s1.close();

      const s2 = await location.open();
      // Receipt tokens issued before the restart still work (asked before anything else, with nothing cached).
      assert.equal(await s2.deleteMessage(std.id, inflight.rowId, token(inflight), T0 + 1), 'ok');
      assert.deepEqual(await s2.getQueue(dlq), dlq);
      assert.deepEqual(await s2.getQueue(std), std);
      assert.deepEqual(await s2.getQueueById(fifo.id), fifo);
      assert.equal(await s2.getQueue(gone), undefined);
      assert.deepEqual(names(await s2.listQueues(ACCOUNT, REGION, '', undefined, 100)), ['dlq', 'q.fifo', 'std']);
      assert.deepEqual(names(await s2.listDeadLetterSources(arnOf(dlq), undefined, 100)), ['std']);
      assert.deepEqual(await s2.counts(std.id, T0), { visible: 1, inflight: 0, delayed: 1 });
      assert.deepEqual(await s2.counts(fifo.id, T0), { visible: 1, inflight: 1, delayed: 0 });
      assert.equal(await s2.nextVisibleAt(std.id, T0), T0 + MIN);
      // FIFO state: the group is still blocked, the dedup id still remembered.
      assert.deepEqual(await s2.receive(fifo, recv(T0 + 1)), []);
      const dup = await sendOne(s2, fifo, fifoMessage('A', 'again', T0 + 2, { deduplicationId: 'dd' }), FIFO_QUEUE);
      assert.deepEqual(dup, { ...fifoSent[0]!, duplicate: true });
      assert.equal(await s2.deleteMessage(fifo.id, a1.rowId, token(a1), T0 + 3), 'ok');
      assert.deepEqual(bodies(await s2.receive(fifo, recv(T0 + 3))), ['a2']);
      // Sequence numbers keep increasing across the restart.
      const later = await sendOne(s2, fifo, fifoMessage('B', 'b1', T0 + 4), FIFO_QUEUE);
      assert.ok(BigInt(later.sequenceNumber!) > BigInt(fifoSent[1]!.sequenceNumber!));

      const rest = await s2.receive(std, recv(T0 + MIN));
      assert.deepEqual(sortedBodies(rest), sent.filter((m) => m.messageId !== inflight.messageId).map((m) => m.body).sort());
      const s1again = rest.find((m) => m.body === 's1');
      if (s1again) assert.equal(s1again.messageAttributes, attrs);

      assert.deepEqual(plain(await s2.getMoveTask('task-1')), runningTask);
      assert.deepEqual((await s2.listActiveMoveTasks()).map((t) => t.taskHandle), ['task-1']);
      await s2.close();

      // A third open sees what the second one wrote.
      const s3 = await location.open();
      assert.deepEqual(await s3.counts(std.id, T0 + MIN), { visible: 0, inflight: 2, delayed: 0 });
      assert.deepEqual(await s3.counts(fifo.id, T0 + 4), { visible: 1, inflight: 1, delayed: 0 });
      const afterRestart = await mustCreate(s3, queueInput('new-after-restart'));
      assert.ok(![dlq.id, std.id, fifo.id].includes(afterRestart.id));
    });

    it('a reopened store keeps in-flight and delayed standard messages as they were: receive counts, first receive, visibility, handles', async (location) => {
      const s1 = await location.open();
      const dlq = await mustCreate(s1, queueInput('dlq'));
      const q = await mustCreate(s1, queueInput('q', { deadLetter: dlq }));
      const redrive = { maxReceiveCount: 2, deadLetterQueue: dlq, sourceArn: arnOf(q), retentionMs: RETENTION_MS };
      await s1.send(q, [message('inflight', T0), message('twice', T0), message('delayed', T0, { visibleAt: T0 + 5 * MIN })]);
      // 'twice' is received twice (reaching maxReceiveCount 2), 'inflight' once, each still in flight at the close.
      const first = await s1.receive(q, recv(T0, 2, { redrive }));
      assert.deepEqual(sortedBodies(first), ['inflight', 'twice']);
      const twiceAgain = await receiveOne(s1, q, T0 + VT, { redrive, visibilityTimeoutMs: 10 * MIN });
      const inflightAgain = twiceAgain.body === 'twice' ? await receiveOne(s1, q, T0 + VT, { redrive }) : twiceAgain;
      const twice = twiceAgain.body === 'twice' ? twiceAgain : await receiveOne(s1, q, T0 + VT, { redrive, visibilityTimeoutMs: 10 * MIN });
      assert.equal(twice.receiveCount, 2);
      assert.equal(inflightAgain.receiveCount, 2);
      // 'inflight': its visibility extended to T0 + 3 min with the current handle.
      assert.equal(await s1.changeVisibility(q.id, inflightAgain.rowId, token(inflightAgain), T0 + 3 * MIN, T0 + VT), 'ok');
      await s1.close();

      const s2 = await location.open();
      const at = T0 + VT + 1;
      assert.deepEqual(await s2.counts(q.id, at), { visible: 0, inflight: 2, delayed: 1 });
      assert.equal(await s2.nextVisibleAt(q.id, at), T0 + 3 * MIN);
      assert.deepEqual(await s2.receive(q, recv(at, 10, { redrive })), [], 'nothing is visible before its time');
      // Handles issued before the restart: the current one changes visibility, an earlier one is stale.
      const stale = first.find((m) => m.body === 'inflight')!;
      assert.equal(await s2.changeVisibility(q.id, stale.rowId, token(stale), T0 + 4 * MIN, at), 'stale');
      assert.equal(await s2.changeVisibility(q.id, inflightAgain.rowId, token(inflightAgain), T0 + 4 * MIN, at), 'ok');
      await s2.close();

      const s3 = await location.open();
      assert.equal(await s3.nextVisibleAt(q.id, at), T0 + 4 * MIN);
      // (Without redrive options: 'inflight' has been received twice already.)
      const later = await s3.receive(q, recv(T0 + 5 * MIN, 10, { visibilityTimeoutMs: 20 * MIN }));
      assert.deepEqual(sortedBodies(later), ['delayed', 'inflight']);
      const inflight = later.find((m) => m.body === 'inflight')!;
      assert.equal(inflight.receiveCount, 3, 'receive counts survive restarts');
      assert.equal(inflight.firstReceivedAt, T0, 'so does the first receive time');
      assert.equal(later.find((m) => m.body === 'delayed')!.receiveCount, 1);
      // 'twice' was visible again at T0 + VT + 10 min with two receives: the next receive moves it to the DLQ.
      const moved = await s3.receive(q, recv(T0 + VT + 10 * MIN, 10, { redrive }));
      assert.deepEqual(moved, [], "'twice' is dead-lettered, not returned (the others are in flight)");
      assert.deepEqual(bodies(await s3.receive(dlq, recv(T0 + VT + 10 * MIN))), ['twice']);
      assert.deepEqual(await s3.counts(q.id, T0 + VT + 10 * MIN), { visible: 0, inflight: 2, delayed: 0 });
    });

    it('message row ids are never reused, across restarts too: a handle of a deleted message never names a later one', async (location) => {
      const s1 = await location.open();
      const q = await mustCreate(s1, queueInput('q'));
      await s1.send(q, [message('a', T0), message('b', T0)]);
      const got = await s1.receive(q, recv(T0));
      const highest = got.reduce((x, y) => (y.rowId > x.rowId ? y : x));
      for (const m of got) assert.equal(await s1.deleteMessage(q.id, m.rowId, token(m), T0), 'ok');
      // The deleted rows were the newest: a new message must still not take their ids.
      const [c] = await s1.send(q, [message('c', T0)]).then(() => s1.receive(q, recv(T0)));
      assert.ok(c!.rowId > highest.rowId);
      assert.equal(await s1.deleteMessage(q.id, c!.rowId, token(c!), T0), 'ok');
      await s1.close();

      const s2 = await location.open();
      await s2.send(q, [message('d', T0 + 1)]);
      assert.equal(await s2.deleteMessage(q.id, highest.rowId, token(highest), T0 + 1), 'gone');
      assert.equal(await s2.deleteMessage(q.id, c!.rowId, token(c!), T0 + 1), 'gone');
      const d = await receiveOne(s2, q, T0 + 1);
      assert.equal(d.body, 'd', 'old handles deleted nothing');
      assert.ok(d.rowId > c!.rowId);
    });

    // The calls below alternate between the two stores, each awaited before the next: the SQLite engine allows one
    // writing process per file (a second store writing in the same event-loop turn waits on the lock), and caches
    // queue records per store, so queue metadata changed through one store is not seen by the other.
    it('two stores open on the same database at once share one state', async (location) => {
      const s1 = await location.open();
      const s2 = await location.open();
      const q = await mustCreate(s1, queueInput('shared'));
      assert.deepEqual(await s2.getQueue(q), q);
      assert.equal((await s2.createQueue(queueInput('shared'))).created, false);
      await s1.send(q, Array.from({ length: 10 }, (_, i) => message(`m${i}`, T0)));
      const via2 = await s2.receive(q, recv(T0, 4));
      const via1 = await s1.receive(q, recv(T0, 10));
      assert.equal(via2.length, 4);
      assert.equal(via1.length, 6);
      assert.equal(new Set([...via1, ...via2].map((m) => m.messageId)).size, 10, 'no message is received twice');
      assert.equal(await s1.deleteMessage(q.id, via2[0]!.rowId, token(via2[0]!), T0 + 1), 'ok');
      assert.deepEqual(await s2.counts(q.id, T0 + 1), { visible: 0, inflight: 9, delayed: 0 });
    });
  });
}
