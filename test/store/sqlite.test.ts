/**
 * The storage conformance suite against the SQLite engine: in memory, and on a file (which also gets the
 * persistence checks: reopen after close, two stores on one file). See postgres.test.ts for where the next engine
 * goes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import { migrate, MESSAGE_LOG_MIGRATION, MESSAGES_IN_MEMORY_MIGRATION } from '../../src/store/sqlite/schema.js';
import { defineStoreContract, defineStorePersistence, message, queueInput, T0 } from './contract-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'postbox-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `store-${++files}.db`);

defineStoreContract('sqlite :memory:', async () => new SqliteStore({ path: ':memory:' }));

defineStoreContract('sqlite file', async () => new SqliteStore({ path: freshFile() }));

defineStorePersistence('sqlite file', async () => {
  const path = freshFile();
  return {
    open: async () => new SqliteStore({ path }),
    dispose: async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    },
  };
});

defineStorePersistence('sqlite file, durability full', async () => {
  const path = freshFile();
  return { open: async () => new SqliteStore({ path, durability: 'full' }) };
});

test('sqlite: a file store reports engine "sqlite" and close is idempotent', async () => {
  const store = new SqliteStore({ path: freshFile() });
  assert.equal(store.engine, 'sqlite');
  const { queue } = await store.createQueue(queueInput('q'));
  await store.send(queue, [message('m', T0)]);
  await store.close();
  await store.close();
});

test('sqlite: standard-queue messages beyond the memory budget are read from their rows, intact', async () => {
  const path = freshFile();
  // Room for about two messages' content: the rest are indexed without it.
  const open = () => new SqliteStore({ path, messageCacheBytes: 2_500 });
  const store = open();
  const dlq = (await store.createQueue(queueInput('dlq'))).queue;
  const { queue } = await store.createQueue(queueInput('q'));
  const attrs = JSON.stringify({ k: { DataType: 'String', StringValue: 'v'.repeat(300) } });
  const sent = Array.from({ length: 8 }, (_, i) =>
    message(`${i}:` + 'b'.repeat(700), T0, { messageAttributes: attrs, md5OfMessageAttributes: 'm', groupId: `g${i}`, deadLetterSourceArn: `arn:${i}` }),
  );
  await store.send(queue, sent);
  const check = (
    got: { messageId: string; body: string; messageAttributes?: string; groupId?: string; deadLetterSourceArn?: string }[],
    redriven = false,
  ) => {
    assert.equal(got.length, 8);
    for (const m of got) {
      const s = sent.find((x) => x.messageId === m.messageId)!;
      assert.equal(m.body, s.body);
      assert.equal(m.messageAttributes, attrs);
      assert.equal(m.groupId, s.groupId);
      assert.equal(m.deadLetterSourceArn, redriven ? undefined : s.deadLetterSourceArn);
    }
  };
  check(await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 }));
  check(await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 + 1_000 }));
  await store.close();

  const again = open();
  assert.equal((await again.sourceArnsOfNext(queue.id, 10, T0 + 2_000)).length, 8);
  check(await again.receive(queue, { max: 10, visibilityTimeoutMs: 0, now: T0 + 2_000 }));
  const moved = await again.moveMessages(queue.id, () => ({ queue: dlq, retentionMs: 60_000 }), 10, T0 + 2_000);
  assert.equal(moved.moved, 8);
  check(await again.receive(dlq, { max: 10, visibilityTimeoutMs: 1_000, now: T0 + 2_000 }), true);
  await again.close();
});

test('sqlite: a send that fails half-way leaves neither rows nor index entries behind', async () => {
  const store = new SqliteStore({ path: freshFile() });
  const { queue } = await store.createQueue(queueInput('q'));
  const bad = { ...message('bad', T0), body: null as unknown as string };
  await assert.rejects(store.send(queue, [message('good', T0), bad]));
  assert.deepEqual(await store.counts(queue.id, T0), { visible: 0, inflight: 0, delayed: 0 });
  assert.deepEqual(await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 }), []);
  await store.send(queue, [message('after', T0)]);
  const got = await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 });
  assert.deepEqual(got.map((m) => m.body), ['after']);
  await store.close();
});

test('sqlite: a data file from before the in-memory index migrates: messages, their state and the id high-water mark', async () => {
  const path = freshFile();
  const old = new Database(path);
  migrate(old, MESSAGES_IN_MEMORY_MIGRATION);
  old.prepare(`INSERT INTO queues (account_id, region, name, fifo, attributes, tags, created_at, modified_at)
    VALUES ('000000000000', 'us-east-1', 'q', 0, ?, '{}', ?, ?)`).run(JSON.stringify(queueInput('q').attributes), T0, T0);
  const insert = old.prepare(`INSERT INTO messages (queue_id, message_id, body, md5_body, sender_id, sent_at, visible_at,
    expires_at, receive_count, first_received_at, received_at, receipt_token) VALUES (1, ?, ?, 'md5', 'AIDA', ?, ?, ?, ?, ?, ?, ?)`);
  insert.run('m-visible', 'visible', T0, T0, T0 + 86_400_000, 0, null, null, null);
  insert.run('m-inflight', 'inflight', T0, T0 + 30_000, T0 + 86_400_000, 1, T0, T0, 'tok');
  insert.run('m-deleted', 'deleted', T0, T0, T0 + 86_400_000, 0, null, null, null);
  old.prepare("DELETE FROM messages WHERE message_id = 'm-deleted'").run();
  old.close();

  const store = new SqliteStore({ path });
  const queue = (await store.getQueueById(1))!;
  assert.deepEqual(await store.counts(queue.id, T0), { visible: 1, inflight: 1, delayed: 0 });
  assert.equal(await store.nextVisibleAt(queue.id, T0), T0 + 30_000);
  // The old handle of the deleted row (id 3) must not reach a new message.
  await store.send(queue, [message('new', T0)]);
  assert.equal(await store.deleteMessage(queue.id, 3, 'x', T0), 'gone');
  const got = await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 + 30_000 });
  assert.deepEqual(got.map((m) => m.body).sort(), ['inflight', 'new', 'visible']);
  const inflight = got.find((m) => m.body === 'inflight')!;
  assert.equal(inflight.receiveCount, 2);
  assert.equal(inflight.firstReceivedAt, T0);
  assert.ok(got.find((m) => m.body === 'new')!.rowId > 3);
  await store.close();
});

test('sqlite: deliveries of a fan-out whose transaction fails after them leave nothing in the queue, in memory either', async () => {
  const store = new SqliteStore({ path: freshFile() });
  const { queue } = await store.createQueue(queueInput('q'));
  const events = store.eventsStore();
  const archived = { archiveArn: 'arn:aws:events:us-east-1:000000000000:archive/a', eventId: 'e1', event: '{}' };
  await events.commitEvents([{ queue, messages: [message('first', T0)] }], [archived], T0);
  // An archived event that cannot be stored: it fails after the delivery was written, and the whole call rolls back.
  const broken = { ...archived, eventId: 'e2', event: null as unknown as string };
  await assert.rejects(events.commitEvents([{ queue, messages: [message('rolled back', T0)] }], [broken], T0));
  assert.deepEqual(await store.counts(queue.id, T0), { visible: 1, inflight: 0, delayed: 0 });
  const got = await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 });
  assert.deepEqual(got.map((m) => m.body), ['first']);
  await store.close();
});

test('sqlite: the message log frees its oldest rows, copying a long-lived message forward with its state', async () => {
  const path = freshFile();
  // Eager compaction: copy forward once the log holds 20 sends more than twice the live messages, 5 per commit.
  const open = () => new SqliteStore({ path, logCompaction: { slack: 20, copyPerCommit: 5 } });
  const store = open();
  const { queue: dlq } = await store.createQueue(queueInput('dlq'));
  const { queue } = await store.createQueue(queueInput('q'));
  const kept = message('kept for days', T0, { messageAttributes: '{"a":1}', md5OfMessageAttributes: 'x' });
  await store.send(dlq, [kept]);
  const [first] = await store.receive(dlq, { max: 1, visibilityTimeoutMs: 3_600_000, now: T0 + 1 });
  // Traffic through another queue, one commit group per step.
  for (let i = 0; i < 300; i++) {
    await store.send(queue, [message(`m${i}`, T0 + 2)]);
    const got = await store.receive(queue, { max: 1, visibilityTimeoutMs: 30_000, now: T0 + 3 });
    assert.equal(got.length, 1);
    assert.equal(await store.deleteMessage(queue.id, got[0]!.rowId, got[0]!.receiptToken!, T0 + 3), 'ok');
  }
  const stats = store.messageLogStats();
  assert.equal(stats.live, 1);
  assert.ok(stats.rows < 30, `the log keeps only recent rows: ${JSON.stringify(stats)}`);
  await store.close();

  const again = open();
  assert.deepEqual(await again.counts(queue.id, T0 + 4), { visible: 0, inflight: 0, delayed: 0 });
  assert.deepEqual(await again.counts(dlq.id, T0 + 4), { visible: 0, inflight: 1, delayed: 0 });
  assert.equal(await again.nextVisibleAt(dlq.id, T0 + 4), T0 + 1 + 3_600_000);
  // Its receipt handle still works after the copies and the restart.
  assert.equal(await again.changeVisibility(dlq.id, first!.rowId, first!.receiptToken!, T0 + 10, T0 + 5), 'ok');
  const [back] = await again.receive(dlq, { max: 1, visibilityTimeoutMs: 1_000, now: T0 + 10 });
  assert.equal(back!.messageId, kept.messageId);
  assert.equal(back!.body, kept.body);
  assert.equal(back!.messageAttributes, kept.messageAttributes);
  assert.equal(back!.receiveCount, 2);
  assert.equal(back!.firstReceivedAt, T0 + 1);
  await again.close();
});

test('sqlite: content beyond the memory budget is found in the open group, also after a failed write rebuilt the index', async () => {
  const store = new SqliteStore({ path: freshFile(), messageCacheBytes: 300 });
  const { queue } = await store.createQueue(queueInput('q'));
  const body = (s: string) => s + ':' + 'x'.repeat(400);
  // Same turn, so same group: sent and received before the group's row is written.
  const sent = store.send(queue, [message(body('a'), T0)]);
  const bad = assert.rejects(store.send(queue, [{ ...message('bad', T0), body: null as unknown as string }]));
  const received = store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 });
  await sent;
  await bad;
  assert.deepEqual((await received).map((m) => m.body), [body('a')]);
  await store.send(queue, [message(body('b'), T0)]);
  assert.deepEqual((await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 })).map((m) => m.body), [body('b')]);
  await store.close();
});

test('sqlite: a data file from before the message log migrates: standard messages move into the log with their state, FIFO rows stay', async () => {
  const path = freshFile();
  const old = new Database(path);
  migrate(old, MESSAGE_LOG_MIGRATION);
  const addQueue = old.prepare(`INSERT INTO queues (account_id, region, name, fifo, attributes, tags, created_at, modified_at)
    VALUES ('000000000000', 'us-east-1', ?, ?, ?, '{}', ?, ?)`);
  addQueue.run('q', 0, JSON.stringify(queueInput('q').attributes), T0, T0);
  addQueue.run('f.fifo', 1, JSON.stringify(queueInput('f.fifo').attributes), T0, T0);
  const insert = old.prepare(`INSERT INTO messages (id, queue_id, message_id, body, md5_body, sender_id, sent_at, visible_at,
    expires_at, receive_count, first_received_at, received_at, receipt_token, attributes, group_id, sequence_number)
    VALUES (?, ?, ?, ?, 'md5', 'AIDA', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // 2,500 delayed messages (more than one log row's worth), one in flight, and one FIFO message.
  for (let i = 1; i <= 2_500; i++) insert.run(i, 1, `m-${i}`, `body ${i}`, T0, T0 + 60_000, T0 + 86_400_000, 0, null, null, null, null, null, null);
  insert.run(2_501, 1, 'm-inflight', 'inflight', T0, T0 + 30_000, T0 + 86_400_000, 2, T0 - 5, T0, 'tok', '{"k":1}', 'g', null);
  insert.run(2_502, 2, 'm-fifo', 'fifo', T0, T0, T0 + 86_400_000, 0, null, null, null, null, 'g', '10000000000000002502');
  old.prepare("INSERT INTO fifo_groups (queue_id, group_id, available_at, head_id) VALUES (2, 'g', ?, 2502)").run(T0);
  old.prepare('UPDATE message_ids SET next_id = 2503').run();
  old.close();

  const store = new SqliteStore({ path });
  const queue = (await store.getQueueById(1))!;
  const fifo = (await store.getQueueById(2))!;
  assert.deepEqual(await store.counts(queue.id, T0), { visible: 0, inflight: 1, delayed: 2_500 });
  assert.equal(await store.changeVisibility(queue.id, 2_501, 'tok', T0 + 30_000, T0), 'ok', 'its receipt handle still works');
  const [inflight] = await store.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 + 30_000 });
  assert.equal(inflight?.messageId, 'm-inflight');
  assert.equal(inflight.receiveCount, 3);
  assert.equal(inflight.firstReceivedAt, T0 - 5);
  assert.equal(inflight.messageAttributes, '{"k":1}');
  assert.equal(inflight.groupId, 'g');
  assert.equal(await store.deleteMessage(queue.id, inflight.rowId, inflight.receiptToken!, T0 + 30_000), 'ok');
  const [f] = await store.receive(fifo, { max: 10, visibilityTimeoutMs: 1_000, now: T0 });
  assert.equal(f!.body, 'fifo');
  assert.equal(f!.sequenceNumber, '10000000000000002502');
  await store.close();

  const check = new Database(path, { readonly: true });
  assert.equal(check.prepare('SELECT count(*) FROM messages WHERE sequence_number IS NULL').pluck().get(), 0);
  assert.equal(check.prepare('SELECT count(*) FROM message_log').pluck().get() as number >= 3, true);
  check.close();
  const reopened = new SqliteStore({ path });
  try {
    assert.deepEqual(await reopened.counts(queue.id, T0 + 60_000), { visible: 2_500, inflight: 0, delayed: 0 });
    const got = await reopened.receive(queue, { max: 10, visibilityTimeoutMs: 1_000, now: T0 + 60_000 });
    assert.deepEqual(got.map((m) => m.body), Array.from({ length: 10 }, (_, i) => `body ${i + 1}`));
  } finally {
    await reopened.close();
  }
});
