import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { jsonClient, startClockedPostbox, uniqueName } from '../../support/postbox.js';

let postbox: Postbox;
let clock: ManualClock;
let sqs: SQSClient;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  sqs.destroy();
  await postbox.stop();
});

async function rejects(p: Promise<unknown>, name: string, status: number, message?: RegExp) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

async function newQueue(attributes: Record<string, string> = {}, fifo = false): Promise<string> {
  const name = fifo ? `${uniqueName()}.fifo` : uniqueName();
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true', ...attributes } : attributes }),
  );
  return QueueUrl!;
}

const receive = (QueueUrl: string, extra: Record<string, unknown> = {}) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...extra }));

async function counts(QueueUrl: string) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  return {
    visible: Number(Attributes!.ApproximateNumberOfMessages),
    inflight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes!.ApproximateNumberOfMessagesDelayed),
  };
}

describe('send, receive, delete', () => {
  test('a message goes round with the MD5s and system attributes AWS gives', async () => {
    const q = await newQueue();
    const attrs = { Foo: { DataType: 'String', StringValue: 'Bar' } };
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: q,
        MessageBody: 'héllo 🌍',
        MessageAttributes: attrs,
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'some-trace-id' } },
      }),
    );
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('héllo 🌍').digest('hex'));
    assert.equal(sent.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
    assert.equal(sent.MD5OfMessageSystemAttributes, 'fdce4f2818803f2f73becc09a54792c0');
    const { Messages } = await receive(q, { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
    assert.equal(Messages?.length, 1);
    const m = Messages![0]!;
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, 'héllo 🌍');
    assert.equal(m.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
    assert.deepEqual(m.MessageAttributes, attrs);
    assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
    assert.equal(m.Attributes?.SentTimestamp, String(clock.now()));
    assert.equal(m.Attributes?.ApproximateFirstReceiveTimestamp, String(clock.now()));
    assert.equal(m.Attributes?.AWSTraceHeader, 'some-trace-id');
    assert.equal(m.Attributes?.SenderId, 'test');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: m.ReceiptHandle }));
    assert.deepEqual(await counts(q), { visible: 0, inflight: 0, delayed: 0 });
  });

  test('a send without attributes carries no attribute digests; a receive without names no Attributes', async () => {
    const q = await newQueue();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'plain' }));
    assert.equal(sent.MD5OfMessageAttributes, undefined);
    assert.equal(sent.MD5OfMessageSystemAttributes, undefined);
    const { Messages } = await receive(q);
    assert.equal(Messages![0]!.Attributes, undefined);
    assert.equal(Messages![0]!.MessageAttributes, undefined);
  });

  test('message attribute filters: names, prefix.* and All; the digest covers what is returned', async () => {
    const q = await newQueue();
    const s = (v: string) => ({ DataType: 'String', StringValue: v });
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageAttributes: { General: s('Kenobi'), Hello: s('There'), 'Help.Me': s('Me') } }));
    const one = await receive(q, { MessageAttributeNames: ['Hello'], VisibilityTimeout: 0 });
    assert.deepEqual(Object.keys(one.Messages![0]!.MessageAttributes!), ['Hello']);
    assert.equal(one.Messages![0]!.MD5OfMessageAttributes, 'a311262e065454b75da111d535b8dacd');
    const prefixed = await receive(q, { MessageAttributeNames: ['Hel.*'], VisibilityTimeout: 0 });
    assert.deepEqual(Object.keys(prefixed.Messages![0]!.MessageAttributes!).sort(), ['Hello', 'Help.Me']);
    assert.equal(prefixed.Messages![0]!.MD5OfMessageAttributes, '83fee93c1bcd8b9a5a923ffacdc636c7');
    const all = await receive(q, { MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
    assert.equal(all.Messages![0]!.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');
    const none = await receive(q, { MessageAttributeNames: ['Nothing'] });
    assert.equal(none.Messages![0]!.MessageAttributes, undefined);
    assert.equal(none.Messages![0]!.MD5OfMessageAttributes, undefined);
  });

  test('binary and number attributes round-trip', async () => {
    const q = await newQueue();
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: q,
        MessageBody: 'b',
        MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: bytes }, n: { DataType: 'Number.int', StringValue: '-12.5e3' } },
      }),
    );
    const { Messages } = await receive(q, { MessageAttributeNames: ['All'] });
    assert.deepEqual(Buffer.from(Messages![0]!.MessageAttributes!.bin!.BinaryValue!), Buffer.from(bytes));
    assert.equal(Messages![0]!.MessageAttributes!.n!.StringValue, '-12.5e3');
  });

  test('limits: 1 MiB of body plus attributes, allowed characters, ten attributes, reserved names', async () => {
    const q = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x'.repeat(1_048_576) }));
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x'.repeat(1_048_577) })), 'InvalidParameterValue', 400, /shorter than 1048576/);
    await rejects(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: q,
          MessageBody: 'x'.repeat(1_048_570),
          MessageAttributes: { abc: { DataType: 'String', StringValue: 'x' } },
        }),
      ),
      'InvalidParameterValue',
      400,
    );
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'bad \u0001 char' })), 'InvalidMessageContents', 400);
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: '' })), 'MissingParameter', 400);
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageAttributes: eleven })), 'InvalidParameterValue', 400);
    await rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } })),
      'InvalidParameterValue',
      400,
    );
    await rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Text', StringValue: 'v' } } })),
      'InvalidParameterValue',
      400,
    );
    await rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'abc' } } })),
      'InvalidParameterValue',
      400,
    );
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', DelaySeconds: 901 })), 'InvalidParameterValue', 400);
    const small = await newQueue({ MaximumMessageSize: '1024' });
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: small, MessageBody: 'x'.repeat(1025) })), 'InvalidParameterValue', 400, /shorter than 1024/);
  });

  test('ReceiveMessage parameter ranges', async () => {
    const q = await newQueue();
    await rejects(receive(q, { MaxNumberOfMessages: 11 }), 'InvalidParameterValue', 400, /Must be between 1 and 10/);
    await rejects(receive(q, { MaxNumberOfMessages: 0 }), 'InvalidParameterValue', 400);
    await rejects(receive(q, { WaitTimeSeconds: 21 }), 'InvalidParameterValue', 400);
    await rejects(receive(q, { VisibilityTimeout: 43201 }), 'InvalidParameterValue', 400);
  });
});

