import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Postbox, PostboxConfigFile } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { jsonClient, onPostgres, settle, startClockedPostbox, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { rejects, snsClient } from './support.js';

/** Restarts on one SQLite data directory; PostgreSQL restarts and node failures: test/cluster/sns-nodes.test.ts. */
const sqliteRestart = onPostgres() && 'restarts a SQLite data directory (PostgreSQL: test/cluster/sns-nodes.test.ts)';

let postbox: Postbox;
let clock: ManualClock;
let sns: SNSClient;
let sqs: SQSClient;
const ACCOUNT = '000000000000';

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  sns = snsClient(postbox.endpoint);
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  sns.destroy();
  sqs.destroy();
  await postbox.stop();
});

interface Queue {
  url: string;
  arn: string;
}
async function newQueue(fifo = false, attributes: Record<string, string> = {}): Promise<Queue> {
  const name = fifo ? `${uniqueName('q')}.fifo` : uniqueName('q');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true', ...attributes } : attributes }));
  return { url: QueueUrl!, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}
async function newTopic(attributes: Record<string, string> = {}, fifo = false): Promise<string> {
  const Name = fifo ? `${uniqueName('t')}.fifo` : uniqueName('t');
  return (await sns.send(new CreateTopicCommand({ Name, Attributes: fifo ? { FifoTopic: 'true', ...attributes } : attributes }))).TopicArn!;
}
async function subscribe(TopicArn: string, q: Queue, Attributes?: Record<string, string>): Promise<string> {
  return (await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes }))).SubscriptionArn!;
}
async function receiveAll(q: Queue): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
  );
  return Messages ?? [];
}
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** Verifies a notification as AWS's documentation tells subscribers to: fetch the certificate, rebuild the string. */
async function verifySignature(n: Record<string, any>): Promise<boolean> {
  const pem = await (await fetch(n['SigningCertURL'])).text();
  const cert = new X509Certificate(pem);
  let text = `Message\n${n['Message']}\nMessageId\n${n['MessageId']}\n`;
  if (n['Subject'] !== undefined) text += `Subject\n${n['Subject']}\n`;
  text += `Timestamp\n${n['Timestamp']}\nTopicArn\n${n['TopicArn']}\nType\n${n['Type']}\n`;
  return verify(n['SignatureVersion'] === '2' ? 'sha256' : 'sha1', Buffer.from(text), cert.publicKey, Buffer.from(n['Signature'], 'base64'));
}

