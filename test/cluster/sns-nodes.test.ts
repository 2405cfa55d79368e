/**
 * SNS on two Postbox nodes sharing one PostgreSQL schema: any node serves any request. A subscription made on one
 * node is used by the next publish on the other (each node caches compiled subscriptions), FIFO deduplication and
 * numbering hold across nodes, every node signs with the one shared key, and an HTTP delivery left pending on a
 * node that stops is made by the other.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startPostbox, type Postbox } from '../../src/index.js';
import type { PostboxConfigFile } from '../../src/config/file.js';
import { ManualClock } from '../../src/core/clock.js';
import { dropSchema, freshSchema, testDatabase } from '../support/postgres.js';
import { jsonClient, settle } from '../support/postbox.js';
import { snsClient } from '../conformance/sns/support.js';
import { Subscriber, verifySnsSignature } from '../conformance/sns/http-subscriber.js';

const schema = freshSchema();
/** One clock for both nodes, as if their machines agreed on the time. */
const clock = new ManualClock(Date.UTC(2026, 0, 1));
let nodes: Postbox[] = [];
let sns: SNSClient[] = [];
let sqs: SQSClient[] = [];

async function startNode(config?: PostboxConfigFile): Promise<Postbox> {
  const url = new URL((await testDatabase()).connectionString);
  url.searchParams.set('schema', schema);
  return startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: url.toString(), clock, ...(config ? { config } : {}) });
}

before(async () => {
  nodes = [await startNode(), await startNode()];
  sns = nodes.map((n) => snsClient(n.endpoint));
  sqs = nodes.map((n) => jsonClient(n.endpoint));
});
after(async () => {
  for (const c of [...sns, ...sqs]) c.destroy();
  for (const n of nodes) await n.stop();
  await dropSchema(schema);
});

async function queue(client: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, ...(name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {}) }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!['QueueArn']! };
}

/** Every message body waiting in the queue (received once, with a long visibility timeout). */
async function drain(client: SQSClient, url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    if (!Messages?.length) return bodies;
    bodies.push(...Messages.map((m) => JSON.parse(m.Body!).Message as string));
  }
}

test('Subscribes of one endpoint on both nodes at once make one subscription: one delivery per publish', async () => {
  const [a, b] = sns as [SNSClient, SNSClient];
  const q = await queue(sqs[0]!, 'nodes-raced');
  const { TopicArn } = await a.send(new CreateTopicCommand({ Name: 'nodes-raced' }));
  const answers = await Promise.all(
    Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }))),
  );
  assert.equal(new Set(answers.map((x) => x.SubscriptionArn)).size, 1);
  const listed = (await b.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
  assert.deepEqual(listed.map((x) => x.SubscriptionArn), [answers[0]!.SubscriptionArn]);
  await a.send(new PublishCommand({ TopicArn, Message: 'once' }));
  assert.deepEqual(await drain(sqs[1]!, q.url), ['once']);
});

test('a Subscribe on one node is used by the next Publish on the other, both ways', async () => {
  const [a, b] = sns as [SNSClient, SNSClient];
  const q1 = await queue(sqs[0]!, 'nodes-one');
  const q2 = await queue(sqs[1]!, 'nodes-two');
  const { TopicArn } = await a.send(new CreateTopicCommand({ Name: 'nodes' }));

  await a.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q1.arn }));
  await b.send(new PublishCommand({ TopicArn, Message: 'first, from b' }));
  assert.deepEqual(await drain(sqs[1]!, q1.url), ['first, from b']);

  // Node a has the topic's subscriptions cached now (it publishes once); a second Subscribe on b must reach it.
  await a.send(new PublishCommand({ TopicArn, Message: 'second, from a' }));
  const { SubscriptionArn } = await b.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q2.arn }));
  await a.send(new PublishCommand({ TopicArn, Message: 'third, from a' }));
  assert.deepEqual(await drain(sqs[0]!, q1.url), ['second, from a', 'third, from a']);
  assert.deepEqual(await drain(sqs[0]!, q2.url), ['third, from a']);

  // A filter policy set on a reaches b's cache; an Unsubscribe on a does too.
  await b.send(new PublishCommand({ TopicArn, Message: 'warm b' }));
  await a.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"kind":["wanted"]}' }));
  await b.send(new PublishCommand({ TopicArn, Message: 'unwanted, from b' }));
  assert.deepEqual(await drain(sqs[1]!, q2.url), ['warm b']);
  await a.send(new UnsubscribeCommand({ SubscriptionArn: SubscriptionArn! }));
  await b.send(new PublishCommand({ TopicArn, Message: 'after unsubscribe', MessageAttributes: { kind: { DataType: 'String', StringValue: 'wanted' } } }));
  assert.deepEqual(await drain(sqs[1]!, q2.url), []);
  assert.deepEqual(await drain(sqs[1]!, q1.url), ['warm b', 'unwanted, from b', 'after unsubscribe']);
});