describe('time: visibility, delays, retention (ManualClock)', () => {
  test('a received message stays hidden for its visibility timeout, then returns with a new receipt', async () => {
    const q = await newQueue({ VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'v' }));
    const first = await receive(q);
    assert.deepEqual(await counts(q), { visible: 0, inflight: 1, delayed: 0 });
    clock.advance(29_000);
    assert.equal((await receive(q)).Messages, undefined);
    clock.advance(1_000);
    const again = await receive(q, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    assert.equal(again.Messages![0]!.MessageId, first.Messages![0]!.MessageId);
    assert.notEqual(again.Messages![0]!.ReceiptHandle, first.Messages![0]!.ReceiptHandle);
    assert.equal(again.Messages![0]!.Attributes?.ApproximateReceiveCount, '2');
  });

  test('ChangeMessageVisibility extends, releases, and rejects bad handles', async () => {
    const q = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'v' }));
    const [m] = (await receive(q, { VisibilityTimeout: 10 })).Messages!;
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 100 }));
    clock.advance(50_000);
    assert.equal((await receive(q)).Messages, undefined);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
    const back = await receive(q);
    assert.equal(back.Messages?.length, 1);
    await rejects(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: 'garbage', VisibilityTimeout: 5 })),
      'ReceiptHandleIsInvalid',
      404,
    );
    await rejects(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: back.Messages![0]!.ReceiptHandle, VisibilityTimeout: 43201 })),
      'InvalidParameterValue',
      400,
    );
  });

  test('queue and per-message delays', async () => {
    const q = await newQueue({ DelaySeconds: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'queue delay' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'own delay', DelaySeconds: 30 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'no delay', DelaySeconds: 0 }));
    assert.deepEqual(await counts(q), { visible: 1, inflight: 0, delayed: 2 });
    const hold = { VisibilityTimeout: 300 };
    assert.deepEqual((await receive(q, hold)).Messages?.map((m) => m.Body), ['no delay']);
    clock.advance(10_000);
    assert.deepEqual((await receive(q, hold)).Messages?.map((m) => m.Body), ['queue delay']);
    clock.advance(20_000);
    assert.deepEqual((await receive(q, hold)).Messages?.map((m) => m.Body), ['own delay']);
  });

  test('messages past the retention period are gone', async () => {
    const q = await newQueue({ MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'old' }));
    clock.advance(59_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'young' }));
    clock.advance(1_000);
    const { Messages } = await receive(q);
    assert.deepEqual(Messages?.map((m) => m.Body), ['young']);
  });

  test('PurgeQueue empties the queue', async () => {
    const q = await newQueue();
    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: `m${i}` }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: q }));
    assert.deepEqual(await counts(q), { visible: 0, inflight: 0, delayed: 0 });
  });
});

