/**
 * The storage conformance suite against the PostgreSQL engine — the same suite as SQLite, unchanged — plus what
 * only a shared-database engine has: several nodes (stores) on one schema at once, migrations racing at startup,
 * LISTEN/NOTIFY wake-ups, and connections dropped under the store.
 *
 * The database comes from test/support/postgres.ts (the local server, or an embedded one); every store works in a
 * schema of its own, dropped afterwards.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/engine.js';
import { SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import { defineStoreContract, defineStorePersistence, fifoMessage, message, queueInput, T0 } from './contract-suite.js';
import { dropSchema, freshSchema, openScratchStore, openTestStore, testDatabase } from '../support/postgres.js';

defineStoreContract('postgres', () => openScratchStore());

defineStorePersistence('postgres', async () => {
  const schema = freshSchema();
  return {
    open: () => openTestStore(schema),
    dispose: () => dropSchema(schema),
  };
});

const VT = 30_000;
const FIFO = { scope: 'queue' as const, windowMs: 5 * 60_000 };

/** Several stores ("nodes") on one fresh schema; all closed and the schema dropped afterwards. */
async function nodes(n: number): Promise<{ stores: PostgresStore[]; schema: string; done: () => Promise<void> }> {
  const schema = freshSchema();
  const stores = await Promise.all(Array.from({ length: n }, () => openTestStore(schema)));
  return {
    stores,
    schema,
    done: async () => {
      for (const s of stores) await s.close();
      await dropSchema(schema);
    },
  };
}

