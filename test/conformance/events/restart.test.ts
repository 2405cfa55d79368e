import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, DescribeRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jsonClient, onPostgres, startTestPostbox } from '../../support/postbox.js';
import { eventsClient } from './support.js';

/** A file-backed Postbox for the length of `fn`, stopped whatever happens (so a failure cannot hang the run). */
async function withPostbox(dataDir: string, fn: (eb: EventBridgeClient, sqs: SQSClient) => Promise<void>): Promise<void> {
  const postbox = await startTestPostbox({ dataDir, memory: false });
  const eb = eventsClient(postbox.endpoint);
  const sqs = jsonClient(postbox.endpoint);
  try {
    await fn(eb, sqs);
  } finally {
    eb.destroy();
    sqs.destroy();
    await postbox.stop();
  }
}

test('buses, rules and targets survive a restart on the same data directory', { skip: onPostgres() && 'SQLite data-directory restart: runs in the first pass; the PostgreSQL pass would start SQLite again' }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'postbox-events-'));
  try {
    let queueUrl = '';
    await withPostbox(dataDir, async (eb, sqs) => {
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'kept' }))).QueueUrl!;
      await eb.send(new CreateEventBusCommand({ Name: 'orders' }));
      await eb.send(new PutRuleCommand({ Name: 'r', EventBusName: 'orders', EventPattern: '{"source":["shop"]}' }));
      await eb.send(new PutTargetsCommand({ Rule: 'r', EventBusName: 'orders', Targets: [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:kept' }] }));
    });
    await withPostbox(dataDir, async (eb, sqs) => {
      assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'r', EventBusName: 'orders' }))).State, 'ENABLED');
      await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'placed', Detail: '{"n":1}', EventBusName: 'orders' }] }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
      assert.equal(JSON.parse(Messages![0]!.Body!).detail.n, 1);
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
