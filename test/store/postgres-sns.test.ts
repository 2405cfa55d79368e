/**
 * SNS storage and the delivery log on the PostgreSQL engine, at the store level: what the SNS conformance suites
 * cannot see from one server — several nodes (stores) on one schema publishing, deduplicating, numbering and
 * caching at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PostgresStore } from '../../src/store/postgres/engine.js';
import type { FanoutDelivery, TopicRecord } from '../../src/store/sns-contract.js';
import type { QueueRecord } from '../../src/store/contract.js';
import { fifoMessage, message, queueInput, T0 } from './contract-suite.js';
import pg from 'pg';
import { dropSchema, freshSchema, openTestStore, testDatabase } from '../support/postgres.js';
import { defineSnsSubscriptionContract, subscription } from './sns-subscriptions-suite.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const schema = freshSchema();
let a: PostgresStore;
let b: PostgresStore;

before(async () => {
  a = await openTestStore(schema);
  b = await openTestStore(schema);
});
after(async () => {
  await a.close();
  await b.close();
  await dropSchema(schema);
});

let counter = 0;
function topic(name: string, fifo = name.endsWith('.fifo')): TopicRecord {
  return {
    arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`,
    accountId: ACCOUNT,
    region: REGION,
    name,
    fifo,
    attributes: fifo ? { FifoTopic: 'true' } : {},
    tags: {},
    subscriptionsDeleted: 0,
    createdAt: T0,
    modifiedAt: T0,
  };
}

const into = (queue: QueueRecord, body: string, fifo: boolean): FanoutDelivery =>
  fifo
    ? { queue, messages: [fifoMessage('g', body, T0, { deduplicationId: body })], fifo: { scope: 'queue', windowMs: 300_000 } }
    : { queue, messages: [message(body, T0)] };

test('topics and subscriptions written on one node are read on the other, in ARN order', async () => {
  const t = topic('orders');
  assert.equal((await a.snsStore().createTopic(t)).created, true);
  const again = await b.snsStore().createTopic({ ...t, attributes: { DisplayName: 'other' } });
  assert.equal(again.created, false);
  assert.deepEqual(again.topic.attributes, {});

  const subs = [subscription(t, 'arn:aws:sqs:us-east-1:000000000000:one'), subscription(t, 'arn:aws:sqs:us-east-1:000000000000:two')];
  for (const s of subs.reverse()) await a.snsStore().createSubscription(s);
  assert.deepEqual(
    (await b.snsStore().subscriptionsOf(t.arn)).map((s) => s.endpoint),
    ['arn:aws:sqs:us-east-1:000000000000:one', 'arn:aws:sqs:us-east-1:000000000000:two'],
  );
  assert.equal((await b.snsStore().listSubscriptionsByTopic(t.arn, undefined, 1)).length, 1);

  await b.snsStore().deleteSubscription(subs[0]!.arn);
  await b.snsStore().deleteSubscription(subs[0]!.arn); // gone already: counted once
  assert.equal((await a.snsStore().getTopic(t.arn))?.subscriptionsDeleted, 1);

  await a.snsStore().updateTopic({ ...t, attributes: { DisplayName: 'Orders' }, modifiedAt: T0 + 1 });
  assert.equal((await b.snsStore().getTopic(t.arn))?.attributes['DisplayName'], 'Orders');
  await b.snsStore().deleteTopic(t.arn);
  assert.equal(await a.snsStore().getTopic(t.arn), undefined);
  assert.deepEqual(await a.snsStore().subscriptionsOf(t.arn), []);
  // A Subscribe that looked the topic up before another node deleted it leaves no orphan behind.
  await a.snsStore().createSubscription(subscription(t, 'arn:aws:sqs:us-east-1:000000000000:late'));
  assert.deepEqual(await b.snsStore().subscriptionsOf(t.arn), []);
});

test("a subscription change on one node reaches the other's next read of the topic", async () => {
  const t = topic('cache');
  await a.snsStore().createTopic(t);
  const changed: string[] = [];
  const off = b.snsStore().onSubscriptionsChanged((arn) => changed.push(arn));
  try {
    await b.snsStore().getTopic(t.arn);
    changed.length = 0;
    await b.snsStore().getTopic(t.arn);
    assert.deepEqual(changed, [], 'nothing changed');

    const s = subscription(t, 'arn:aws:sqs:us-east-1:000000000000:x');
    await a.snsStore().createSubscription(s);
    await b.snsStore().getTopic(t.arn);
    assert.deepEqual(changed, [t.arn], 'the Subscribe on the other node is seen at once');

    await a.snsStore().updateSubscription({ ...s, attributes: { RawMessageDelivery: 'true' } });
    await b.snsStore().getTopic(t.arn);
    await a.snsStore().deleteSubscription(s.arn);
    await b.snsStore().getTopic(t.arn);
    assert.equal(changed.length, 3);

    // A topic deleted and created again never shows a version seen before.
    await a.snsStore().deleteTopic(t.arn);
    await a.snsStore().createTopic(t);
    await b.snsStore().getTopic(t.arn);
    assert.equal(changed.length, 4);
  } finally {
    off();
  }
});

test('a publish delivers into queues, records its deliveries and runs its subscription effects in one transaction', async () => {
  const t = topic('fanout');
  await a.snsStore().createTopic(t);
  const q1 = (await a.createQueue(queueInput('fanout-1'))).queue;
  const q2 = (await a.createQueue(queueInput('fanout-2.fifo'))).queue;
  const outcome = await b.snsStore().publish({
    topic: t,
    messageId: 'm-1',
    now: T0,
    build: (seq) => {
      assert.equal(seq, undefined, 'standard topics have no sequence numbers');
      return [into(q1, 'hello', false), into(q2, 'hello', true)];
    },
    records: () => [{ service: 'sns', accountId: ACCOUNT, region: REGION, protocol: 'email', endpoint: 'a@example.com', source: t.arn, payload: 'hello', recordedAt: T0 }],
  });
  assert.equal(outcome.duplicate, false);
  assert.deepEqual(outcome.queueIds.sort(), [q1.id, q2.id].sort());
  assert.equal((await a.receive(q1, { max: 10, visibilityTimeoutMs: 30_000, now: T0 })).length, 1);
  assert.equal((await a.receive(q2, { max: 10, visibilityTimeoutMs: 30_000, now: T0 })).length, 1);
  const logged = await a.deliveryLog().list({ source: t.arn }, 0, 10);
  assert.deepEqual(logged.map((r) => r.payload), ['hello']);

  // A build that fails takes the whole publish back: no message, no record.
  const q3 = (await a.createQueue(queueInput('fanout-3'))).queue;
  await assert.rejects(
    b.snsStore().publish({
      topic: t,
      messageId: 'm-2',
      now: T0,
      build: () => [into(q3, 'half', false), { queue: q3, messages: [{ ...message('bad', T0), body: 42 as unknown as string }] }],
      records: () => [{ service: 'sns', accountId: ACCOUNT, region: REGION, protocol: 'email', endpoint: 'a@example.com', source: t.arn, payload: 'half', recordedAt: T0 }],
    }),
  );
  assert.equal((await a.receive(q3, { max: 10, visibilityTimeoutMs: 30_000, now: T0 })).length, 0);
  assert.equal((await a.deliveryLog().list({ source: t.arn }, 0, 10)).length, 1);

  // Subscription effects: a confirmation job into a queue and an e-mail record, with the subscription.
  const s = subscription(t, 'someone@example.com', { protocol: 'email', pendingConfirmation: true });
  await a.snsStore().createSubscription(s, {
    deliveries: [into(q1, 'confirm', false)],
    records: [{ service: 'sns', accountId: ACCOUNT, region: REGION, protocol: 'email', endpoint: 'someone@example.com', source: s.arn, payload: 'confirm', recordedAt: T0 }],
  });
  assert.deepEqual((await a.receive(q1, { max: 10, visibilityTimeoutMs: 30_000, now: T0 })).map((m) => m.body), ['confirm']);
  assert.equal((await b.deliveryLog().list({ source: s.arn }, 0, 10)).length, 1);
});

test('FIFO topics: one deduplication id published on two nodes at once delivers once; sequence numbers follow call order', async () => {
  const t = topic('dedup.fifo');
  await a.snsStore().createTopic(t);
  const q = (await a.createQueue(queueInput('dedup-target.fifo'))).queue;
  const publish = (store: PostgresStore, id: string, dedup: string) =>
    store.snsStore().publish({
      topic: t,
      messageId: id,
      now: T0,
      dedup: { id: dedup, windowMs: 300_000 },
      build: (seq) => [{ queue: q, messages: [fifoMessage('g', `${id} ${seq}`, T0, { deduplicationId: id })], fifo: { scope: 'queue', windowMs: 300_000 } }],
    });
  const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => publish(i % 2 ? a : b, `same-${i}`, 'same')));
  const delivered = outcomes.filter((o) => !o.duplicate);
  assert.equal(delivered.length, 1);
  for (const o of outcomes) assert.equal(o.messageId, delivered[0]!.messageId, 'duplicates answer with the first message id');

  // Ten publishes made in order on one node get increasing sequence numbers in that order.
  const ordered = await Promise.all(Array.from({ length: 10 }, (_, i) => publish(a, `seq-${i}`, `seq-${i}`)));
  const numbers = ordered.map((o) => BigInt(o.sequenceNumber!));
  assert.deepEqual(numbers, [...numbers].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  const bodies = (await a.receive(q, { max: 10, visibilityTimeoutMs: 30_000, now: T0 })).map((m) => m.body.split(' ')[0]);
  assert.deepEqual(bodies.slice(0, 2), [delivered[0]!.messageId, 'seq-0']);
});

test('the signing key: nodes asking at once all get the first key stored', async () => {
  let made = 0;
  const create = async () => ({ id: `key-${++made}`, privateKeyPem: `private ${made}`, certificatePem: `certificate ${made}` });
  const keys = await Promise.all([a, b, a, b].map((s) => s.snsStore().signingKey(create, T0)));
  assert.equal(new Set(keys.map((k) => k.id)).size, 1);
  assert.equal((await b.snsStore().signingKey(create, T0)).id, keys[0]!.id);
});

test('mobile push and SMS: one token registered on two nodes at once makes one endpoint', async () => {
  const app = {
    arn: `arn:aws:sns:${REGION}:${ACCOUNT}:app/GCM/race`,
    accountId: ACCOUNT,
    region: REGION,
    name: 'race',
    platform: 'GCM',
    attributes: { PlatformCredential: 'secret' },
    createdAt: T0,
  };
  await a.snsStore().putPlatformApplication(app);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      (i % 2 ? a : b).snsStore().createPlatformEndpoint({ arn: `${app.arn.replace(':app/', ':endpoint/')}/${i}`, applicationArn: app.arn, token: 'tok', attributes: { Enabled: 'true' }, createdAt: T0 }),
    ),
  );
  assert.equal(results.filter((r) => r.created).length, 1);
  assert.equal((await b.snsStore().listPlatformEndpoints(app.arn, undefined, 100)).length, 1);
  await b.snsStore().deletePlatformApplication(app.arn);
  assert.equal((await a.snsStore().listPlatformEndpoints(app.arn, undefined, 100)).length, 0);

  await a.snsStore().optOutPhoneNumber(ACCOUNT, REGION, '+15555550101');
  await a.snsStore().optOutPhoneNumber(ACCOUNT, REGION, '+15555550100');
  assert.deepEqual(await b.snsStore().listOptedOutPhoneNumbers(ACCOUNT, REGION, undefined, 10), ['+15555550100', '+15555550101']);
  await b.snsStore().optInPhoneNumber(ACCOUNT, REGION, '+15555550100', T0 + 5);
  assert.deepEqual(await a.snsStore().phoneNumberStatus(ACCOUNT, REGION, '+15555550100'), { optedOut: false, optedInAt: T0 + 5 });
  assert.deepEqual(await a.snsStore().smsSettings(ACCOUNT, REGION, true), { attributes: {}, inSandbox: true });
  await a.snsStore().putSmsSettings(ACCOUNT, REGION, { attributes: { DefaultSMSType: 'Transactional' }, inSandbox: false });
  assert.deepEqual(await b.snsStore().smsSettings(ACCOUNT, REGION, true), { attributes: { DefaultSMSType: 'Transactional' }, inSandbox: false });
  await a.snsStore().putSandboxNumber({ accountId: ACCOUNT, region: REGION, phoneNumber: '+15555550199', status: 'Pending', oneTimePassword: '123456', createdAt: T0 });
  assert.equal((await b.snsStore().getSandboxNumber(ACCOUNT, REGION, '+15555550199'))?.oneTimePassword, '123456');
  assert.equal(await b.snsStore().deleteSandboxNumber(ACCOUNT, REGION, '+15555550199'), true);
  assert.equal(await b.snsStore().deleteSandboxNumber(ACCOUNT, REGION, '+15555550199'), false);
});

test('the delivery log filters, pages and clears across nodes', async () => {
  const entry = (n: number, protocol: string) => ({
    service: 'events',
    accountId: '111111111111',
    region: REGION,
    protocol,
    endpoint: `target-${n}`,
    payload: `payload ${n}`,
    details: { n: String(n) },
    recordedAt: T0 + n,
  });
  await a.deliveryLog().record([entry(1, 'lambda'), entry(2, 'firehose'), { ...entry(3, 'lambda'), payload: 'payload 3\u0000' }]);
  const lambdas = await b.deliveryLog().list({ accountId: '111111111111', protocol: 'lambda' }, 0, 10);
  assert.deepEqual(lambdas.map((r) => r.payload), ['payload 1', 'payload 3\u0000'], 'any character, U+0000 too');
  assert.deepEqual(lambdas[0]!.details, { n: '1' });
  assert.equal(lambdas[0]!.subject, undefined);
  const page = await b.deliveryLog().list({ accountId: '111111111111' }, lambdas[0]!.id, 1);
  assert.deepEqual(page.map((r) => r.payload), ['payload 2']);
  assert.equal(await a.deliveryLog().clear({ accountId: '111111111111', protocol: 'lambda' }), 2);
  assert.equal((await b.deliveryLog().list({ accountId: '111111111111' }, 0, 10)).length, 1);
});

test('a schema with duplicate subscriptions migrates to one per endpoint, and its pending ones lapse', async () => {
  // A schema as Postbox left it before migration 5: migrated in full, then migration 5 taken back.
  const old = freshSchema();
  const first = await openTestStore(old);
  await first.close();
  const { connectionString } = await testDatabase();
  const client = new pg.Client({ connectionString });
  await client.connect();
  const S = `"${old}"`;
  try {
    await client.query(`DROP INDEX ${S}.sns_subscriptions_endpoint`);
    await client.query(`ALTER TABLE ${S}.sns_subscriptions DROP COLUMN pending_expires_at`);
    await client.query(`DELETE FROM ${S}.schema_migrations WHERE version = 5`);
    const t = topic('migrated');
    await client.query(
      `INSERT INTO ${S}.sns_topics (arn, account_id, region, name, fifo, attributes, tags, created_at, modified_at, subscriptions_version)
       VALUES ($1, $2, $3, 'migrated', false, '{}', '{}', $4, $4, 1)`,
      [t.arn, ACCOUNT, REGION, T0],
    );
    const insert = (arn: string, protocol: string, endpoint: string, pending: boolean, createdAt: number) =>
      client.query(
        `INSERT INTO ${S}.sns_subscriptions (arn, topic_arn, account_id, region, owner, protocol, endpoint, attributes, pending, created_at)
         VALUES ($1, $2, $3, $4, $3, $5, $6, '{}', $7, $8)`,
        [`${t.arn}:${arn}`, t.arn, ACCOUNT, REGION, protocol, endpoint, pending, createdAt],
      );
    // Two Subscribes of one queue that raced, and three of one URL: one confirmed later than the pending ones.
    await insert('q-2', 'sqs', 'arn:aws:sqs:us-east-1:000000000000:q', false, T0 + 1);
    await insert('q-1', 'sqs', 'arn:aws:sqs:us-east-1:000000000000:q', false, T0);
    await insert('h-1', 'https', 'https://example.com/hook', true, T0);
    await insert('h-2', 'https', 'https://example.com/hook', false, T0 + 5);
    await insert('h-3', 'https', 'https://example.com/hook', true, T0 + 9);
    await insert('p-1', 'email', 'someone@example.com', true, T0 + 7);

    const migrated = await openTestStore(old);
    try {
      const sns = migrated.snsStore();
      const subs = await sns.subscriptionsOf(t.arn);
      // The oldest of the queue's; the confirmed one of the URL's; the lone pending one, lapsing 48 hours after it was made.
      assert.deepEqual(subs.map((x) => x.arn), [`${t.arn}:h-2`, `${t.arn}:p-1`, `${t.arn}:q-1`]);
      assert.equal(subs.find((x) => x.arn.endsWith('p-1'))!.pendingExpiresAt, T0 + 7 + 48 * 3600_000);
      assert.equal(subs.find((x) => x.arn.endsWith('h-2'))!.pendingExpiresAt, undefined);
      assert.equal((await sns.createSubscription(subscription(t, 'arn:aws:sqs:us-east-1:000000000000:q'))).subscription.arn, `${t.arn}:q-1`);
    } finally {
      await migrated.close();
    }
  } finally {
    await client.end();
    await dropSchema(old);
  }
});

defineSnsSubscriptionContract('postgres, two nodes', () => ({ a: a.snsStore(), b: b.snsStore() }));