const until = async (check: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('postgres engine', () => {
  test('reports engine "postgres"; close is idempotent', async () => {
    const store = await openScratchStore();
    assert.equal(store.engine, 'postgres');
    const { queue } = await store.createQueue(queueInput('q'));
    await store.send(queue, [message('m', T0)]);
    await store.close();
    await store.close();
  });

  test('rejects a schema name that is not a plain identifier', async () => {
    const { connectionString } = await testDatabase();
    assert.throws(() => new PostgresStore({ connectionString, schema: 'x"; DROP TABLE y; --' }), /invalid schema name/);
  });

  test('nodes starting at once on a new schema migrate it once', async () => {
    const { stores, schema, done } = await nodes(6);
    try {
      const { connectionString } = await testDatabase();
      const client = new pg.Client({ connectionString });
      await client.connect();
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      await client.end();
      assert.deepEqual(rows.map((r) => r.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      // And they share one state.
      const q = (await stores[0]!.createQueue(queueInput('shared'))).queue;
      for (const s of stores) assert.deepEqual(await s.getQueue(q), q);
    } finally {
      await done();
    }
  });

  test('receives on several nodes at once never hand one message to two consumers', async () => {
    const { stores, done } = await nodes(3);
    try {
      const q = (await stores[0]!.createQueue(queueInput('q'))).queue;
      const N = 200;
      for (let i = 0; i < N; i += 10) await stores[i % 3]!.send(q, Array.from({ length: 10 }, (_, j) => message(`m${i + j}`, T0)));
      const got = (
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => stores[i % 3]!.receive(q, { max: 10, visibilityTimeoutMs: VT, now: T0 + 1 })),
        )
      ).flat();
      assert.equal(got.length, N);
      assert.equal(new Set(got.map((m) => m.messageId)).size, N, 'no message twice');
      assert.deepEqual(await stores[1]!.counts(q.id, T0 + 1), { visible: 0, inflight: N, delayed: 0 });
    } finally {
      await done();
    }
  });

  test('FIFO across nodes: a group goes to one consumer at a time, in order; dedup holds across nodes', async () => {
    const { stores, done } = await nodes(3);
    try {
      const q = (await stores[0]!.createQueue(queueInput('q.fifo'))).queue;
      // Sends of one deduplication id from every node at once store one message.
      const sent = (await Promise.all(stores.map((s, i) => s.send(q, [fifoMessage('D', `dup-${i}`, T0, { deduplicationId: 'same' })], FIFO)))).flat();
      assert.equal(sent.filter((r) => !r.duplicate).length, 1);
      assert.equal(new Set(sent.map((r) => r.sequenceNumber)).size, 1);
      // Sends to a few groups from every node at once.
      await Promise.all(
        stores.map((s, n) =>
          Promise.all(
            ['A', 'B', 'C'].map(async (g) => {
              for (let i = 0; i < 5; i++) await s.send(q, [fifoMessage(g, `${g}-${n}-${i}`, T0)], FIFO);
            }),
          ),
        ),
      );
      // Concurrent receives: each group is handed to at most one receive.
      const now = T0 + 1;
      const batches = await Promise.all(Array.from({ length: 9 }, (_, i) => stores[i % 3]!.receive(q, { max: 10, visibilityTimeoutMs: VT, now })));
      const groupsSeen = batches.flatMap((b) => [...new Set(b.map((m) => m.groupId))]);
      assert.equal(groupsSeen.length, new Set(groupsSeen).size, 'a group went to two receives');
      // Drain everything, checking order within each group by sequence number.
      const lastSeq = new Map<string, bigint>();
      const check = (ms: { groupId?: string; sequenceNumber?: string }[]) => {
        for (const m of ms) {
          const seq = BigInt(m.sequenceNumber!);
          const prev = lastSeq.get(m.groupId!);
          assert.ok(prev === undefined || seq > prev, `group ${m.groupId} out of order`);
          lastSeq.set(m.groupId!, seq);
        }
      };
      let received = 0;
      for (const b of batches) {
        check(b);
        received += b.length;
        for (const m of b) assert.equal(await stores[0]!.deleteMessage(q.id, m.rowId, m.receiptToken!, now), 'ok');
      }
      for (let round = 0; round < 60 && received < 46; round++) {
        const b = await stores[round % 3]!.receive(q, { max: 10, visibilityTimeoutMs: VT, now });
        check(b);
        received += b.length;
        for (const m of b) assert.equal(await stores[(round + 1) % 3]!.deleteMessage(q.id, m.rowId, m.receiptToken!, now), 'ok');
      }
      assert.equal(received, 46, '3 nodes x 3 groups x 5 messages, and one of the deduplicated sends');
    } finally {
      await done();
    }
  });

  test('onMessagesAvailable wakes other nodes on commit, and not for a send that failed', async () => {
    const { stores, done } = await nodes(2);
    try {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const heard: (number | undefined)[] = [];
      const unsubscribe = b.onMessagesAvailable((id) => heard.push(id));
      await b.listening();
      const q = (await a.createQueue(queueInput('q'))).queue;
      const f = (await a.createQueue(queueInput('q.fifo'))).queue;
      await a.send(q, [message('m', T0)]);
      await until(() => heard.includes(q.id));
      const bad = { ...fifoMessage('g', 'x', T0), body: null as unknown as string };
      await assert.rejects(a.send(f, [fifoMessage('g', 'ok', T0), bad], FIFO));
      await a.send(q, [message('m2', T0)]);
      await until(() => heard.filter((x) => x === q.id).length === 2);
      assert.ok(!heard.includes(f.id), 'a rolled-back send notifies nobody');
      await a.send(f, [fifoMessage('g', 'ok', T0)], FIFO);
      await until(() => heard.includes(f.id));
      unsubscribe();
      const before = heard.length;
      await a.send(q, [message('m3', T0)]);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(heard.length, before, 'an unsubscribed listener hears nothing');
    } finally {
      await done();
    }
  });

  test('connections dropped under the store: calls fail or succeed, later calls work, the listener resyncs', async () => {
    const { connectionString } = await testDatabase();
    const app = `postbox_drop_${process.pid}`;
    const url = new URL(connectionString);
    url.searchParams.set('application_name', app);
    const schema = freshSchema();
    const store = await PostgresStore.open({ connectionString: url.toString(), schema, onError: () => {} });
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      const q = (await store.createQueue(queueInput('q'))).queue;
      const heard: (number | undefined)[] = [];
      store.onMessagesAvailable((id) => heard.push(id));
      await store.listening();
      await store.send(q, [message('before', T0)]);
      await until(() => heard.includes(q.id));

      // What a database restart does to the connections: terminated by the server.
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
      assert.ok((killed.rowCount ?? 0) >= 2, 'the pool and the listener were connected');

      // Calls may fail once with the dropped connection (a rejected promise, never a crash); they recover.
      let ok = false;
      for (let i = 0; i < 20 && !ok; i++) {
        try {
          await store.send(q, [message(`after-${i}`, T0)]);
          ok = true;
        } catch (err) {
          assert.ok(err instanceof Error);
        }
      }
      assert.ok(ok, 'the pool reconnects');
      assert.equal((await store.counts(q.id, T0)).visible >= 2, true);
      await until(() => heard.includes(undefined), 10_000);
      const n = heard.filter((x) => x === q.id).length;
      await store.send(q, [message('after reconnect', T0)]);
      await until(() => heard.filter((x) => x === q.id).length > n);
    } finally {
      await admin.end();
      await store.close();
      await dropSchema(schema);
    }
  });

  test('sendMany delivers to every queue or to none', async () => {
    const store = await openScratchStore();
    try {
      const a = (await store.createQueue(queueInput('a'))).queue;
      const f = (await store.createQueue(queueInput('f.fifo'))).queue;
      const results = await store.sendMany([
        { queue: f, messages: [fifoMessage('g', 'f1', T0, { deduplicationId: 'd' }), fifoMessage('g', 'f2', T0, { deduplicationId: 'd' })], fifo: FIFO },
        { queue: a, messages: [message('a1', T0)] },
      ]);
      assert.deepEqual(results.map((r) => r.map((x) => x.duplicate)), [[false, true], [false]]);
      const bad = { ...message('bad', T0), body: null as unknown as string };
      await assert.rejects(store.sendMany([{ queue: a, messages: [message('a2', T0)] }, { queue: f, messages: [{ ...bad, groupId: 'g', deduplicationId: 'x' }], fifo: FIFO }]));
      assert.deepEqual(await store.counts(a.id, T0), { visible: 1, inflight: 0, delayed: 0 });
      assert.deepEqual(await store.counts(f.id, T0), { visible: 1, inflight: 0, delayed: 0 });
    } finally {
      await store.close();
    }
  });

  test('a receive does not scan the queue: the planner uses the indexes', async () => {
    const store = await openScratchStore();
    const { connectionString } = await testDatabase();
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      const q = (await store.createQueue(queueInput('big'))).queue;
      for (let i = 0; i < 20_000; i += 5_000) await store.send(q, Array.from({ length: 5_000 }, (_, j) => message(`m${i + j}`, T0 + i + j)));
      const f = (await store.createQueue(queueInput('big.fifo'))).queue;
      await store.send(f, Array.from({ length: 5_000 }, (_, j) => fifoMessage(`g${j}`, `m${j}`, T0)), FIFO);
      await client.query(`ANALYZE "${store.schema}".messages`);
      await client.query(`ANALYZE "${store.schema}".fifo_groups`);
      const plan = async (sql: string, params: unknown[]) =>
        (await client.query(`EXPLAIN ${sql.replaceAll('$S', `"${store.schema}"`)}`, params)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      const visible = await plan(
        'SELECT id FROM $S.messages WHERE queue_id = $1 AND visible_at <= $2 AND expires_at > $2 ORDER BY visible_at, id LIMIT 10 FOR UPDATE SKIP LOCKED',
        [q.id, T0 + 60_000],
      );
      assert.doesNotMatch(visible, /Seq Scan|Sort/, visible);
      const groups = await plan(
        'SELECT group_id FROM $S.fifo_groups WHERE queue_id = $1 AND available_at <= $2 ORDER BY available_at, head_id LIMIT 10 FOR UPDATE SKIP LOCKED',
        [f.id, T0 + 1],
      );
      assert.doesNotMatch(groups, /Seq Scan|Sort/, groups);
    } finally {
      await client.end();
      await store.close();
    }
  });
});
