/**
 * FIFO queues over the AWS Query protocol, driven by @aws-sdk/client-sqs 3.445: message groups, ordering and group
 * locking, deduplication (explicit and content-based, 5-minute window), sequence numbers, batches and the FIFO
 * errors. Time moves with a ManualClock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from 'sqs-query';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { queryClient, startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { expectQueryError } from './support.js';

describe('Query protocol: FIFO queues', () => {
  let postbox: Postbox;
  let clock: ManualClock;
  let sqs: SQSClient;
  before(async () => {
    ({ postbox, clock } = await startClockedPostbox());
    sqs = queryClient(postbox.endpoint);
  });
  after(async () => {
    sqs?.destroy();
    await postbox?.stop();
  });

  const newFifo = async (attributes: Record<string, string> = {}) =>
    (
      await sqs.send(
        new CreateQueueCommand({ QueueName: `${uniqueName('fifo')}.fifo`, Attributes: { FifoQueue: 'true', ...attributes } }),
      )
    ).QueueUrl!;
  const receive = (QueueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra }));

  it('sends with group and deduplication ids, answering growing decimal sequence numbers', async () => {
    const QueueUrl = await newFifo();
    const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a', MessageGroupId: 'g1', MessageDeduplicationId: 'd-a' }));
    const b = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b', MessageGroupId: 'g1', MessageDeduplicationId: 'd-b' }));
    assert.match(a.SequenceNumber!, /^\d+$/);
    assert.match(b.SequenceNumber!, /^\d+$/);
    assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!), 'sequence numbers increase within a group');

    const got = await receive(QueueUrl, { AttributeNames: ['All'] });
    assert.deepEqual(got.Messages?.map((m) => m.Body), ['a', 'b']);
    const first = got.Messages![0]!;
    assert.deepEqual(Object.keys(first.Attributes!).sort(), [
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'MessageDeduplicationId',
      'MessageGroupId',
      'SenderId',
      'SentTimestamp',
      'SequenceNumber',
    ]);
    assert.equal(first.Attributes!['MessageGroupId'], 'g1');
    assert.equal(first.Attributes!['MessageDeduplicationId'], 'd-a');
    assert.equal(first.Attributes!['SequenceNumber'], a.SequenceNumber);
  });

  it('keeps order within a group and holds back a group while one of its messages is in flight', async () => {
    const QueueUrl = await newFifo({ ContentBasedDeduplication: 'true' });
    for (const [body, group] of [
      ['g1-1', 'g1'],
      ['g1-2', 'g1'],
      ['g2-1', 'g2'],
    ] as const) {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: group }));
    }
    const one = await receive(QueueUrl, { MaxNumberOfMessages: 1 });
    assert.deepEqual(one.Messages?.map((m) => m.Body), ['g1-1']);
    const rest = await receive(QueueUrl);
    assert.deepEqual(rest.Messages?.map((m) => m.Body), ['g2-1'], 'g1 is locked while g1-1 is in flight');
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: one.Messages![0]!.ReceiptHandle }));
    const next = await receive(QueueUrl);
    assert.deepEqual(next.Messages?.map((m) => m.Body), ['g1-2']);
  });

  it('deduplicates within 5 minutes, even after the original was deleted', async () => {
    const QueueUrl = await newFifo();
    const send = () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));
    const first = await send();
    const dup = await send();
    assert.equal(dup.$metadata.httpStatusCode, 200);
    assert.equal(dup.MessageId, first.MessageId);
    const got = await receive(QueueUrl);
    assert.equal(got.Messages?.length, 1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
    const afterDelete = await send();
    assert.equal(afterDelete.MessageId, first.MessageId);
    assert.equal((await receive(QueueUrl)).Messages, undefined);
    clock.advance(5 * 60_000 + 1);
    const fresh = await send();
    assert.notEqual(fresh.MessageId, first.MessageId);
    assert.deepEqual((await receive(QueueUrl)).Messages?.map((m) => m.MessageId), [fresh.MessageId]);
  });

  it('content-based deduplication hashes the body only', async () => {
    const QueueUrl = await newFifo({ ContentBasedDeduplication: 'true' });
    const a = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same body', MessageGroupId: 'g' }));
    const b = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'same body',
        MessageGroupId: 'g',
        MessageAttributes: { x: { DataType: 'String', StringValue: 'different' } },
      }),
    );
    assert.equal(b.MessageId, a.MessageId);
    const got = await receive(QueueUrl, { AttributeNames: ['MessageDeduplicationId'] as any });
    assert.equal(got.Messages?.length, 1);
    // The generated id is the SHA-256 (hex) of the body.
    assert.equal(got.Messages![0]!.Attributes!['MessageDeduplicationId'], createHash('sha256').update('same body').digest('hex'));
  });

  it('SendMessageBatch answers sequence numbers and fails the whole batch for a missing group id', async () => {
    const QueueUrl = await newFifo({ ContentBasedDeduplication: 'true' });
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a', MessageGroupId: 'g' },
          { Id: 'b', MessageBody: 'b', MessageGroupId: 'g', MessageDeduplicationId: 'explicit' },
        ],
      }),
    );
    assert.deepEqual(out.Successful?.map((s) => s.Id), ['a', 'b']);
    assert.ok(out.Successful!.every((s) => /^\d+$/.test(s.SequenceNumber ?? '')));
    assert.deepEqual(out.Failed ?? [], []);
    await expectQueryError(
      sqs.send(
        new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'ok', MessageBody: 'x', MessageGroupId: 'g' }, { Id: 'nogroup', MessageBody: 'y' }] }),
      ),
      { code: 'InvalidParameterValue', status: 400, message: 'The request must contain the parameter MessageGroupId.' },
    );
    assert.deepEqual((await receive(QueueUrl)).Messages?.map((m) => m.Body), ['a', 'b']);
  });

  it('answers the FIFO errors AWS answers', async () => {
    const QueueUrl = await newFifo();
    await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })), {
      code: 'MissingParameter',
      status: 400,
      message: 'The request must contain the parameter MessageGroupId.',
    });
    await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' })), {
      code: 'InvalidParameterValue',
      status: 400,
      message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    });
    await expectQueryError(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 2 })),
      {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
      },
    );
    // DelaySeconds=0 is accepted.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd0', DelaySeconds: 0 }));
  });

  it('refuses a receipt handle whose visibility timeout has passed', async () => {
    const QueueUrl = await newFifo({ ContentBasedDeduplication: 'true', VisibilityTimeout: '5' });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'expire', MessageGroupId: 'g' }));
    const m = (await receive(QueueUrl)).Messages![0]!;
    clock.advance(6_000);
    await expectQueryError(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle })), {
      code: 'InvalidParameterValue',
      status: 400,
      message: `Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
    });
  });

  it('ReceiveRequestAttemptId returns the same messages and handles on a retry', async () => {
    const QueueUrl = await newFifo({ ContentBasedDeduplication: 'true' });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'r1', MessageGroupId: 'g' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'r2', MessageGroupId: 'g' }));
    const first = await receive(QueueUrl, { ReceiveRequestAttemptId: 'attempt-1' });
    const retry = await receive(QueueUrl, { ReceiveRequestAttemptId: 'attempt-1' });
    assert.deepEqual(first.Messages?.map((m) => m.Body), ['r1', 'r2']);
    assert.deepEqual(
      retry.Messages?.map((m) => [m.MessageId, m.ReceiptHandle]),
      first.Messages?.map((m) => [m.MessageId, m.ReceiptHandle]),
    );
  });

  it('a standard queue accepts a MessageGroupId (fair queues) and hands it back', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('fair') }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'tenant', MessageGroupId: 'tenant-1' }));
    assert.equal(sent.SequenceNumber, undefined);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(got.Messages?.[0]?.Attributes?.['MessageGroupId'], 'tenant-1');
  });
});
