/**
 * EventBridge on two Postbox nodes sharing one PostgreSQL schema: a rule changed on one node routes the events the
 * other node accepts (its compiled routing checks the bus's version), and a scheduled rule fires once per firing
 * however many nodes' schedulers see it due (claimSchedule's compare-and-set).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateArchiveCommand,
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
let clocks: ManualClock[] = [];
let eb: EventBridgeClient[] = [];
let sqs: SQSClient[] = [];
const schema = freshSchema();

before(async () => {
  const { connectionString } = await testDatabase();
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
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
    await settle(150);
    times.push(...(await drain(q.url)).map((e) => e['time'] as string));
  }
  assert.deepEqual(times, ['2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z']);
});
