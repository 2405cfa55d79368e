/**
 * sqs-consumer, the polling library many Node services use instead of calling ReceiveMessage themselves, unchanged
 * against Postbox: long polls, deletes one by one and in batches, a failed message released for another try
 * (`terminateVisibilityTimeout`), and a slow handler kept invisible by heartbeats (ChangeMessageVisibility).
 * Runs on both engines (the second pass of the suite uses PostgreSQL).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { Postbox } from '../../../src/index.js';
import { jsonClient, startTestPostbox, uniqueName } from '../../support/postbox.js';

let postbox: Postbox;
let sqs: SQSClient;

before(async () => {
  postbox = await startTestPostbox();
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  sqs.destroy();
  await postbox.stop();
});

async function queueWith(bodies: string[]): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('consumer') }));
  for (let at = 0; at < bodies.length; at += 10) {
    const entries = bodies.slice(at, at + 10).map((body, i) => ({ Id: `m${i}`, MessageBody: body }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
    assert.equal(sent.Failed?.length ?? 0, 0);
  }
  return QueueUrl!;
}

async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes!['ApproximateNumberOfMessages']), inFlight: Number(Attributes!['ApproximateNumberOfMessagesNotVisible']) };
}

/** Runs a consumer until `done()` says so (or fails after `ms`), reporting any error it emits. */
async function runUntil(consumer: Consumer, done: () => boolean, ms = 20_000): Promise<void> {
  const errors: Error[] = [];
  let running = true;
  // Stopping aborts the consumer's long poll, which it reports as an error: only errors before that count.
  consumer.on('error', (err) => running && errors.push(err));
  consumer.start();
  const deadline = Date.now() + ms;
  try {
    while (!done()) {
      if (errors.length) throw errors[0];
      if (Date.now() > deadline) throw new Error('consumer did not finish in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    running = false;
    consumer.stop({ abort: true });
  }
  assert.deepEqual(errors, []);
}

const bodiesOf = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

test('handleMessage: every message once, each deleted after it is handled', async () => {
  const bodies = bodiesOf(25, 'one');
  const queueUrl = await queueWith(bodies);
  const handled: string[] = [];
  const consumer = Consumer.create({
    queueUrl,
    sqs,
    batchSize: 5,
    waitTimeSeconds: 1,
    handleMessage: async (m: Message) => {
      handled.push(m.Body!);
      return m;
    },
  });
  let processed = 0;
  consumer.on('message_processed', () => processed++);
  await runUntil(consumer, () => processed === bodies.length);
  assert.deepEqual([...handled].sort(), [...bodies].sort());
  assert.deepEqual(await depth(queueUrl), { visible: 0, inFlight: 0 });
});

test('handleMessageBatch: batches of up to ten, deleted with DeleteMessageBatch', async () => {
  const bodies = bodiesOf(23, 'batch');
  const queueUrl = await queueWith(bodies);
  const batches: number[] = [];
  const handled: string[] = [];
  const consumer = Consumer.create({
    queueUrl,
    sqs,
    batchSize: 10,
    waitTimeSeconds: 1,
    handleMessageBatch: async (messages: Message[]) => {
      batches.push(messages.length);
      handled.push(...messages.map((m) => m.Body!));
      return messages;
    },
  });
  await runUntil(consumer, () => handled.length === bodies.length);
  assert.ok(batches.every((n) => n >= 1 && n <= 10), `batch sizes ${batches.join(',')}`);
  assert.deepEqual([...handled].sort(), [...bodies].sort());
  // The last batch's delete may still be on its way when the handler returns.
  for (let i = 0; i < 200 && (await depth(queueUrl)).inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await depth(queueUrl), { visible: 0, inFlight: 0 });
});

test('a message whose handler fails is released at once and handled on its second receive', async () => {
  const queueUrl = await queueWith(['fails-once', 'fine']);
  const attempts = new Map<string, string[]>();
  const consumer = Consumer.create({
    queueUrl,
    sqs,
    batchSize: 10,
    waitTimeSeconds: 1,
    visibilityTimeout: 60,
    // On failure the consumer sets the message's visibility timeout to 0, so it comes straight back.
    terminateVisibilityTimeout: true,
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    handleMessage: async (m: Message) => {
      const seen = attempts.get(m.Body!) ?? [];
      seen.push(m.Attributes!['ApproximateReceiveCount']!);
      attempts.set(m.Body!, seen);
      if (m.Body === 'fails-once' && seen.length === 1) throw new Error('first attempt fails');
      return m;
    },
  });
  const failures: string[] = [];
  consumer.on('processing_error', (_err, m) => failures.push((m as Message).Body!));
  let processed = 0;
  consumer.on('message_processed', () => processed++);
  await runUntil(consumer, () => processed === 2);
  assert.deepEqual(failures, ['fails-once']);
  assert.deepEqual(attempts.get('fails-once'), ['1', '2'], 'received twice, counted by the queue');
  assert.deepEqual(attempts.get('fine'), ['1']);
  assert.deepEqual(await depth(queueUrl), { visible: 0, inFlight: 0 });
});

test('heartbeats keep a slow message invisible past its visibility timeout', async () => {
  const queueUrl = await queueWith(['slow']);
  let calls = 0;
  let processed = 0;
  let seenFromOutside: { visible: number; inFlight: number } | undefined;
  const consumer = Consumer.create({
    queueUrl,
    sqs,
    waitTimeSeconds: 1,
    // Two seconds of visibility, extended every second while the handler works for two and a half (not a
    // multiple of the interval, so no heartbeat races the delete). Past the two seconds the queue is asked from
    // outside: without the heartbeats' ChangeMessageVisibility the message would be visible to other consumers.
    visibilityTimeout: 2,
    heartbeatInterval: 1,
    handleMessage: async (m: Message) => {
      calls++;
      await new Promise((r) => setTimeout(r, 2_300));
      seenFromOutside = await depth(queueUrl);
      await new Promise((r) => setTimeout(r, 200));
      return m;
    },
  });
  consumer.on('message_processed', () => processed++);
  await runUntil(consumer, () => processed === 1);
  assert.equal(calls, 1);
  assert.deepEqual(seenFromOutside, { visible: 0, inFlight: 1 }, 'still in flight after its first visibility timeout');
  assert.deepEqual(await depth(queueUrl), { visible: 0, inFlight: 0 });
});
