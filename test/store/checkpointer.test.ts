/**
 * The SQLite engine's background checkpoints (src/store/sqlite/checkpointer.ts): a worker thread copies committed
 * pages from the write-ahead log into the database file, so the thread serving requests never does it inside a
 * commit; the thread stops before the store closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import { defaultAttributes } from '../../src/sqs/queue-attributes.js';

const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Writes about 400 KiB of messages (about a hundred pages: far below SQLite's own 1,000-page checkpoint). */
async function fill(store: SqliteStore): Promise<void> {
  const t = Date.now();
  const { queue } = await store.createQueue({
    accountId: '000000000000',
    region: 'us-east-1',
    name: 'q',
    fifo: false,
    attributes: defaultAttributes(false),
    tags: {},
    createdAt: t,
    modifiedAt: t,
  });
  for (let batch = 0; batch < 100; batch++) {
    await store.send(
      queue,
      Array.from({ length: 10 }, (_, i) => ({
        messageId: `m-${batch}-${i}`,
        body: 'x'.repeat(400),
        md5OfBody: 'x',
        senderId: 'AIDA',
        sentAt: t,
        visibleAt: t,
        expiresAt: t + 3_600_000,
      })),
    );
  }
}

function withStore(backgroundCheckpoints: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'postbox-checkpoint-'));
  const path = join(dir, 'postbox.db');
  const store = new SqliteStore({ path, backgroundCheckpoints });
  return { dir, path, store, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('committed pages reach the database file without waiting for a commit to checkpoint them', async () => {
  const { path, store, cleanup } = withStore(true);
  try {
    const before = statSync(path).size;
    await fill(store);
    // Only the checkpoint thread copies pages into the file at this size of log.
    await until(() => statSync(path).size > before + 300 * 1024);
  } finally {
    await store.close();
    cleanup();
  }
});

test('without the checkpoint thread, a small log stays in the log until close (the test above can fail)', async () => {
  const { path, store, cleanup } = withStore(false);
  try {
    const before = statSync(path).size;
    await fill(store);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(statSync(path).size < before + 300 * 1024);
  } finally {
    await store.close();
    cleanup();
  }
});

test('close stops the thread first, so the last connection checkpoints and removes the log', async () => {
  const { path, store, cleanup } = withStore(true);
  try {
    await fill(store);
    await store.close();
    assert.equal(existsSync(`${path}-wal`), false);
    const reopened = new SqliteStore({ path });
    try {
      const queue = await reopened.getQueue({ accountId: '000000000000', region: 'us-east-1', name: 'q' });
      assert.ok(queue);
      assert.equal((await reopened.counts(queue.id, Date.now())).visible, 1_000);
    } finally {
      await reopened.close();
    }
  } finally {
    cleanup();
  }
});