describe('publish to sqs subscriptions', () => {
  test('fan-out: every subscribed queue gets the AWS envelope, signed, with MD5s that check out', async () => {
    const topic = await newTopic();
    const queues = [await newQueue(), await newQueue(), await newQueue()];
    const subs = [];
    for (const q of queues) subs.push(await subscribe(topic, q));
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topic,
        Message: 'héllo 🌍',
        Subject: 'Greetings',
        MessageAttributes: {
          color: { DataType: 'String', StringValue: 'red' },
          size: { DataType: 'Number', StringValue: '42' },
          tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    for (const [i, q] of queues.entries()) {
      const messages = await receiveAll(q);
      assert.equal(messages.length, 1);
      const m = messages[0]!;
      assert.equal(m.MD5OfBody, md5(m.Body!));
      assert.equal(m.MessageAttributes, undefined);
      const n = JSON.parse(m.Body!);
      assert.deepEqual(Object.keys(n), [
        'Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes',
      ]);
      assert.equal(n.Type, 'Notification');
      assert.equal(n.MessageId, MessageId);
      assert.equal(n.TopicArn, topic);
      assert.equal(n.Subject, 'Greetings');
      assert.equal(n.Message, 'héllo 🌍');
      assert.equal(n.Timestamp, new Date(clock.now()).toISOString());
      assert.match(n.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(n.SignatureVersion, '1');
      assert.equal(n.UnsubscribeURL, `${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subs[i]}`);
      assert.deepEqual(n.MessageAttributes, {
        color: { Type: 'String', Value: 'red' },
        size: { Type: 'Number', Value: '42' },
        tags: { Type: 'String.Array', Value: '["a","b"]' },
        blob: { Type: 'Binary', Value: Buffer.from([1, 2, 3]).toString('base64') },
      });
      assert.ok(await verifySignature(n), 'signature verifies against the certificate at SigningCertURL');
      // AWS lays the envelope out one member per line, " : " between name and value.
      assert.match(m.Body!, /^\{\n {2}"Type" : "Notification",\n {2}"MessageId" : "/);
    }
  });

  test('no Subject member without a Subject; SignatureVersion 2 signs with SHA256', async () => {
    const topic = await newTopic({ SignatureVersion: '2' });
    const q = await newQueue();
    await subscribe(topic, q);
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'plain' }));
    const n = JSON.parse((await receiveAll(q))[0]!.Body!);
    assert.equal('Subject' in n, false);
    assert.equal('MessageAttributes' in n, false);
    assert.equal(n.SignatureVersion, '2');
    assert.ok(await verifySignature(n));
    const cert = new X509Certificate(await (await fetch(n.SigningCertURL)).text());
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal((await fetch(`${postbox.endpoint}/_postbox/sns/SimpleNotificationService-nope.pem`)).status, 404);
  });

  test('raw delivery: the bare message, attributes as SQS message attributes with their MD5', async () => {
    const topic = await newTopic();
    const raw = await newQueue();
    const wrapped = await newQueue();
    await subscribe(topic, raw, { RawMessageDelivery: 'true' });
    await subscribe(topic, wrapped);
    await sns.send(
      new PublishCommand({
        TopicArn: topic,
        Message: '{"order":1}',
        MessageAttributes: { Foo: { DataType: 'String', StringValue: 'Bar' }, n: { DataType: 'Number', StringValue: '1.5' }, b: { DataType: 'Binary', BinaryValue: Buffer.from('zz') } },
      }),
    );
    const [m] = await receiveAll(raw);
    assert.equal(m!.Body, '{"order":1}');
    assert.equal(m!.MD5OfBody, md5('{"order":1}'));
    assert.deepEqual(m!.MessageAttributes!['Foo'], { DataType: 'String', StringValue: 'Bar' });
    assert.deepEqual(m!.MessageAttributes!['n'], { DataType: 'Number', StringValue: '1.5' });
    assert.equal(Buffer.from(m!.MessageAttributes!['b']!.BinaryValue!).toString(), 'zz');
    assert.equal(m!.MD5OfMessageAttributes!.length, 32); // and the SDK checked it against the attributes
    assert.equal(JSON.parse((await receiveAll(wrapped))[0]!.Body!).Message, '{"order":1}');
  });

  test('MessageStructure=json sends each protocol its own message, "default" otherwise', async () => {
    const topic = await newTopic();
    const q = await newQueue();
    await subscribe(topic, q, { RawMessageDelivery: 'true' });
    await sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'd', sqs: 'for sqs', email: 'e' }) }));
    assert.equal((await receiveAll(q))[0]!.Body, 'for sqs');
    await sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'd' }) }));
    assert.equal((await receiveAll(q))[0]!.Body, 'd');
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ sqs: 'x' }) })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: 'not json' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
  });

  test('filter policies: attribute scope and body scope pick the queues', async () => {
    const topic = await newTopic();
    const red = await newQueue();
    const big = await newQueue();
    const everything = await newQueue();
    const bodyScoped = await newQueue();
    await subscribe(topic, red, { FilterPolicy: JSON.stringify({ color: ['red'] }), RawMessageDelivery: 'true' });
    await subscribe(topic, big, { FilterPolicy: JSON.stringify({ size: [{ numeric: ['>=', 10] }] }), RawMessageDelivery: 'true' });
    await subscribe(topic, everything, { RawMessageDelivery: 'true' });
    await subscribe(topic, bodyScoped, {
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: JSON.stringify({ order: { status: [{ prefix: 'paid' }] } }),
      RawMessageDelivery: 'true',
    });
    const send = (Message: string, MessageAttributes: Record<string, { DataType: string; StringValue: string }>) =>
      sns.send(new PublishCommand({ TopicArn: topic, Message, MessageAttributes }));
    await send('{"order":{"status":"paid-in-full"}}', { color: { DataType: 'String', StringValue: 'red' } });
    await send('two', { color: { DataType: 'String', StringValue: 'blue' }, size: { DataType: 'Number', StringValue: '12' } });
    await send('three', { size: { DataType: 'Number', StringValue: '3' }, tags: { DataType: 'String.Array', StringValue: '["red"]' } });
    const bodies = async (q: Queue) => (await receiveAll(q)).map((m) => m.Body).sort();
    assert.deepEqual(await bodies(red), ['{"order":{"status":"paid-in-full"}}']);
    assert.deepEqual(await bodies(big), ['two']);
    assert.deepEqual(await bodies(everything), ['three', 'two', '{"order":{"status":"paid-in-full"}}']);
    assert.deepEqual(await bodies(bodyScoped), ['{"order":{"status":"paid-in-full"}}']);
  });

  test('a publish wakes a long poll waiting on a subscribed queue', async () => {
    const topic = await newTopic();
    const q = await newQueue();
    await subscribe(topic, q, { RawMessageDelivery: 'true' });
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 20 }));
    await settle();
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'wake up' }));
    const { Messages } = await waiting;
    assert.equal(Messages?.[0]?.Body, 'wake up');
  });

  test('a subscription whose queue does not exist is skipped; with a RedrivePolicy the message goes to its DLQ', async () => {
    const topic = await newTopic();
    const live = await newQueue();
    const gone = await newQueue();
    const dlq = await newQueue();
    await subscribe(topic, live, { RawMessageDelivery: 'true' });
    await subscribe(topic, gone, { RawMessageDelivery: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) });
    await subscribe(topic, { url: '', arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${uniqueName('never')}` });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'm' }));
    assert.equal((await receiveAll(live))[0]?.Body, 'm');
    assert.equal((await receiveAll(dlq))[0]?.Body, 'm');
  });

  test('UnsubscribeURL unsubscribes', async () => {
    const topic = await newTopic();
    const q = await newQueue();
    await subscribe(topic, q);
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'bye' }));
    const n = JSON.parse((await receiveAll(q))[0]!.Body!);
    const res = await fetch(n.UnsubscribeURL);
    assert.equal(res.status, 200);
    assert.deepEqual((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions, []);
  });
});

describe('publish validation', () => {
  test('errors as AWS gives them', async () => {
    const topic = await newTopic();
    await rejects(
      sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${uniqueName('none')}`, Message: 'x' })),
      'NotFoundException',
      404,
      'Topic does not exist',
    );
    await rejects(sns.send(new PublishCommand({ TopicArn: topic, Message: '' })), 'InvalidParameterException', 400, 'Invalid parameter: Empty message');
    await rejects(sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', Subject: 'a\nb' })), 'InvalidParameterException', 400, 'Invalid parameter: Subject');
    await rejects(sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', Subject: 's'.repeat(101) })), 'InvalidParameterException', 400, 'Invalid parameter: Subject');
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'x'.repeat(262_145) })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Message too long',
    );
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageAttributes: { a: { DataType: 'Float', StringValue: '1' } } })),
      'InvalidParameterValueException',
      400,
      "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
    );
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'one' } } })),
      'InvalidParameterValueException',
      400,
      "Could not cast message attribute 'a' value to number.",
    );
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageDeduplicationId: 'd' })),
      'InvalidParameterException',
      400,
      /^Invalid parameter: MessageDeduplicationId/,
    );
    await rejects(
      sns.send(new PublishCommand({ PhoneNumber: 'not-a-number', Message: 'x' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: PhoneNumber Reason: not-a-number is not valid to publish to',
    );
  });

  test('MaximumMessageSize raises the limit up to 1 MiB (body plus attributes)', async () => {
    const topic = await newTopic({ MaximumMessageSize: '1048576' });
    const q = await newQueue();
    await subscribe(topic, q, { RawMessageDelivery: 'true' });
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'x'.repeat(500_000) }));
    assert.equal((await receiveAll(q))[0]!.Body!.length, 500_000);
    const small = await newTopic({ MaximumMessageSize: '1024' });
    await rejects(
      sns.send(new PublishCommand({ TopicArn: small, Message: 'x'.repeat(1000), MessageAttributes: { a: { DataType: 'String', StringValue: 'y'.repeat(30) } } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Message too long',
    );
  });

  test('above 256 KiB a topic takes only sqs, lambda and firehose subscriptions (large-message-payloads)', async () => {
    const large = await newTopic({ MaximumMessageSize: '524288' });
    await sns.send(new SubscribeCommand({ TopicArn: large, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:000000000000:function:${uniqueName('f')}` }));
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: large, Protocol: 'email', Endpoint: 'dev@example.com' })),
      'InvalidParameterException',
      400,
      /only sqs, lambda and firehose/,
    );
    // A topic with an e-mail subscription cannot be raised past 256 KiB; to 256 KiB it can.
    const mixed = await newTopic();
    await sns.send(new SubscribeCommand({ TopicArn: mixed, Protocol: 'email', Endpoint: 'dev@example.com' }));
    await rejects(
      sns.send(new SetTopicAttributesCommand({ TopicArn: mixed, AttributeName: 'MaximumMessageSize', AttributeValue: '262145' })),
      'InvalidParameterException',
      400,
      /MaximumMessageSize/,
    );
    await sns.send(new SetTopicAttributesCommand({ TopicArn: mixed, AttributeName: 'MaximumMessageSize', AttributeValue: '262144' }));
  });

  test('PublishBatch: per-entry results and the whole-batch errors', async () => {
    const topic = await newTopic();
    const q = await newQueue();
    await subscribe(topic, q, { RawMessageDelivery: 'true' });
    const out = await sns.send(
      new PublishBatchCommand({
        TopicArn: topic,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'one' },
          { Id: 'b', Message: '' },
          { Id: 'c', Message: 'three', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
        ],
      }),
    );
    assert.deepEqual(out.Successful!.map((s) => s.Id), ['a', 'c']);
    assert.deepEqual(out.Failed, [{ Id: 'b', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
    assert.deepEqual((await receiveAll(q)).map((m) => m.Body).sort(), ['one', 'three']);
    const entries = (n: number, id = (i: number) => `e${i}`) => Array.from({ length: n }, (_, i) => ({ Id: id(i), Message: 'm' }));
    await rejects(sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries(11) })), 'TooManyEntriesInBatchRequestException', 400);
    await rejects(sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [] })), 'EmptyBatchRequestException', 400);
    await rejects(sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries(2, () => 'same') })), 'BatchEntryIdsNotDistinctException', 400);
    await rejects(sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries(1, () => 'bad id!') })), 'InvalidBatchEntryIdException', 400);
    await rejects(
      sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x'.repeat(200_000) }, { Id: 'b', Message: 'x'.repeat(200_000) }] })),
      'BatchRequestTooLongException',
      400,
    );
  });
});

describe('FIFO topics', () => {
  test('FIFO topic → FIFO queue: order, groups, sequence numbers, deduplication (explicit and content-based)', async () => {
    const topic = await newTopic({ ContentBasedDeduplication: 'true' }, true);
    const q = await newQueue(true);
    const standard = await newQueue();
    await subscribe(topic, q);
    await subscribe(topic, standard, { RawMessageDelivery: 'true' });
    const first = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'm1', MessageGroupId: 'g1' }));
    const again = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'm1', MessageGroupId: 'g1' }));
    assert.equal(again.MessageId, first.MessageId, 'a duplicate answers the original message');
    assert.equal(again.SequenceNumber, first.SequenceNumber);
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn: topic,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'm2', MessageGroupId: 'g1', MessageDeduplicationId: 'd2' },
          { Id: 'b', Message: 'm3', MessageGroupId: 'g1', MessageDeduplicationId: 'd3' },
          { Id: 'c', Message: 'other', MessageGroupId: 'g1', MessageDeduplicationId: 'd2' },
        ],
      }),
    );
    const seqs = [first.SequenceNumber!, ...batch.Successful!.slice(0, 2).map((s) => s.SequenceNumber!)];
    assert.ok(seqs.every((s) => /^\d{20}$/.test(s)));
    assert.ok(BigInt(seqs[0]!) < BigInt(seqs[1]!) && BigInt(seqs[1]!) < BigInt(seqs[2]!));
    const messages = await receiveAll(q);
    const notes = messages.map((m) => JSON.parse(m.Body!));
    assert.deepEqual(notes.map((n) => n.Message), ['m1', 'm2', 'm3']);
    assert.deepEqual(notes.map((n) => n.SequenceNumber), seqs);
    assert.deepEqual(Object.keys(notes[0]).slice(0, 4), ['Type', 'MessageId', 'SequenceNumber', 'TopicArn']);
    assert.equal(messages[0]!.Attributes!['MessageGroupId'], 'g1');
    assert.equal(messages[1]!.Attributes!['MessageDeduplicationId'], 'd2');
    // A standard queue subscribed to a FIFO topic gets each message once too.
    assert.deepEqual((await receiveAll(standard)).map((m) => m.Body).sort(), ['m1', 'm2', 'm3']);

    // After the five-minute window the same content is a new message.
    clock.advance(5 * 60_000 + 1);
    const later = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'm1', MessageGroupId: 'g1' }));
    assert.notEqual(later.MessageId, first.MessageId);
  });

  test('FIFO publishes need a MessageGroupId and a deduplication id', async () => {
    const topic = await newTopic({}, true);
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageDeduplicationId: 'd' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
    );
    await rejects(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageGroupId: 'g' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  });
});

describe('durability and configuration', { skip: sqliteRestart }, () => {
  test('topics, subscriptions and the signing key survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postbox-sns-'));
    try {
      let pb = await startTestPostbox({ memory: false, dataDir: dir });
      let c = snsClient(pb.endpoint);
      let q = jsonClient(pb.endpoint);
      const { QueueUrl } = await q.send(new CreateQueueCommand({ QueueName: 'durable' }));
      const { TopicArn } = await c.send(new CreateTopicCommand({ Name: 'durable' }));
      await c.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:durable` }));
      await c.send(new PublishCommand({ TopicArn, Message: 'before' }));
      const certBefore = JSON.parse((await q.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!.Body!).SigningCertURL as string;
      c.destroy();
      q.destroy();
      await pb.stop();

      pb = await startTestPostbox({ memory: false, dataDir: dir });
      c = snsClient(pb.endpoint);
      q = jsonClient(pb.endpoint);
      await c.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DisplayName', AttributeValue: 'still here' }));
      await c.send(new PublishCommand({ TopicArn, Message: 'after' }));
      const { Messages } = await q.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      const bodies = Messages!.map((m) => JSON.parse(m.Body!));
      assert.ok(bodies.some((n) => n.Message === 'after'));
      const certAfter = bodies.find((n) => n.Message === 'after').SigningCertURL as string;
      assert.equal(new URL(certAfter).pathname, new URL(certBefore).pathname, 'same key after restart');
      c.destroy();
      q.destroy();
      await pb.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the config file creates topics and subscriptions, idempotently', async () => {
    const config: PostboxConfigFile = {
      queues: [{ name: 'cfg-inventory' }, { name: 'cfg-orders.fifo' }],
      topics: [
        {
          name: 'cfg-orders',
          attributes: { DisplayName: 'Orders' },
          tags: { team: 'shop' },
          subscriptions: [{ queue: 'cfg-inventory', attributes: { RawMessageDelivery: true, FilterPolicy: { kind: ['placed'] } } }],
        },
        { name: 'cfg-orders.fifo', attributes: { ContentBasedDeduplication: true }, subscriptions: [{ queue: 'cfg-orders.fifo' }] },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'postbox-sns-cfg-'));
    try {
      for (let round = 0; round < 2; round++) {
        const pb = await startTestPostbox({ memory: false, dataDir: dir, config });
        const c = snsClient(pb.endpoint);
        const q = jsonClient(pb.endpoint);
        const arn = `arn:aws:sns:us-east-1:${ACCOUNT}:cfg-orders`;
        const subs = (await c.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!;
        assert.equal(subs.length, 1);
        await c.send(new PublishCommand({ TopicArn: arn, Message: `placed ${round}`, MessageAttributes: { kind: { DataType: 'String', StringValue: 'placed' } } }));
        await c.send(new PublishCommand({ TopicArn: arn, Message: 'ignored', MessageAttributes: { kind: { DataType: 'String', StringValue: 'shipped' } } }));
        const { QueueUrl } = { QueueUrl: `${pb.endpoint}/${ACCOUNT}/cfg-inventory` };
        const { Messages } = await q.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        assert.deepEqual(Messages?.map((m) => m.Body), [`placed ${round}`]);
        c.destroy();
        q.destroy();
        await pb.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
