/**
 * The log commit thread on its own (log-committer.ts): batches commit in order, whether their records travel
 * through the shared ring (wrapping around its end) or, when they do not fit, in the message itself; a commit the
 * thread cannot make is reported with the batch it failed at, and nothing after it commits.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LogCommitter, type LogCommitFailure } from '../../src/store/sqlite/log-committer.js';
import { migrate } from '../../src/store/sqlite/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'postbox-log-committer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function freshDatabase(writer: string): string {
  const path = join(dir, `log-${++files}.db`);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db);
  db.prepare('UPDATE message_ids SET writer = ?').run(writer);
  db.close();
  return path;
}

const rows = (path: string): [number, string][] => {
  const db = new Database(path, { readonly: true });
  const all = db.prepare('SELECT seq, records FROM message_log ORDER BY seq').raw(true).all() as [number, string][];
  db.close();
  return all;
};

test('log committer: batches of every size commit in order, through a small ring that wraps, or in their message', async () => {
  const path = freshDatabase('me');
  const committed: number[] = [];
  const failures: unknown[] = [];
  const committer = new LogCommitter(
    { path, durability: 'normal', autocheckpointPages: 1_000, writer: 'me', ringBytes: 1_000 },
    { committed: (upTo) => committed.push(upTo), failed: (...args) => failures.push(args) },
  );
  const expected: [number, string][] = [];
  // Sizes below, around and above the ring, with characters of one to four bytes in UTF-8.
  const sizes = [10, 300, 450, 290, 999, 1_000, 1_500, 5, 700, 333, 334, 2, 998];
  for (let round = 0; round < 4; round++) {
    for (const [i, size] of sizes.entries()) {
      const seq = expected.length + 1;
      // Whole code points only: SQLite keeps text as UTF-8, which has no lone surrogates (nor do message bodies).
      const text = `${seq}:` + Array.from('aé€😀'.repeat(Math.ceil(size / 4))).slice(0, size).join('');
      expected.push([seq, text]);
      committer.ship({ seq, records: text });
      // Now and then wait for everything, so that later batches find the ring freed in different places.
      if ((i + round) % 5 === 0) committer.drain();
    }
  }
  committer.ship({ reserve: 123_456 });
  committer.drain();
  assert.deepEqual(failures, []);
  // Both ways were taken: batches that fit the ring (some after wrapping around it), and batches too big for it.
  assert.ok(committer.stats.inRing >= 12, `in the ring: ${committer.stats.inRing}`);
  assert.ok(committer.stats.wrapped >= 2, `wrapped: ${committer.stats.wrapped}`);
  assert.ok(committer.stats.inMessage >= 8, `in their message: ${committer.stats.inMessage}`);
  assert.equal(committed[committed.length - 1], expected.length + 1);
  await committer.stop();
  assert.deepEqual(rows(path), expected);
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare('SELECT next_id FROM message_ids').pluck().get(), 123_456);
  db.close();
});

/** A committer writing as 'me', and the failures it reports: [from, kind]. */
function watchedCommitter(path: string): { committer: LogCommitter; failures: [number, LogCommitFailure][] } {
  const failures: [number, LogCommitFailure][] = [];
  const committer = new LogCommitter(
    { path, durability: 'normal', autocheckpointPages: 1_000, writer: 'me' },
    { committed: () => {}, failed: (from, _error, kind) => failures.push([from, kind]) },
  );
  return { committer, failures };
}

test('log committer: a failed commit is reported with its batch, and nothing after it commits', async () => {
  const path = freshDatabase('me');
  const { committer, failures } = watchedCommitter(path);
  committer.ship({ seq: 1, records: 'one' });
  committer.drain();
  committer.ship({ seq: 1, records: 'again' }); // the primary key is taken
  committer.ship({ seq: 2, records: 'two' });
  committer.drain();
  assert.deepEqual(failures, [[2, 'failed']]);
  assert.equal(committer.usable, false);
  await committer.stop();
  assert.deepEqual(rows(path), [[1, 'one']]);
});

test('log committer: another writer of the file is reported as such, and its batch is not committed', async () => {
  const path = freshDatabase('someone else');
  const { committer, failures } = watchedCommitter(path);
  committer.ship({ seq: 1, records: 'one' });
  committer.drain();
  assert.deepEqual(failures, [[1, 'foreign']]);
  await committer.stop();
  assert.deepEqual(rows(path), []);
});

test('log committer: a thread that cannot start is reported as ended, even with nothing in flight, and takes no batch', async () => {
  const { committer, failures } = watchedCommitter(join(dir, 'no such directory', 'log.db'));
  for (let i = 0; i < 500 && failures.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(failures, [[1, 'died']]);
  assert.equal(committer.usable, false);
  assert.throws(() => committer.ship({ seq: 1, records: 'one' }), /stopped/);
  await committer.stop();
});
