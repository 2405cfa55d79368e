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
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

/** A queue's counts as a store opened afresh on the file sees them. */
const countsAfterReopen = async (path: string, queueId: number) => {
  const reopened = new SqliteStore({ path });
  try {
    return await reopened.counts(queueId, T0);
  } finally {
    await reopened.close();
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

/**
 * Holds the file's write lock from another connection: the commit thread waits on it (busy timeout), so whatever is
 * shipped meanwhile stays in flight until `release`. `token` also commits that as the file's writer token on release.
 */
function holdWriteLock(path: string): { release: (token?: string) => void } {
  const raw = new Database(path);
  raw.exec('BEGIN IMMEDIATE');
  return {
    release: (token) => {
      if (token !== undefined) raw.prepare('UPDATE message_ids SET writer = ?').run(token);
      raw.exec(token !== undefined ? 'COMMIT' : 'ROLLBACK');
      raw.close();
    },
  };
}

test('commit thread: content beyond the memory budget is read back while its row is still in flight', async () => {
  const path = freshFile();
  const store = new SqliteStore({ path, messageCacheBytes: 300 });
  const { queue } = await store.createQueue(queueInput('q'));
  const body = (s: string) => s + ':' + 'x'.repeat(400);
  const lock = holdWriteLock(path);
  const sent = store.send(queue, [message(body('a'), T0), message(body('b'), T0)]);
  await nextTurn(); // the group has been shipped; the thread waits for the lock
  const received = store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 }); // runs now, answers later
  lock.release();
  await sent;
  assert.deepEqual((await received).map((m) => m.body).sort(), [body('a'), body('b')]);
  await store.close();
});

test('commit thread: an index rebuilt while rows are in flight keeps their messages', async () => {
  const path = freshFile();
  const store = new SqliteStore({ path, messageCacheBytes: 300 });
  const { queue } = await store.createQueue(queueInput('q'));
  const lock = holdWriteLock(path);
  const sent = store.send(queue, [message('a', T0), message('b:' + 'y'.repeat(400), T0)]);
  await nextTurn();
  // A write that fails makes the engine forget its index; the next operation rebuilds it from the table and the rows
  // still in flight.
  await assert.rejects(store.send(queue, [{ ...message('bad', T0), body: null as unknown as string }]));
  const received = store.receive(queue, { max: 10, visibilityTimeoutMs: 60_000, now: T0 });
  lock.release();
  await sent;
  assert.deepEqual((await received).map((m) => m.body.slice(0, 1)).sort(), ['a', 'b']);
  await store.close();
  assert.deepEqual(await countsAfterReopen(path, queue.id), { visible: 0, inflight: 2, delayed: 0 });
});

test('commit thread: another store writing while batches are in flight ends both pipelines; writes run again, none lost or doubled', async () => {
  const path = freshFile();
  const s1 = new SqliteStore({ path });
  const q = (await s1.createQueue(queueInput('shared'))).queue;
  const s2 = new SqliteStore({ path }); // claims the file: s1's next batch finds another writer
  assert.deepEqual(await s2.getQueue(q), q);
  // Both stores write in the same turns: each finds the other's writer token sooner or later.
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    sends.push(s1.send(q, [message(`one-${i}`, T0)]));
    sends.push(s2.send(q, [message(`two-${i}`, T0)]));
    await nextTurn();
  }
  await Promise.all(sends);
  assert.equal(s1.usesCommitThread(), false);
  // s2's batches may all have been committed before s1 wrote again (the threads take a while to start): its next
  // one finds s1's token.
  await s2.send(q, [message('two-last', T0)]);
  assert.equal(s2.usesCommitThread(), false);
  await s1.send(q, [message('one-last', T0)]);
  await s1.close();
  await s2.close();
  const reopened = new SqliteStore({ path });
  const bodies = await receiveAll(reopened, q);
  const expected = [...Array.from({ length: 20 }, (_, i) => [`one-${i}`, `two-${i}`]).flat(), 'one-last', 'two-last'].sort();
  assert.deepEqual(bodies, expected);
  await reopened.close();
});

test('commit thread: another writer seen by a read while batches are in flight, and by the thread too: everything runs again once, ids stay unique', async () => {
  const path = freshFile();
  const store = new SqliteStore({ path });
  const { queue } = await store.createQueue(queueInput('q'));
  await store.send(queue, [message('before', T0)]);
  const lock = holdWriteLock(path);
  const sends = [store.send(queue, [message('a', T0), message('b', T0)])];
  await nextTurn();
  sends.push(store.send(queue, [message('c', T0)]));
  await nextTurn();
  // Another writer commits; the read below notices it while the thread, let go, finds it too.
  lock.release('intruder');
  const counts = await store.counts(queue.id, T0);
  await Promise.all(sends);
  assert.equal(counts.visible, 4);
  assert.equal(store.usesCommitThread(), false);
  await store.send(queue, Array.from({ length: 5 }, (_, i) => message(`after-${i}`, T0)));
  const received = await store.receive(queue, { max: 10, visibilityTimeoutMs: 60_000, now: T0 });
  assert.equal(new Set(received.map((m) => m.rowId)).size, received.length, 'no two messages share an id');
  assert.equal(received.length, 9);
  await store.close();
  assert.deepEqual(await countsAfterReopen(path, queue.id), { visible: 0, inflight: 9, delayed: 0 });
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
  assert.deepEqual(results.map((r) => r.map((m) => m.duplicate)), [[false], [false]]);
  assert.equal(store.usesCommitThread(), false);
  await store.send(queue, [message('fourth', T0)]);
  assert.deepEqual(await receiveAll(store, queue), ['first', 'fourth', 'second', 'third']);
  await store.close();
  assert.deepEqual(await countsAfterReopen(path, queue.id), { visible: 0, inflight: 4, delayed: 0 });
});

test('sqlite: a data file of a newer schema than this Postbox knows is refused, untouched', async () => {
  const path = freshFile();
  const db = new Database(path);
  db.pragma('user_version = 999');
  db.close();
  assert.throws(() => new SqliteStore({ path }), /schema version 999, newer than this Postbox knows/);
  const again = new Database(path);
  assert.equal(again.pragma('user_version', { simple: true }), 999);
  again.close();
});

test('commit thread: a store left open does not keep the process alive, before or after it committed on the thread', async () => {
  const at = (relative: string) => JSON.stringify(new URL(relative, import.meta.url).href);
  for (const write of [false, true]) {
    const script = [
      `const { SqliteStore } = await import(${at('../../src/store/sqlite/engine.js')});`,
      `const { message, queueInput, T0 } = await import(${at('./contract-suite.js')});`,
      `const store = new SqliteStore({ path: ${JSON.stringify(freshFile())} });`,
      write ? `const { queue } = await store.createQueue(queueInput('q')); await store.send(queue, [message('m', T0)]);` : '',
      `console.log(store.usesCommitThread());`,
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    assert.deepEqual([code, signal, out.trim()], [0, null, 'true'], `write: ${write}`);
  }
});
