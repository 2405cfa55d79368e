/**
 * Background work across nodes: two Postbox nodes on one PostgreSQL schema, driven by one ManualClock. Only the
 * leader advances message move tasks, so a task moves MaxNumberOfMessagesPerSecond per clock second in all (not
 * per node); when the leader stops, the other node takes over within a few (wall-clock) seconds and carries on at
 * the same rate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startPostbox, type Postbox } from '../../src/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { dropSchema, freshSchema, testDatabase } from '../support/postgres.js';
import { jsonClient } from '../support/postbox.js';

const schema = freshSchema();
const clock = new ManualClock(Date.UTC(2026, 0, 1));
let nodes: Postbox[] = [];
let clients: SQSClient[] = [];
const stopped = new Set<number>();

before(async () => {
  const { connectionString } = await testDatabase();
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  for (let i = 0; i < 2; i++) nodes.push(await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: url.toString(), clock }));
  clients = nodes.map((n) => jsonClient(n.endpoint));
});
after(async () => {
  for (const c of clients) c.destroy();
  for (const [i, n] of nodes.entries()) if (!stopped.has(i)) await n.stop();
  await dropSchema(schema);
});

async function health(node: Postbox): Promise<{ leader: boolean }> {
  const res = await fetch(`${node.endpoint}/_postbox/health`);
  return (await res.json()) as { leader: boolean };
}

const until = async (check: () => Promise<boolean>, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('one node leads; a move task keeps its rate across nodes and survives the leader stopping', async () => {
  // Exactly one leader.
  await until(async () => (await Promise.all(nodes.map(health))).filter((h) => h.leader).length === 1);
  const leaderIndex = (await Promise.all(nodes.map(health))).findIndex((h) => h.leader);
  const standbyIndex = 1 - leaderIndex;
  const standby = clients[standbyIndex]!;

  const { QueueUrl: dlq } = await standby.send(new CreateQueueCommand({ QueueName: 'dead' }));
  const dlqArn = (await standby.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await standby.send(new CreateQueueCommand({ QueueName: 'source', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }));
  const { QueueUrl: dest } = await standby.send(new CreateQueueCommand({ QueueName: 'dest' }));
  const destArn = (await standby.send(new GetQueueAttributesCommand({ QueueUrl: dest, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const TOTAL = 40;
  const RATE = 5;
  for (let i = 0; i < TOTAL; i += 10) {
    await standby.send(new SendMessageBatchCommand({ QueueUrl: dlq, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `m${i + j}` })) }));
  }

  // Started on the standby: it does not step the task itself; the leader does, RATE per clock second.
  await standby.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: RATE }));
  const moved = async (client: SQSClient) => (await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results![0]!;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await moved(standby)).ApproximateNumberOfMessagesMoved, 0, 'the standby moved messages');

  let expected = 0;
  const step = async (client: SQSClient) => {
    clock.advance(1_000);
    expected = Math.min(TOTAL, expected + RATE);
    await until(async () => (await moved(client)).ApproximateNumberOfMessagesMoved === expected);
    // Give a second node time to (wrongly) step as well.
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await moved(client)).ApproximateNumberOfMessagesMoved, expected, 'more than one node stepped the task');
  };
  for (let i = 0; i < 3; i++) await step(standby);

  // The leader goes away: the standby takes the lead within a few seconds and carries on at the same rate.
  await nodes[leaderIndex]!.stop();
  stopped.add(leaderIndex);
  const t = Date.now();
  await until(async () => (await health(nodes[standbyIndex]!)).leader, 5_000);
  assert.ok(Date.now() - t < 5_000);
  assert.equal((await moved(standby)).ApproximateNumberOfMessagesMoved, expected, 'taking over does not step a running task early');
  while (expected < TOTAL) await step(standby);
  const done = await moved(standby);
  assert.equal(done.Status, 'COMPLETED');
  assert.equal(done.ApproximateNumberOfMessagesMoved, TOTAL);
});
