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
import { SqliteStore } from '../../src/store/sqlite/engine.js';
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
