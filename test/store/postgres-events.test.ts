/**
 * The PostgreSQL EventBridge store where several nodes meet: two stores (two pools, as two nodes have) on one
 * schema race for the same schedule, the same target limit, the same replay limit and the same replay lease, and
 * exactly one wins each time. Also: a PutEvents call's deliveries and archived events commit together or not at all,
 * and every change to a bus's rules, targets or archives moves its routing version.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PostgresStore } from '../../src/store/postgres/engine.js';
import type { ReplayRecord, RuleRecord } from '../../src/store/events-contract.js';
import { dropSchema, freshSchema, openTestStore } from '../support/postgres.js';
import { message, queueInput, T0 } from './contract-suite.js';

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/default';
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

const rule = (name: string, extra: Partial<RuleRecord> = {}): RuleRecord => ({
  arn: `arn:aws:events:us-east-1:000000000000:rule/${name}`,
  busArn: BUS,
  busName: 'default',
  name,
  state: 'ENABLED',
  createdBy: '000000000000',
  tags: {},
  createdAt: T0,
  modifiedAt: T0,
  ...extra,
});

test('two nodes claiming one due schedule at once: one fires (its deliveries committed), the other writes nothing', async () => {
  const { queue } = await a.createQueue(queueInput('ticks'));
  const r = rule('tick', { scheduleExpression: 'rate(1 minute)' });
  await a.eventsStore().putRule(r);
  await a.eventsStore().setSchedule(r.arn, T0);
  for (let round = 0; round < 10; round++) {
    const due = T0 + round * 60_000;
    const next = due + 60_000;
    const results = await Promise.all(
      [a, b].map((s, i) => s.eventsStore().claimSchedule(r.arn, due, next, [{ queue, messages: [message(`round ${round} by ${i}`, due)] }])),
    );
    assert.equal(results.filter((x) => x !== undefined).length, 1, `round ${round}: one claim wins`);
    assert.equal(await b.eventsStore().getSchedule(r.arn), next);
  }
  assert.equal((await a.counts(queue.id, T0 + 3_600_000)).visible, 10, 'one delivery per firing');
});

test('concurrent PutTargets on two nodes cannot take a rule past its target limit', async () => {
  const r = rule('limited');
  await a.eventsStore().putRule(r);
  const target = (id: string) => ({ id, arn: `arn:aws:sqs:us-east-1:000000000000:${id}`, target: { Id: id, Arn: `arn:aws:sqs:us-east-1:000000000000:${id}` } });
  const outcomes = await Promise.all([
    a.eventsStore().putTargets(r.arn, [target('t1'), target('t2')], 3),
    b.eventsStore().putTargets(r.arn, [target('t3'), target('t4')], 3),
  ]);
  assert.deepEqual(outcomes.sort(), [false, true]);
  assert.equal((await a.eventsStore().listTargets(r.arn, undefined, 10)).length, 2);
});

test('concurrent StartReplay on two nodes cannot pass the active-replay limit; concurrent updates of one replay: one wins', async () => {
  const replay = (name: string): ReplayRecord => ({
    arn: `arn:aws:events:us-east-1:000000000000:replay/${name}`,
    accountId: '000000000000',
    region: 'us-east-1',
    name,
    archiveArn: 'arn:aws:events:us-east-1:000000000000:archive/x',
    destination: { Arn: BUS },
    eventStartTime: T0,
    eventEndTime: T0 + 1,
    state: 'STARTING',
    replayStartTime: T0,
  });
  const outcomes = await Promise.all([a.eventsStore().createReplay(replay('r1'), 1), b.eventsStore().createReplay(replay('r2'), 1)]);
  assert.deepEqual(outcomes.sort(), ['created', 'limit']);

  // updateReplay is a compare-and-set on the state; ending a replay drops its lease.
  const created = (await a.eventsStore().getReplay(replay('r1').arn)) ?? (await a.eventsStore().getReplay(replay('r2').arn))!;
  assert.equal(await a.eventsStore().claimReplay(created.arn, 'node-a', T0, 60_000), true);
  const updates = await Promise.all([
    a.eventsStore().updateReplay({ ...created, state: 'RUNNING' }, 'STARTING'),
    b.eventsStore().updateReplay({ ...created, state: 'CANCELLING' }, 'STARTING'),
  ]);
  assert.deepEqual(updates.sort(), [false, true]);
  const now = (await b.eventsStore().getReplay(created.arn))!;
  assert.equal(await b.eventsStore().claimReplay(created.arn, 'node-b', T0, 60_000), false, 'node A holds it');
  assert.equal(await a.eventsStore().updateReplay({ ...now, state: 'COMPLETED' }, 'STARTING'), false);
  assert.equal(await a.eventsStore().updateReplay({ ...now, state: now.state === 'RUNNING' ? 'COMPLETED' : 'CANCELLED' }, now.state), true);
  assert.equal(await b.eventsStore().claimReplay(created.arn, 'node-b', T0, 60_000), true, 'the lease went with the end of the replay');
});

test('a replay lease: held by one node, renewed by it, taken over once it runs out', async () => {
  const arn = 'arn:aws:events:us-east-1:000000000000:replay/leased';
  assert.equal(await a.eventsStore().claimReplay(arn, 'node-a', T0, 1_000), true);
  assert.equal(await b.eventsStore().claimReplay(arn, 'node-b', T0 + 500, 1_000), false);
  assert.equal(await a.eventsStore().claimReplay(arn, 'node-a', T0 + 900, 1_000), true, 'renewed until T0 + 1900');
  assert.equal(await b.eventsStore().claimReplay(arn, 'node-b', T0 + 1_500, 1_000), false);
  assert.equal(await b.eventsStore().claimReplay(arn, 'node-b', T0 + 1_900, 1_000), true, 'node A stopped renewing');
  assert.equal(await a.eventsStore().claimReplay(arn, 'node-a', T0 + 2_000, 1_000), false);
});

test('commitEvents: deliveries and archived events commit together, or neither does', async () => {
  const { queue } = await a.createQueue(queueInput('atomic'));
  const events = a.eventsStore();
  const archiveArn = 'arn:aws:events:us-east-1:000000000000:archive/atomic';
  const event = JSON.stringify({ id: 'e1', time: '2026-01-01T00:00:00Z' });
  await events.commitEvents([{ queue, messages: [message('first', T0)] }], [{ archiveArn, eventId: 'e1', event }], T0);
  // An archived event that cannot be stored fails after the delivery was written: the whole call rolls back.
  const broken = { archiveArn, eventId: 'e2', event: null as unknown as string };
  await assert.rejects(events.commitEvents([{ queue, messages: [message('rolled back', T0)] }], [broken], T0));
  assert.deepEqual(await a.counts(queue.id, T0), { visible: 1, inflight: 0, delayed: 0 });
  assert.deepEqual(await b.eventsStore().archiveStats(archiveArn, T0), { eventCount: 1, sizeBytes: Buffer.byteLength(event) });
  const rows = await b.eventsStore().archivedEventsInWindow(archiveArn, '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', undefined, T0, 10);
  assert.deepEqual(rows, [{ eventId: 'e1', time: '2026-01-01T00:00:00Z', event }]);
});

test('every change to a bus routing moves its version, seen from the other node', async () => {
  const bus = 'arn:aws:events:us-east-1:000000000000:event-bus/versioned';
  const ea = a.eventsStore();
  const version = () => b.eventsStore().routesVersion(bus);
  const seen = [await version()];
  const r = rule('v', { busArn: bus, busName: 'versioned', arn: 'arn:aws:events:us-east-1:000000000000:rule/versioned/v' });
  await ea.putRule(r);
  seen.push(await version());
  await ea.putTargets(r.arn, [{ id: 't', arn: 'x', target: { Id: 't', Arn: 'x' } }], 5);
  seen.push(await version());
  await ea.removeTargets(r.arn, ['t']);
  seen.push(await version());
  await ea.deleteRule(r.arn);
  seen.push(await version());
  const archive = { arn: 'arn:aws:events:us-east-1:000000000000:archive/v', accountId: '000000000000', region: 'us-east-1', name: 'v', busArn: bus, retentionDays: 0, createdAt: T0 };
  await ea.createArchive(archive);
  seen.push(await version());
  await ea.updateArchive({ ...archive, eventPattern: '{"source":["a"]}' });
  seen.push(await version());
  await ea.deleteArchive(archive.arn);
  seen.push(await version());
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7]);
});
