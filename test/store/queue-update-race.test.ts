/**
 * SetQueueAttributes, TagQueue, UntagQueue, AddPermission and RemovePermission racing on one node, on each engine
 * (test/cluster/shared-postgres.test.ts races them across two PostgreSQL nodes): every change is kept, because each
 * is a read-modify-write inside the store's transaction. On PostgreSQL, requests in flight at once run on separate
 * connections, so a read-then-write outside the transaction loses changes here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  RemovePermissionCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startPostbox, type Postbox } from '../../src/index.js';
import { jsonClient } from '../support/postbox.js';
import { dropSchema, freshSchema, testDatabase } from '../support/postgres.js';

const engines: [string, () => Promise<{ postbox: Postbox; done: () => Promise<void> }>][] = [
  ['sqlite', async () => {
    const postbox = await startPostbox({ port: 0, host: '127.0.0.1', memory: true, logLevel: 'silent' });
    return { postbox, done: () => postbox.stop() };
  }],
  ['postgres', async () => {
    const schema = freshSchema();
    const url = new URL((await testDatabase()).connectionString);
    url.searchParams.set('schema', schema);
    const postbox = await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: url.toString() });
    return { postbox, done: () => postbox.stop().then(() => dropSchema(schema)) };
  }],
];

for (const [engine, start] of engines) {
  test(`${engine}: concurrent queue changes on one node all take effect`, async () => {
    const { postbox, done } = await start();
    const sqs = jsonClient(postbox.endpoint);
    try {
      await race(sqs);
    } finally {
      sqs.destroy();
      await done();
    }
  });
}

async function race(sqs: SQSClient): Promise<void> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'raced', tags: { old1: 'x', old2: 'y' } }));
  await sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'doomed', AWSAccountIds: ['111122223333'], Actions: ['ReceiveMessage'] }));
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 25; i++) calls.push(sqs.send(new TagQueueCommand({ QueueUrl, Tags: { [`t${i}`]: String(i) } })));
  for (let i = 0; i < 6; i++) {
    calls.push(sqs.send(new AddPermissionCommand({ QueueUrl, Label: `p${i}`, AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] })));
  }
  calls.push(sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['old1'] })));
  calls.push(sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'doomed' })));
  calls.push(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '77' } })));
  calls.push(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '3' } })));
  await Promise.all(calls);

  const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
  const expected: Record<string, string> = { old2: 'y' };
  for (let i = 0; i < 25; i++) expected[`t${i}`] = String(i);
  assert.deepEqual(Tags, expected);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  assert.equal(Attributes!['VisibilityTimeout'], '77');
  assert.equal(Attributes!['DelaySeconds'], '3');
  const sids = (JSON.parse(Attributes!['Policy']!) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid).sort();
  assert.deepEqual(sids, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
}
