/**
 * SNS storage on the SQLite engine, at the store level: the subscription promises every engine keeps
 * (sns-subscriptions-suite.ts; the PostgreSQL engine runs them across two nodes in postgres-sns.test.ts), and the
 * migration that made subscriptions one per endpoint on a data file that racing Subscribes had left duplicates in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import { migrate, SNS_ONE_SUBSCRIPTION_PER_ENDPOINT_MIGRATION } from '../../src/store/sqlite/schema.js';
import { T0 } from './contract-suite.js';
import { defineSnsSubscriptionContract } from './sns-subscriptions-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'postbox-sns-store-'));
let store: SqliteStore;
before(() => {
  store = new SqliteStore({ path: join(dir, 'suite.db') });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

// One process is the file's only writer: both "nodes" are the one store.
defineSnsSubscriptionContract('sqlite', () => ({ a: store.snsStore(), b: store.snsStore() }));

test('sqlite: a data file with duplicate subscriptions migrates to one per endpoint, and its pending ones lapse', async () => {
  const path = join(dir, 'old.db');
  const old = new Database(path);
  migrate(old, SNS_ONE_SUBSCRIPTION_PER_ENDPOINT_MIGRATION);
  const topicArn = 'arn:aws:sns:us-east-1:000000000000:old';
  old.prepare(`INSERT INTO sns_topics (arn, account_id, region, name, fifo, attributes, tags, created_at, modified_at)
    VALUES (?, '000000000000', 'us-east-1', 'old', 0, '{}', '{}', ?, ?)`).run(topicArn, T0, T0);
  const insert = old.prepare(`INSERT INTO sns_subscriptions (arn, topic_arn, account_id, region, owner, protocol, endpoint, attributes,
    pending, token, created_at) VALUES (?, ?, '000000000000', 'us-east-1', '000000000000', ?, ?, '{}', ?, ?, ?)`);
  // Two Subscribes of one queue that raced, and three of one URL: one confirmed later than the pending ones.
  insert.run(`${topicArn}:q-2`, topicArn, 'sqs', 'arn:aws:sqs:us-east-1:000000000000:q', 0, null, T0 + 1);
  insert.run(`${topicArn}:q-1`, topicArn, 'sqs', 'arn:aws:sqs:us-east-1:000000000000:q', 0, null, T0);
  insert.run(`${topicArn}:h-1`, topicArn, 'https', 'https://example.com/hook', 1, 'tok-1', T0);
  insert.run(`${topicArn}:h-2`, topicArn, 'https', 'https://example.com/hook', 0, 'tok-2', T0 + 5);
  insert.run(`${topicArn}:h-3`, topicArn, 'https', 'https://example.com/hook', 1, 'tok-3', T0 + 9);
  insert.run(`${topicArn}:p-1`, topicArn, 'email', 'someone@example.com', 1, 'tok-4', T0 + 7);
  old.close();

  const migrated = new SqliteStore({ path });
  try {
    const sns = migrated.snsStore();
    const subs = await sns.subscriptionsOf(topicArn);
    // The oldest of the queue's; the confirmed one of the URL's; the lone pending one, lapsing 48 hours after it was made.
    assert.deepEqual(subs.map((s) => s.arn), [`${topicArn}:h-2`, `${topicArn}:p-1`, `${topicArn}:q-1`]);
    assert.equal(subs.find((s) => s.arn.endsWith('p-1'))!.pendingExpiresAt, T0 + 7 + 48 * 3600_000);
    assert.equal(subs.find((s) => s.arn.endsWith('h-2'))!.pendingExpiresAt, undefined);
    assert.deepEqual((await sns.subscriptionsOf(topicArn, T0 + 7 + 48 * 3600_000)).map((s) => s.arn), [`${topicArn}:h-2`, `${topicArn}:q-1`]);
  } finally {
    await migrated.close();
  }
});