describe('batches', () => {
  test('SendMessageBatch reports per-entry results and failures', async () => {
    const q = await newQueue();
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q,
        Entries: [
          { Id: 'ok-1', MessageBody: 'one' },
          { Id: 'bad', MessageBody: 'bad \u0000' },
          { Id: 'ok-2', MessageBody: 'two', DelaySeconds: 5 },
        ],
      }),
    );
    assert.deepEqual(out.Successful?.map((s) => s.Id), ['ok-1', 'ok-2']);
    assert.equal(out.Failed?.[0]?.Id, 'bad');
    assert.equal(out.Failed?.[0]?.Code, 'InvalidMessageContents');
    assert.equal(out.Failed?.[0]?.SenderFault, true);
  });

  test('batch-wide rules: empty, more than ten, bad or repeated ids, total size', async () => {
    const q = await newQueue();
    await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [] })), 'EmptyBatchRequest', 400);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: eleven })), 'TooManyEntriesInBatchRequest', 400);
    await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a b', MessageBody: 'x' }] })), 'InvalidBatchEntryId', 400);
    await rejects(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })),
      'BatchEntryIdsNotDistinct',
      400,
    );
    const half = 'x'.repeat(600_000);
    await rejects(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', MessageBody: half }, { Id: 'b', MessageBody: half }] })),
      'BatchRequestTooLong',
      400,
    );
    await rejects(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: q, Entries: [] })), 'EmptyBatchRequest', 400);
  });

  test('DeleteMessageBatch and ChangeMessageVisibilityBatch', async () => {
    const q = await newQueue();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    const { Messages } = await receive(q, { VisibilityTimeout: 60 });
    assert.equal(Messages?.length, 3);
    const change = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: q,
        Entries: [
          { Id: 'a', ReceiptHandle: Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'b', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    assert.deepEqual(change.Successful?.map((s) => s.Id), ['a']);
    assert.equal(change.Failed?.[0]?.Code, 'ReceiptHandleIsInvalid');
    const del = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: q, Entries: Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
    );
    assert.equal(del.Successful?.length, 3);
    assert.deepEqual(await counts(q), { visible: 0, inflight: 0, delayed: 0 });
  });
});

describe('long polling', () => {
  test('a waiting receive answers as soon as another connection sends', async () => {
    const q = await newQueue();
    const other = jsonClient(postbox.endpoint);
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 30));
    await other.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'wake up' }));
    const { Messages } = await waiting;
    assert.equal(Messages?.[0]?.Body, 'wake up');
    other.destroy();
  });

  test('a waiting receive ends empty when its wait passes (clock time)', async () => {
    const q = await newQueue({ ReceiveMessageWaitTimeSeconds: '5' });
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q }));
    await new Promise((r) => setTimeout(r, 30));
    clock.advance(5_000);
    const { Messages } = await waiting;
    assert.equal(Messages, undefined);
  });

  test('a waiting receive wakes when a delayed message becomes visible', async () => {
    const q = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'later', DelaySeconds: 3 }));
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 30));
    clock.advance(3_000);
    const { Messages } = await waiting;
    assert.equal(Messages?.[0]?.Body, 'later');
  });
});

