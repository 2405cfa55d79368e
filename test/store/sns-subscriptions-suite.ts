/**
 * What every SnsStore engine promises about subscriptions, run by each engine's tests: one subscription per topic,
 * protocol and endpoint however Subscribes race (`a` and `b` are two nodes on one database, or one store twice), and
 * pending subscriptions that lapse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SnsStore, SubscriptionRecord, TopicRecord } from '../../src/store/sns-contract.js';
import { T0 } from './contract-suite.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const HOURS_48 = 48 * 3600_000;

let counter = 0;
function topic(name: string): TopicRecord {
  return {
    arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${name}-${process.pid}-${++counter}`,
    accountId: ACCOUNT,
    region: REGION,
    name,
    fifo: false,
    attributes: {},
    tags: {},
    subscriptionsDeleted: 0,
    createdAt: T0,
    modifiedAt: T0,
  };
}

/** A subscription record of topic `t` (engine-level tests build them directly). */
export function subscription(t: TopicRecord, endpoint: string, extra: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    arn: `${t.arn}:sub-${String(++counter).padStart(8, '0')}`,
    topicArn: t.arn,
    accountId: ACCOUNT,
    region: REGION,
    owner: ACCOUNT,
    protocol: 'sqs',
    endpoint,
    attributes: {},
    pendingConfirmation: false,
    createdAt: T0,
    ...extra,
  };
}

export function defineSnsSubscriptionContract(engine: string, stores: () => { a: SnsStore; b: SnsStore }): void {
  test(`${engine}: Subscribes of one endpoint racing each other make one subscription, and every one is answered with it`, async () => {
    const { a, b } = stores();
    const t = topic('racing');
    await a.createTopic(t);
    const endpoint = 'arn:aws:sqs:us-east-1:000000000000:raced';
    // Each call brings its own new ARN, as each Subscribe does; half of them on each store, all at once.
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createSubscription(subscription(t, endpoint))));
    assert.equal(outcomes.filter((o) => o.created).length, 1);
    const winner = outcomes.find((o) => o.created)!.subscription.arn;
    for (const o of outcomes) assert.equal(o.subscription.arn, winner);
    assert.deepEqual((await b.subscriptionsOf(t.arn)).map((s) => s.arn), [winner]);

    // The same endpoint by another protocol, or another endpoint, is another subscription.
    assert.equal((await a.createSubscription(subscription(t, endpoint, { protocol: 'lambda' }))).created, true);
    assert.equal((await b.createSubscription(subscription(t, `${endpoint}-2`))).created, true);
    assert.equal((await a.subscriptionsOf(t.arn)).length, 3);
    // An endpoint of any length (on PostgreSQL, too long for a btree entry) is one subscription too.
    const long = `https://example.com/${'x'.repeat(10_000)}`;
    assert.equal((await a.createSubscription(subscription(t, long, { protocol: 'https' }))).created, true);
    assert.equal((await b.createSubscription(subscription(t, long, { protocol: 'https' }))).created, false);
    assert.equal((await b.createSubscription(subscription(t, `${long}y`, { protocol: 'https' }))).created, true);
  });

  test(`${engine}: a subscription left pending lapses: reads as of its expiry leave it out, the next Subscribe replaces it`, async () => {
    const { a, b } = stores();
    const t = topic('lapsing');
    await a.createTopic(t);
    const lapse = T0 + HOURS_48;
    const pending = subscription(t, 'https://example.com/hook', { protocol: 'https', pendingConfirmation: true, pendingExpiresAt: lapse });
    const confirmed = subscription(t, 'arn:aws:sqs:us-east-1:000000000000:kept', { pendingExpiresAt: T0 });
    await a.createSubscription(pending);
    await a.createSubscription(confirmed);
    const arns = async (now?: number) => (await b.subscriptionsOf(t.arn, now)).map((s) => s.arn).sort();
    assert.deepEqual(await arns(lapse - 1), [pending.arn, confirmed.arn].sort());
    assert.equal((await b.getSubscription(pending.arn, lapse - 1))?.pendingExpiresAt, lapse);
    // Lapsed: gone from every read as of then (only pending subscriptions lapse)...
    assert.deepEqual(await arns(lapse), [confirmed.arn]);
    assert.equal(await b.getSubscription(pending.arn, lapse), undefined);
    assert.deepEqual((await b.listSubscriptionsByTopic(t.arn, undefined, 10, lapse)).map((s) => s.arn), [confirmed.arn]);
    const listed = await b.listSubscriptions(ACCOUNT, REGION, undefined, 100_000, lapse);
    assert.ok(listed.some((s) => s.arn === confirmed.arn));
    assert.ok(!listed.some((s) => s.arn === pending.arn));
    // ...and it cannot be confirmed any more...
    assert.equal(await a.confirmSubscription(pending.arn, false, lapse), false);
    // ...while reads without a time still show what is stored (still pending).
    assert.deepEqual(await arns(), [pending.arn, confirmed.arn].sort());
    assert.equal((await b.getSubscription(pending.arn))?.pendingConfirmation, true);
    // Confirmed in time, it never lapses.
    const kept = subscription(t, 'kept@example.com', { protocol: 'email', pendingConfirmation: true, pendingExpiresAt: lapse });
    await a.createSubscription(kept);
    assert.equal(await a.confirmSubscription(kept.arn, false, lapse - 1), true);
    assert.equal((await b.getSubscription(kept.arn, lapse + 1))?.pendingConfirmation, false);
    // A Subscribe of the endpoint after the lapse makes a new subscription, and deletes the lapsed one.
    const again = subscription(t, 'https://example.com/hook', { protocol: 'https', pendingConfirmation: true, createdAt: lapse, pendingExpiresAt: lapse + HOURS_48 });
    const made = await b.createSubscription(again);
    assert.equal(made.created, true);
    assert.equal(made.subscription.arn, again.arn);
    assert.deepEqual(await arns(), [again.arn, confirmed.arn, kept.arn].sort());
    assert.equal(await a.getSubscription(pending.arn), undefined);
  });
}