test('nodes joining with the same config file converge on one topic and one subscription', async () => {
  const config: PostboxConfigFile = {
    queues: [{ name: 'cfg-inbox' }],
    topics: [{ name: 'cfg-topic', subscriptions: [{ queue: 'cfg-inbox', attributes: { RawMessageDelivery: true } }] }],
  };
  const joined: Postbox[] = [];
  try {
    for (let i = 0; i < 2; i++) joined.push(await startNode(config));
    const TopicArn = 'arn:aws:sns:us-east-1:000000000000:cfg-topic';
    const { Subscriptions } = await sns[1]!.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.equal(Subscriptions?.length, 1);
    await sns[1]!.send(new PublishCommand({ TopicArn, Message: 'configured' }));
    const { QueueUrl } = await sqs[1]!.send(new CreateQueueCommand({ QueueName: 'cfg-inbox' }));
    const { Messages } = await sqs[1]!.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.deepEqual(Messages?.map((m) => m.Body), ['configured']);
  } finally {
    for (const n of joined) await n.stop();
  }
});

test('FIFO topics: a deduplication id published on both nodes delivers once, numbered in order', async () => {
  const [a, b] = sns as [SNSClient, SNSClient];
  const q = await queue(sqs[0]!, 'nodes-fifo.fifo');
  const { TopicArn } = await b.send(new CreateTopicCommand({ Name: 'nodes.fifo', Attributes: { FifoTopic: 'true' } }));
  await b.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
  const publish = (client: SNSClient, body: string, dedup: string) =>
    client.send(new PublishCommand({ TopicArn, Message: body, MessageGroupId: 'g', MessageDeduplicationId: dedup }));
  const same = await Promise.all([publish(a, 'once', 'd-1'), publish(b, 'once', 'd-1'), publish(a, 'once', 'd-1'), publish(b, 'once', 'd-1')]);
  assert.equal(new Set(same.map((r) => r.MessageId)).size, 1, 'every duplicate answers with the first message id');
  const later = [];
  for (let i = 0; i < 4; i++) later.push(await publish(i % 2 ? a : b, `m${i}`, `d-m${i}`));
  const numbers = [same[0]!, ...later].map((r) => BigInt(r.SequenceNumber!));
  for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i]! > numbers[i - 1]!, 'sequence numbers increase across nodes');
  const { Messages } = await sqs[1]!.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10 }));
  assert.deepEqual(Messages?.map((m) => m.Body), ['once', 'm0', 'm1', 'm2', 'm3']);
});

test('both nodes sign with the one shared key; an HTTP delivery pending on a node that stops is made by the other', async () => {
  const subscriber = await Subscriber.start();
  try {
    const [a] = sns as [SNSClient, SNSClient];
    const { TopicArn } = await a.send(new CreateTopicCommand({ Name: 'nodes-http' }));
    await a.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: subscriber.url }));
    const [confirmation] = await subscriber.waitFor(1, 'the confirmation request');
    const token = JSON.parse(confirmation!.body)['Token'] as string;
    await sns[1]!.send(new ConfirmSubscriptionCommand({ TopicArn, Token: token }));

    // The first attempt fails; the job waits in the shared internal queue for its retry, 20 seconds on.
    subscriber.respond = (n) => (n === 1 ? 500 : 200);
    const { MessageId } = await a.send(new PublishCommand({ TopicArn, Message: 'carry on' }));
    await subscriber.waitFor(2, 'the failed first attempt');
    assert.equal(await verifySnsSignature(JSON.parse(subscriber.received[1]!.body)), true);
    await settle();

    // Node a goes away; the retry falls due on node b.
    sns[0]!.destroy();
    await nodes[0]!.stop();
    clock.advance(25_000);
    await subscriber.waitFor(3, 'the retry, made by the other node');
    const retried = JSON.parse(subscriber.received[2]!.body) as Record<string, string>;
    assert.equal(retried['MessageId'], MessageId);
    assert.equal(retried['Message'], 'carry on');

    // The other node signs with the same key: a publish there verifies against the certificate node a announced.
    const firstCert = JSON.parse(subscriber.received[1]!.body)['SigningCertURL'] as string;
    await sns[1]!.send(new PublishCommand({ TopicArn, Message: 'signed by b' }));
    await subscriber.waitFor(4, 'the notification from b');
    const fromB = JSON.parse(subscriber.received[3]!.body) as Record<string, string>;
    assert.equal(new URL(fromB['SigningCertURL']!).pathname, new URL(firstCert).pathname);
    assert.equal(await verifySnsSignature(fromB), true);
  } finally {
    await subscriber.stop();
  }
});