describe('dead-letter queues and redrive', () => {
  test('a message received more than maxReceiveCount times moves to the DLQ, then a move task brings it back', async () => {
    const dlq = await newQueue();
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const src = await newQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }), VisibilityTimeout: '1' });
    const srcArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
    const second = await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison 2' }));
    for (let i = 0; i < 2; i++) {
      assert.equal((await receive(src)).Messages?.length, 2);
      clock.advance(1_000);
    }
    assert.equal((await receive(src)).Messages, undefined);
    const dead = await receive(dlq, { MessageSystemAttributeNames: ['All'], VisibilityTimeout: 0 });
    assert.deepEqual(dead.Messages?.map((m) => m.MessageId).sort(), [sent.MessageId, second.MessageId].sort());
    assert.equal(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, srcArn);

    const { StartMessageMoveTaskCommand, ListMessageMoveTasksCommand } = await import('@aws-sdk/client-sqs');
    // One message a second: the task is still running after its first step.
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    assert.ok(TaskHandle);
    await new Promise((r) => setTimeout(r, 30));
    const running = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    assert.equal(running.Results?.[0]?.Status, 'RUNNING');
    assert.equal(running.Results?.[0]?.TaskHandle, TaskHandle);
    assert.equal(running.Results?.[0]?.ApproximateNumberOfMessagesToMove, 2);
    clock.advance(1_000);
    // The step the clock released runs on its own (several statements on PostgreSQL): poll until the task leaves
    // RUNNING rather than guess how long that takes on a busy machine.
    let done = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    for (const deadline = Date.now() + 5_000; done.Results?.[0]?.Status === 'RUNNING' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 10));
      done = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    }
    assert.equal(done.Results?.[0]?.Status, 'COMPLETED');
    assert.equal(done.Results?.[0]?.ApproximateNumberOfMessagesMoved, 2);
    assert.equal(done.Results?.[0]?.TaskHandle, undefined);
    const back = await receive(src, { MessageSystemAttributeNames: ['All'] });
    assert.deepEqual(back.Messages?.map((m) => m.MessageId).sort(), [sent.MessageId, second.MessageId].sort());
    assert.equal(back.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '1');
    assert.equal(back.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, undefined);
  });

  test('move tasks need a dead-letter queue as source', async () => {
    const { StartMessageMoveTaskCommand } = await import('@aws-sdk/client-sqs');
    const q = await newQueue();
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await rejects(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn })), 'InvalidParameterValue', 400, /Dead Letter Queue/);
    await rejects(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' })),
      'ResourceNotFoundException',
      404,
    );
  });
});

describe('FIFO queues', () => {
  test('order per group, group blocked while in flight, sequence numbers increase', async () => {
    const q = await newQueue({ ContentBasedDeduplication: 'true' }, true);
    const seqs: string[] = [];
    for (const [g, b] of [['A', 'a1'], ['B', 'b1'], ['A', 'a2'], ['A', 'a3'], ['B', 'b2']] as const) {
      const r = await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: b, MessageGroupId: g }));
      seqs.push(r.SequenceNumber!);
    }
    assert.deepEqual([...seqs].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)), seqs);
    const first = await receive(q, { MaxNumberOfMessages: 2, MessageSystemAttributeNames: ['All'] });
    assert.deepEqual(first.Messages?.map((m) => m.Body), ['a1', 'a2']);
    assert.equal(first.Messages?.[0]?.Attributes?.MessageGroupId, 'A');
    assert.ok(first.Messages?.[0]?.Attributes?.SequenceNumber);
    // Group A is in flight: only B can be received.
    const second = await receive(q);
    assert.deepEqual(second.Messages?.map((m) => m.Body), ['b1', 'b2']);
    assert.equal((await receive(q)).Messages, undefined);
    for (const m of first.Messages!) await sqs.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: m.ReceiptHandle }));
    assert.deepEqual((await receive(q)).Messages?.map((m) => m.Body), ['a3']);
  });

  test('deduplication within five minutes, explicit and content-based', async () => {
    const q = await newQueue({}, true);
    const a = await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    const b = await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    assert.equal(a.MessageId, b.MessageId);
    assert.equal((await counts(q)).visible, 1);
    clock.advance(5 * 60_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'z', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    assert.equal((await counts(q)).visible, 2);
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageGroupId: 'g' })), 'InvalidParameterValue', 400, /ContentBasedDeduplication/);
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'MissingParameter', 400);
    await rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd9', DelaySeconds: 2 })),
      'InvalidParameterValue',
      400,
    );
    const cbd = await newQueue({ ContentBasedDeduplication: 'true' }, true);
    const c1 = await sqs.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'g' }));
    const c2 = await sqs.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'h' }));
    assert.equal(c1.MessageId, c2.MessageId);
    const { Messages } = await receive(cbd, { MessageSystemAttributeNames: ['MessageDeduplicationId'] });
    assert.equal(Messages?.[0]?.Attributes?.MessageDeduplicationId, createHash('sha256').update('same').digest('hex'));
  });

  test('ReceiveRequestAttemptId returns the same messages on retry', async () => {
    const q = await newQueue({ ContentBasedDeduplication: 'true' }, true);
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'once', MessageGroupId: 'g' }));
    const a = await receive(q, { ReceiveRequestAttemptId: 'attempt-1' });
    const b = await receive(q, { ReceiveRequestAttemptId: 'attempt-1' });
    assert.equal(a.Messages?.[0]?.ReceiptHandle, b.Messages?.[0]?.ReceiptHandle);
    assert.equal((await receive(q, { ReceiveRequestAttemptId: 'attempt-2' })).Messages, undefined);
  });

  test('a FIFO handle that lapsed cannot delete', async () => {
    const q = await newQueue({ ContentBasedDeduplication: 'true', VisibilityTimeout: '5' }, true);
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'fifo', MessageGroupId: 'g' }));
    const { Messages } = await receive(q);
    clock.advance(5_000);
    await rejects(sqs.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: Messages![0]!.ReceiptHandle })), 'InvalidParameterValue', 400, /expired/);
  });

  test('standard queues accept MessageGroupId (fair queues) and refuse MessageDeduplicationId', async () => {
    const q = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'tenant', MessageGroupId: 'tenant-1' }));
    const { Messages } = await receive(q, { MessageSystemAttributeNames: ['All'] });
    assert.equal(Messages?.[0]?.Attributes?.MessageGroupId, 'tenant-1');
    assert.equal(Messages?.[0]?.Attributes?.SequenceNumber, undefined);
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'InvalidParameterValue', 400);
  });

  test('SetQueueAttributes: a delay applies from then on', async () => {
    const q = await newQueue();
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: q, Attributes: { DelaySeconds: '2' } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'd' }));
    assert.equal((await receive(q)).Messages, undefined);
    clock.advance(2_000);
    assert.equal((await receive(q)).Messages?.length, 1);
  });
});

