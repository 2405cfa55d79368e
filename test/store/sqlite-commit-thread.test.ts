/**
 * The SQLite engine's commit thread (group-commit.ts, log-committer.ts): standard queues' log-only commit groups are
 * committed on a thread of their own, in order, and answered only once committed. These tests cover what the
 * contract suite cannot see from outside: rows read while still in flight, an index rebuilt while rows are in
 * flight, another connection writing the file while batches are in flight, and the thread failing a commit — in
 * the last two the writes it did not commit run again on the main thread and nothing is lost or doubled.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import type { QueueRecord } from '../../src/store/contract.js';
import { message, queueInput, T0 } from './contract-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'postbox-commit-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `store-${++files}.db`);

const receiveAll = async (store: SqliteStore, queue: QueueRecord): Promise<string[]> => {
  const bodies: string[] = [];
  for (;;) {
    const got = await store.receive(queue, { max: 10, visibilityTimeoutMs: 60_000, now: T0 });
    if (got.length === 0) return bodies.sort();
    bodies.push(...got.map((m) => m.body));
  }
};

test('commit thread: a file store uses it, an in-memory store or commitThread: false does not', async () => {
  const file = new SqliteStore({ path: freshFile() });
  const memory = new SqliteStore({ path: ':memory:' });
  const off = new SqliteStore({ path: freshFile(), commitThread: false });
  assert.equal(file.usesCommitThread(), true);
  assert.equal(memory.usesCommitThread(), false);
  assert.equal(off.usesCommitThread(), false);
  for (const store of [file, memory, off]) {
    const { queue } = await store.createQueue(queueInput('q'));
    await store.send(queue, [message('a', T0), message('b', T0)]);
    assert.deepEqual(await receiveAll(store, queue), ['a', 'b']);
    await store.close();
  }
});

test('commit thread: many groups in flight commit in order, and a reopen finds exactly what was acknowledged', async () => {
  const path = freshFile();
  const store = new SqliteStore({ path });
  const { queue } = await store.createQueue(queueInput('q'));
  // One group per turn, not awaited one by one: several batches are in flight at once.
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 50; i++) {
    sends.push(store.send(queue, [message(`m${String(i).padStart(2, '0')}`, T0)]));
    await nextTurn();
  }
  await Promise.all(sends);
  // Receive and delete the first ten, again without waiting for each commit.
  const got = await store.receive(queue, { max: 10, visibilityTimeoutMs: 60_000, now: T0 });
  const deleted = store.deleteMessages(queue.id, got.map((m) => ({ rowId: m.rowId, token: m.receiptToken! })), T0);
  await nextTurn();
  await deleted;
  assert.equal(store.usesCommitThread(), true);
  await store.close();

  const reopened = new SqliteStore({ path });
  const left = await receiveAll(reopened, queue);
  assert.equal(left.length, 40);
  assert.deepEqual(new Set([...left, ...got.map((m) => m.body)]).size, 50);
  await reopened.close();
});

test('commit thread: content beyond the memory budget is read back while its row is still in flight', async () => {
  const store = new SqliteStore({ path: freshFile(), messageCacheBytes: 300 });
  const { queue } = await store.createQueue(queueInput('q'));
  const body = (s: string) => s + ':' + 'x'.repeat(400);
  const sent = store.send(queue, [message(body('a'), T0), message(body('b'), T0)]);
  await nextTurn(); // the group has been shipped; its commit may or may not have been reported yet
  const received = await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 });
  await sent;
  assert.deepEqual(received.map((m) => m.body).sort(), [body('a'), body('b')]);
  await store.close();
});

test('commit thread: an index rebuilt while rows are in flight keeps their messages', async () => {
  const path = freshFile();
  const store = new SqliteStore({ path, messageCacheBytes: 300 });
  const { queue } = await store.createQueue(queueInput('q'));
  const sent = store.send(queue, [message('a', T0), message('b:' + 'y'.repeat(400), T0)]);
  await nextTurn();
  // A write that fails makes the engine forget its index; the next operation rebuilds it from the table and the rows
  // still in flight.
  await assert.rejects(store.send(queue, [{ ...message('bad', T0), body: null as unknown as string }]));
  const received = await store.receive(queue, { max: 10, visibilityTimeoutMs: 60_000, now: T0 });
  await sent;
  assert.deepEqual(received.map((m) => m.body.slice(0, 1)).sort(), ['a', 'b']);
  await store.close();
  const reopened = new SqliteStore({ path });
  assert.deepEqual(await reopened.counts(queue.id, T0), { visible: 0, inflight: 2, delayed: 0 });
  await reopened.close();
});

test('commit thread: another connection writing while batches are in flight ends the pipeline; its writes run again, none lost or doubled', async () => {
  const path = freshFile();
  const s1 = new SqliteStore({ path });
  const s2 = new SqliteStore({ path });
  const q = (await s1.createQueue(queueInput('shared'))).queue;
  assert.deepEqual(await s2.getQueue(q), q);
  // Both stores write in the same turns: whichever commits second finds the other's writer token.
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    sends.push(s1.send(q, [message(`one-${i}`, T0)]));
    sends.push(s2.send(q, [message(`two-${i}`, T0)]));
    await nextTurn();
  }
  await Promise.all(sends);
  assert.ok(!s1.usesCommitThread() || !s2.usesCommitThread(), 'at least one store noticed the other');
  await s1.close();
  await s2.close();
  const reopened = new SqliteStore({ path });
  const bodies = await receiveAll(reopened, q);
  const expected = Array.from({ length: 20 }, (_, i) => [`one-${i}`, `two-${i}`]).flat().sort();
  assert.deepEqual(bodies, expected);
  await reopened.close();
});

test('commit thread: a commit the thread cannot make runs again on the main thread, and the store goes on without the thread', async () => {
  const path = freshFile();
  const store = new SqliteStore({ path });
  const { queue } = await store.createQueue(queueInput('q'));
  await store.send(queue, [message('first', T0)]);
  // Take the seq the next group's row will get, keeping this store's writer token as the last writer: the thread's
  // INSERT then fails on the primary key (a failure that is not another writer as far as the thread can tell).
  const raw = new Database(path);
  const next = (raw.prepare('SELECT max(seq) FROM message_log').pluck().get() as number) + 1;
  raw.prepare("INSERT INTO message_log (seq, records) VALUES (?, '')").run(next);
  raw.close();
  const results = await Promise.all([store.send(queue, [message('second', T0)]), store.send(queue, [message('third', T0)])]);
  assert.equal(results.length, 2);
  assert.equal(store.usesCommitThread(), false);
  await store.send(queue, [message('fourth', T0)]);
  assert.deepEqual(await receiveAll(store, queue), ['first', 'fourth', 'second', 'third']);
  await store.close();
  const reopened = new SqliteStore({ path });
  assert.deepEqual(await reopened.counts(queue.id, T0), { visible: 0, inflight: 4, delayed: 0 });
  await reopened.close();
});
