import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AddPermissionCommand, CreateQueueCommand, GetQueueAttributesCommand, ListQueueTagsCommand, TagQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startPostbox, type Postbox } from '../../src/index.js';
import { dropSchema, freshSchema, testDatabase } from '../support/postgres.js';
import { jsonClient } from '../support/postbox.js';

// Two Postbox nodes in this process on one PostgreSQL schema: what one accepts, the other serves.
let nodes: Postbox[] = [];
let clients: SQSClient[] = [];
const schema = freshSchema();

before(async () => {
  const { connectionString } = await testDatabase();
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  nodes = [];
  for (let i = 0; i < 2; i++) nodes.push(await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: url.toString() }));
  clients = nodes.map((n) => jsonClient(n.endpoint));
});
after(async () => {
  for (const c of clients) c.destroy();
  for (const n of nodes) await n.stop();
  await dropSchema(schema);
});

test('a queue created on one node is used from the other', async () => {
  const [a, b] = clients as [SQSClient, SQSClient];
  const { QueueUrl } = await a.send(new CreateQueueCommand({ QueueName: 'shared' }));
  await a.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from a' }));
  const urlOnB = QueueUrl!.replace(new URL(nodes[0]!.endpoint).host, new URL(nodes[1]!.endpoint).host);
  const { Messages } = await b.send(new ReceiveMessageCommand({ QueueUrl: urlOnB }));
  assert.equal(Messages?.[0]?.Body, 'from a');
});

test('a long poll on one node wakes when the other node accepts a message', async () => {
  const [a, b] = clients as [SQSClient, SQSClient];
  const { QueueUrl } = await a.send(new CreateQueueCommand({ QueueName: 'wake' }));
  const started = Date.now();
  const waiting = b.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await new Promise((r) => setTimeout(r, 100));
  await a.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ping' }));
  const { Messages } = await waiting;
  assert.equal(Messages?.[0]?.Body, 'ping');
  assert.ok(Date.now() - started < 5_000, 'woken by NOTIFY, not by the end of the wait');
});

test('consumers on both nodes never receive one message twice inside its visibility timeout', async () => {
  const [a] = clients as [SQSClient];
  const { QueueUrl } = await a.send(new CreateQueueCommand({ QueueName: 'race' }));
  const total = 300;
  for (let i = 0; i < total; i += 10) {
    await a.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `msg-${i + j}` })) }));
  }
  const seen = new Map<string, number>();
  const consumer = async (client: SQSClient) => {
    for (let round = 0; round < 200; round++) {
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      if (!Messages?.length) return;
      for (const m of Messages) seen.set(m.Body!, (seen.get(m.Body!) ?? 0) + 1);
      await client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    }
  };
  await Promise.all([...clients, ...clients].map(consumer));
  assert.equal(seen.size, total);
  assert.deepEqual([...seen.values()].filter((n) => n > 1), []);
});

test('TagQueue and AddPermission racing on both nodes keep every change', async () => {
  const [a, b] = clients as [SQSClient, SQSClient];
  const { QueueUrl } = await a.send(new CreateQueueCommand({ QueueName: 'contended' }));
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    const client = i % 2 ? b : a;
    calls.push(client.send(new TagQueueCommand({ QueueUrl, Tags: { [`tag${i}`]: String(i) } })));
    if (i < 8) calls.push(client.send(new AddPermissionCommand({ QueueUrl, Label: `grant${i}`, AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] })));
  }
  await Promise.all(calls);
  const { Tags } = await b.send(new ListQueueTagsCommand({ QueueUrl }));
  assert.equal(Object.keys(Tags ?? {}).length, 20, 'a concurrent TagQueue was lost');
  const { Attributes } = await a.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
  const policy = JSON.parse(Attributes!['Policy']!) as { Statement: { Sid: string }[] };
  assert.deepEqual(policy.Statement.map((s) => s.Sid).sort(), Array.from({ length: 8 }, (_, i) => `grant${i}`).sort());
});
