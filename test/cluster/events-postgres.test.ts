/**
 * EventBridge on two Postbox nodes sharing one PostgreSQL schema: a rule changed on one node routes the events the
 * other node accepts (its compiled routing checks the bus's version), a scheduled rule fires once per firing
 * however many nodes' schedulers see it due (claimSchedule's compare-and-set), and a replay that two nodes' runners
 * both pick up is routed once (replay leases).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeReplayCommand,
  StartReplayCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../src/core/clock.js';
import { startPostbox, type Postbox } from '../../src/index.js';
import { dropSchema, freshSchema, testDatabase } from '../support/postgres.js';
import { jsonClient, settle } from '../support/postbox.js';
import { eventsClient } from '../conformance/events/support.js';

const ACCOUNT = '000000000000';
const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

let nodes: Postbox[] = [];
let storage = '';
let clocks: ManualClock[] = [];
let eb: EventBridgeClient[] = [];
let sqs: SQSClient[] = [];
const schema = freshSchema();

before(async () => {
  const { connectionString } = await testDatabase();
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  storage = url.toString();
  for (let i = 0; i < 2; i++) {
    const clock = new ManualClock(T0);
    clocks.push(clock);
    nodes.push(await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: url.toString(), clock }));
  }
  eb = nodes.map((n) => eventsClient(n.endpoint));
  sqs = nodes.map((n) => jsonClient(n.endpoint));
});

after(async () => {
  for (const c of [...eb, ...sqs]) c.destroy();
  for (const n of nodes) await n.stop();
  nodes = [];
  clocks = [];
  await dropSchema(schema);
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs[0]!.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  return { url, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}

/** Receives and deletes what the queue holds (through node A), as parsed event envelopes. */
async function drain(url: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for (;;) {
    const { Messages } = await sqs[0]!.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return out;
    for (const m of Messages) {
      out.push(JSON.parse(m.Body!));
      await sqs[0]!.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

const put = (client: EventBridgeClient, detail: object) =>
  client.send(new PutEventsCommand({ Entries: [{ Source: 'app.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail) }] }));

test('a rule put on node A routes the events node B accepts, and its removal on A stops them on B', async () => {
  const [a, b] = eb as [EventBridgeClient, EventBridgeClient];
  const q = await queue('cluster-routed');
  // Node B compiles the default bus's routing while it has no rule: that cached entry must not outlive A's change.
  await put(b, { n: 0 });
  await a.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['app.orders'] }) }));
  await a.send(new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: 'q', Arn: q.arn }] }));
  await put(b, { n: 1 });
  assert.deepEqual((await drain(q.url)).map((e) => e['detail']), [{ n: 1 }]);

  // An archive created on A keeps what B accepts (archives are part of a bus's routing too).
  const { ArchiveArn } = await a.send(new CreateArchiveCommand({ ArchiveName: 'cluster-all', EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` }));
  assert.ok(ArchiveArn);
  await put(b, { n: 2 });
  assert.deepEqual((await drain(q.url)).map((e) => e['detail']), [{ n: 2 }]);
  const archive = await b.send(new DescribeArchiveCommand({ ArchiveName: 'cluster-all' }));
  assert.equal(archive.EventCount, 1);

  await a.send(new RemoveTargetsCommand({ Rule: 'orders', Ids: ['q'] }));
  await a.send(new DeleteRuleCommand({ Name: 'orders' }));
  await put(b, { n: 3 });
  assert.deepEqual(await drain(q.url), [], 'the rule deleted on A no longer routes on B');
});

test('a scheduled rule fires once per firing with two nodes', async () => {
  const [a] = eb as [EventBridgeClient];
  const q = await queue('cluster-ticks');
  await a.send(new PutRuleCommand({ Name: 'every-minute', ScheduleExpression: 'rate(1 minute)' }));
  await a.send(new PutTargetsCommand({ Rule: 'every-minute', Targets: [{ Id: 'q', Arn: q.arn }] }));
  await settle();
  const times: string[] = [];
  for (let minute = 1; minute <= 3; minute++) {
    // Both nodes reach the firing at the same moment: both schedulers see it due and race for it.
    for (const clock of clocks) clock.advance(T0 + minute * MINUTE - clock.now());
    // Wait for this minute's firing however slow the machine is (a fixed pause flaked under load)...
    for (const deadline = Date.now() + 10_000; times.length < minute && Date.now() < deadline; ) {
      await settle(20);
      times.push(...(await drain(q.url)).map((e) => e['time'] as string));
    }
  }
  // ...then give a second firing of any minute (the other node winning too) time to show.
  await settle(300);
  times.push(...(await drain(q.url)).map((e) => e['time'] as string));
  assert.deepEqual(times, ['2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z']);
});

test('a replay both nodes pick up is routed once: one node holds its lease', async () => {
  const [a] = eb as [EventBridgeClient];
  const [clockA] = clocks as [ManualClock];
  const bus = 'cluster-replayed';
  await a.send(new CreateEventBusCommand({ Name: bus }));
  const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${bus}`;
  await a.send(new CreateArchiveCommand({ ArchiveName: 'cluster-replayed', EventSourceArn: busArn }));
  const q = await queue('cluster-replayed');
  await a.send(new PutRuleCommand({ Name: 'replayed', EventBusName: bus, EventPattern: JSON.stringify({ 'replay-name': [{ exists: true }] }) }));
  await a.send(new PutTargetsCommand({ Rule: 'replayed', EventBusName: bus, Targets: [{ Id: 'q', Arn: q.arn }] }));
  const start = clockA.now();
  const total = 250; // three steps of the runner (REPLAY_BATCH 100)
  for (let i = 0; i < total; i += 10) {
    const Entries = Array.from({ length: 10 }, (_, j) => ({ EventBusName: bus, Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ n: i + j }) }));
    await a.send(new PutEventsCommand({ Entries }));
  }
  for (const clock of clocks) clock.advance(MINUTE);
  await a.send(
    new StartReplayCommand({
      ReplayName: 'cluster-replay',
      EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/cluster-replayed`,
      EventStartTime: new Date(start - MINUTE),
      EventEndTime: new Date(start + 30_000),
      Destination: { Arn: busArn },
    }),
  );
  // A third node starting now finds the replay unfinished and runs it too, unless the lease stops it.
  const clockC = new ManualClock(clockA.now());
  const c = await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage, clock: clockC });
  const ebC = eventsClient(c.endpoint);
  try {
    let state: string | undefined;
    for (const deadline = Date.now() + 30_000; state !== 'COMPLETED' && Date.now() < deadline; ) {
      clockA.advance(0);
      clockC.advance(0);
      await settle(10);
      state = (await ebC.send(new DescribeReplayCommand({ ReplayName: 'cluster-replay' }))).State;
    }
    assert.equal(state, 'COMPLETED');
    const replayed = await drain(q.url);
    assert.equal(replayed.length, total, 'every archived event replayed once');
    assert.equal(new Set(replayed.map((e) => e['detail'].n)).size, total);
  } finally {
    ebC.destroy();
    await c.stop();
  }
});