describe('review findings', () => {
  test('a message attribute named __proto__ round-trips and its digest covers it', async () => {
    const q = await newQueue();
    const attrs = { ['__proto__']: { DataType: 'String', StringValue: 'p' }, b: { DataType: 'String', StringValue: 'v' } };
    const wire = JSON.parse(JSON.stringify({ QueueUrl: q, MessageBody: 'x' }));
    Object.defineProperty(wire, 'MessageAttributes', { value: JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "p"}, "b": {"DataType": "String", "StringValue": "v"}}'), enumerable: true });
    const res = await fetch(postbox.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify(wire),
    });
    const sent = (await res.json()) as { MD5OfMessageAttributes: string };
    const { md5OfAttributes } = await import('../../../src/sqs/md5.js');
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "p"}, "b": {"DataType": "String", "StringValue": "v"}}')));
    const { Messages } = await receive(q, { MessageAttributeNames: ['All'] });
    assert.deepEqual(Object.keys(Messages![0]!.MessageAttributes!).sort(), ['__proto__', 'b'].sort());
    void attrs;
  });

  test('a long poll wakes when ChangeMessageVisibility makes a message visible sooner', async () => {
    const q = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'soon' }));
    const [m] = (await receive(q, { VisibilityTimeout: 600 })).Messages!;
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 30));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: q, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 1 }));
    await new Promise((r) => setTimeout(r, 30));
    clock.advance(1_000);
    const { Messages } = await waiting;
    assert.equal(Messages?.[0]?.Body, 'soon');
  });

  test('a FIFO long poll wakes when a delete frees the group', async () => {
    const q = await newQueue({ ContentBasedDeduplication: 'true' }, true);
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'a', MessageGroupId: 'g' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: 'b', MessageGroupId: 'g' }));
    const [a] = (await receive(q, { MaxNumberOfMessages: 1 })).Messages!;
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 30));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q, ReceiptHandle: a!.ReceiptHandle }));
    const { Messages } = await waiting;
    assert.equal(Messages?.[0]?.Body, 'b');
  });

  test('a message is not lost when its dead-letter queue is deleted during a long poll', async () => {
    const dlq = await newQueue();
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const src = await newQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'keep me' }));
    await receive(src, { VisibilityTimeout: 2 });
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 30));
    const { DeleteQueueCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlq }));
    clock.advance(2_000);
    const { Messages } = await waiting;
    assert.equal(Messages?.[0]?.Body, 'keep me');
  });
});
