/**
 * Messages over the AWS Query protocol, driven by @aws-sdk/client-sqs 3.445: SendMessage (String/Number/Binary
 * attributes, AWSTraceHeader, delays), SendMessageBatch, ReceiveMessage (system attribute and message attribute
 * filters), DeleteMessage(Batch) and ChangeMessageVisibility(Batch). Time moves with a ManualClock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from 'sqs-query';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { queryClient, settle, startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { expectQueryError, md5, md5OfAttributes } from './support.js';

const START = Date.UTC(2026, 0, 1);

describe('Query protocol: messages', () => {
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

  const newQueue = async (attributes?: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('msg'), Attributes: attributes }))).QueueUrl!;
  const counts = async (QueueUrl: string) => {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const a = out.Attributes ?? {};
    return {
      visible: Number(a['ApproximateNumberOfMessages']),
      inflight: Number(a['ApproximateNumberOfMessagesNotVisible']),
      delayed: Number(a['ApproximateNumberOfMessagesDelayed']),
    };
  };
  const receiveAll = (QueueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra }));

  const userAttributes: Record<string, MessageAttributeValue> = {
    str: { DataType: 'String', StringValue: 'hello <world> & "you"' },
    num: { DataType: 'Number', StringValue: '-12.5e3' },
    bin: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254, 255]) },
    'custom.type': { DataType: 'String.custom', StringValue: 'ünïcødé ✓' },
  };

  describe('SendMessage and ReceiveMessage', () => {
    it('round-trips the body, String/Number/Binary attributes and AWSTraceHeader, with AWS MD5s', async () => {
      const QueueUrl = await newQueue();
      const body = 'body with <xml> & "quotes"\r\n and unicode ✓ 𝄞';
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: body,
          MessageAttributes: userAttributes,
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'some-trace-id' } },
        }),
      );
      assert.equal(sent.MD5OfMessageBody, md5(body));
      assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(userAttributes));
      // Recorded against AWS for {AWSTraceHeader: "some-trace-id"}.
      assert.equal(sent.MD5OfMessageSystemAttributes, 'fdce4f2818803f2f73becc09a54792c0');
      assert.match(sent.MessageId!, /^[0-9a-f-]{36}$/);
      assert.equal(sent.SequenceNumber, undefined);

      const got = await receiveAll(QueueUrl, { AttributeNames: ['All'], MessageAttributeNames: ['All'] });
      assert.equal(got.Messages?.length, 1);
      const m = got.Messages![0]!;
      assert.equal(m.MessageId, sent.MessageId);
      assert.equal(m.Body, body);
      assert.equal(m.MD5OfBody, md5(body));
      assert.ok(m.ReceiptHandle);
      assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.deepEqual(Object.keys(m.MessageAttributes!).sort(), Object.keys(userAttributes).sort());
      assert.deepEqual(m.MessageAttributes!['str'], { DataType: 'String', StringValue: 'hello <world> & "you"' });
      assert.deepEqual(m.MessageAttributes!['num'], { DataType: 'Number', StringValue: '-12.5e3' });
      assert.deepEqual(m.MessageAttributes!['custom.type'], { DataType: 'String.custom', StringValue: 'ünïcødé ✓' });
      assert.equal(m.MessageAttributes!['bin']!.DataType, 'Binary');
      assert.deepEqual([...m.MessageAttributes!['bin']!.BinaryValue!], [0, 1, 2, 254, 255]);

      const a = m.Attributes!;
      assert.deepEqual(
        Object.keys(a).sort(),
        ['AWSTraceHeader', 'ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp'],
      );
      assert.equal(a['AWSTraceHeader'], 'some-trace-id');
      assert.equal(a['ApproximateReceiveCount'], '1');
      // Message timestamps are epoch milliseconds, on the server's clock.
      assert.equal(a['SentTimestamp'], String(START));
      assert.equal(a['ApproximateFirstReceiveTimestamp'], String(START));
      assert.ok(a['SenderId']);
    });

    it('omits MD5OfMessageAttributes and MD5OfMessageSystemAttributes when none were sent', async () => {
      const QueueUrl = await newQueue();
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'msg' }));
      assert.equal(sent.MD5OfMessageBody, '6e2baaf3b97dbeef01c0043275f9a0e7');
      assert.equal(sent.MD5OfMessageAttributes, undefined);
      assert.equal(sent.MD5OfMessageSystemAttributes, undefined);
      const got = await receiveAll(QueueUrl);
      const m = got.Messages![0]!;
      // Without AttributeNames or MessageAttributeNames nothing but the message itself comes back.
      assert.equal(m.Attributes, undefined);
      assert.equal(m.MessageAttributes, undefined);
      assert.equal(m.MD5OfMessageAttributes, undefined);
    });

    it('filters message attributes by exact names, prefix.* and All, with an MD5 over what is returned', async () => {
      const QueueUrl = await newQueue();
      const attrs: Record<string, MessageAttributeValue> = {
        General: { DataType: 'String', StringValue: 'Kenobi' },
        Hello: { DataType: 'String', StringValue: 'There' },
        'Help.Me': { DataType: 'String', StringValue: 'Me' },
      };
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'filters', MessageAttributes: attrs }));
      const receiveWith = async (names: string[]) => {
        const out = await receiveAll(QueueUrl, { MessageAttributeNames: names, VisibilityTimeout: 0 });
        return out.Messages![0]!;
      };
      // Vectors recorded against AWS (§4).
      let m = await receiveWith(['All']);
      assert.deepEqual(Object.keys(m.MessageAttributes!).sort(), ['General', 'Hello', 'Help.Me']);
      assert.equal(m.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');
      m = await receiveWith(['.*']);
      assert.deepEqual(Object.keys(m.MessageAttributes!).sort(), ['General', 'Hello', 'Help.Me']);
      m = await receiveWith(['Hello']);
      assert.deepEqual(Object.keys(m.MessageAttributes!), ['Hello']);
      assert.equal(m.MD5OfMessageAttributes, 'a311262e065454b75da111d535b8dacd');
      m = await receiveWith(['Hel.*']);
      assert.deepEqual(Object.keys(m.MessageAttributes!).sort(), ['Hello', 'Help.Me']);
      assert.equal(m.MD5OfMessageAttributes, '83fee93c1bcd8b9a5a923ffacdc636c7');
      m = await receiveWith(['Help.*']);
      assert.deepEqual(Object.keys(m.MessageAttributes!), ['Help.Me']);
      m = await receiveWith(['General', 'Hello']);
      assert.equal(m.MD5OfMessageAttributes, 'fca026605781cb4126a1e9044df24232');
      m = await receiveWith(['Nothing', 'Else.*']);
      assert.equal(m.MessageAttributes, undefined);
      assert.equal(m.MD5OfMessageAttributes, undefined);
    });

    it('returns only the system attributes asked for', async () => {
      const QueueUrl = await newQueue();
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'sys' }));
      const got = await receiveAll(QueueUrl, { AttributeNames: ['SentTimestamp', 'ApproximateReceiveCount', 'MessageGroupId'] as any });
      assert.deepEqual(got.Messages![0]!.Attributes, { SentTimestamp: String(clock.now()), ApproximateReceiveCount: '1' });
    });

    it('delays a message by DelaySeconds, counting it as delayed until then', async () => {
      const QueueUrl = await newQueue();
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 5 }));
      assert.deepEqual(await counts(QueueUrl), { visible: 0, inflight: 0, delayed: 1 });
      assert.equal((await receiveAll(QueueUrl)).Messages, undefined);
      clock.advance(4_999);
      assert.equal((await receiveAll(QueueUrl)).Messages, undefined);
      clock.advance(1);
      assert.deepEqual(await counts(QueueUrl), { visible: 1, inflight: 0, delayed: 0 });
      assert.equal((await receiveAll(QueueUrl)).Messages?.[0]?.Body, 'later');
    });

    it('applies the queue DelaySeconds, and a per-message DelaySeconds=0 overrides it', async () => {
      const QueueUrl = await newQueue({ DelaySeconds: '10' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'queue-delay' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'no-delay', DelaySeconds: 0 }));
      const first = await receiveAll(QueueUrl);
      assert.deepEqual(first.Messages?.map((m) => m.Body), ['no-delay']);
      clock.advance(10_000);
      const second = await receiveAll(QueueUrl);
      assert.deepEqual(second.Messages?.map((m) => m.Body), ['queue-delay']);
    });

    it('drops messages past MessageRetentionPeriod', async () => {
      const QueueUrl = await newQueue({ MessageRetentionPeriod: '60' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'short-lived' }));
      clock.advance(61_000);
      assert.equal((await receiveAll(QueueUrl)).Messages, undefined);
    });

    it('rejects bad input with the AWS codes', async () => {
      const QueueUrl = await newQueue({ MaximumMessageSize: '1024' });
      await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '' })), {
        code: 'MissingParameter',
        status: 400,
        message: 'The request must contain the parameter MessageBody.',
      });
      await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
      });
      await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bad \u0001 char' })), {
        name: 'InvalidMessageContents',
        code: 'InvalidMessageContents',
        status: 400,
      });
      await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 })), {
        code: 'InvalidParameterValue',
        status: 400,
      });
      await expectQueryError(
        sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { e: { DataType: 'String', StringValue: '' } } })),
        { code: 'InvalidParameterValue', status: 400, message: "Message (user) attribute 'e' must contain a non-empty value of type 'String'." },
      );
      await expectQueryError(
        sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes: { h: { DataType: 'Hello', StringValue: 'v' } } })),
        {
          code: 'InvalidParameterValue',
          status: 400,
          message: "The type of message (user) attribute 'h' is invalid. You must use only the following supported type prefixes: Binary, Number, String.",
        },
      );
      await expectQueryError(
        sqs.send(
          new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageSystemAttributes: { Hello: { DataType: 'String', StringValue: 'v' } } as any }),
        ),
        { code: 'InvalidParameterValue', status: 400, message: "Message system attribute name 'Hello' is invalid." },
      );
      await expectQueryError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })), {
        code: 'InvalidParameterValue',
        status: 400,
      });
    });

    it('a long poll returns as soon as a message arrives, and empty when the wait ends', async () => {
      const QueueUrl = await newQueue();
      const waiting = receiveAll(QueueUrl, { WaitTimeSeconds: 20 });
      await settle();
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
      assert.deepEqual((await waiting).Messages?.map((m) => m.Body), ['wake up']);

      // The queue's ReceiveMessageWaitTimeSeconds applies when the request names no wait.
      const polling = await newQueue({ ReceiveMessageWaitTimeSeconds: '20' });
      let done = false;
      const empty = receiveAll(polling).then((out) => {
        done = true;
        return out;
      });
      await settle();
      clock.advance(19_000);
      await settle();
      assert.equal(done, false, 'still waiting before the 20 s are up');
      clock.advance(1_000);
      const out = await empty;
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.Messages, undefined);
    });

    it('rejects ReceiveMessage parameters out of range', async () => {
      const QueueUrl = await newQueue();
      await expectQueryError(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
      });
      await expectQueryError(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
      });
    });
  });

  describe('visibility', () => {
    it('hides a received message for the visibility timeout and counts it in flight', async () => {
      const QueueUrl = await newQueue({ VisibilityTimeout: '30' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'v' }));
      const first = (await receiveAll(QueueUrl, { AttributeNames: ['ApproximateReceiveCount'] as any })).Messages![0]!;
      assert.equal(first.Attributes!['ApproximateReceiveCount'], '1');
      assert.deepEqual(await counts(QueueUrl), { visible: 0, inflight: 1, delayed: 0 });
      assert.equal((await receiveAll(QueueUrl)).Messages, undefined);
      clock.advance(30_000);
      const second = (await receiveAll(QueueUrl, { AttributeNames: ['ApproximateReceiveCount'] as any })).Messages![0]!;
      assert.equal(second.MessageId, first.MessageId);
      assert.equal(second.Attributes!['ApproximateReceiveCount'], '2');
      assert.notEqual(second.ReceiptHandle, first.ReceiptHandle, 'every receive gives a new receipt handle');
    });

    it('ReceiveMessage VisibilityTimeout overrides the queue value', async () => {
      const QueueUrl = await newQueue({ VisibilityTimeout: '300' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'short' }));
      await receiveAll(QueueUrl, { VisibilityTimeout: 5 });
      clock.advance(5_000);
      assert.equal((await receiveAll(QueueUrl)).Messages?.[0]?.Body, 'short');
    });

    it('ChangeMessageVisibility extends from the time of the call, and 0 makes the message visible at once', async () => {
      const QueueUrl = await newQueue({ VisibilityTimeout: '10' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'cmv' }));
      const m = (await receiveAll(QueueUrl)).Messages![0]!;
      clock.advance(5_000);
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 20 }));
      clock.advance(19_000);
      assert.equal((await receiveAll(QueueUrl)).Messages, undefined);
      clock.advance(1_000);
      const again = (await receiveAll(QueueUrl)).Messages![0]!;
      assert.equal(again.MessageId, m.MessageId);
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 0 }));
      assert.equal((await receiveAll(QueueUrl)).Messages?.[0]?.MessageId, m.MessageId);

      await expectQueryError(
        sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43_201 })),
        { code: 'InvalidParameterValue', status: 400 },
      );
      await expectQueryError(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: 'garbage', VisibilityTimeout: 1 })), {
        name: 'ReceiptHandleIsInvalid',
        code: 'ReceiptHandleIsInvalid',
        status: 404,
      });
    });

    it('caps the total visibility at 12 hours from the receive: extensions do not reset it', async () => {
      // docs/aws-sqs-behaviour.md §2.7 (AWS-doc sqs-visibility-timeout; the text is a real AWS error).
      const QueueUrl = await newQueue({ VisibilityTimeout: '30' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'twelve hours' }));
      const m = (await receiveAll(QueueUrl)).Messages![0]!;
      clock.advance(100_000);
      // 100 s elapsed + 43,100 s = exactly 12 hours: allowed.
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_100 }));
      await expectQueryError(
        sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_200 })),
        {
          code: 'InvalidParameterValue',
          status: 400,
          message: 'Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
        },
      );
    });

    it('ChangeMessageVisibilityBatch changes each entry and reports a bad one per entry', async () => {
      const QueueUrl = await newQueue({ VisibilityTimeout: '30' });
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
      const msgs = (await receiveAll(QueueUrl)).Messages!;
      assert.equal(msgs.length, 2);
      const out = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'first', ReceiptHandle: msgs[0]!.ReceiptHandle, VisibilityTimeout: 0 },
            { Id: 'second', ReceiptHandle: msgs[1]!.ReceiptHandle, VisibilityTimeout: 100 },
            { Id: 'bad', ReceiptHandle: msgs[1]!.ReceiptHandle, VisibilityTimeout: -85 },
          ],
        }),
      );
      assert.deepEqual(out.Successful?.map((s) => s.Id).sort(), ['first', 'second']);
      assert.equal(out.Failed?.length, 1);
      assert.equal(out.Failed![0]!.Id, 'bad');
      assert.equal(out.Failed![0]!.SenderFault, true);
      assert.equal(out.Failed![0]!.Code, 'InvalidParameterValue');
      assert.match(out.Failed![0]!.Message!, /^Value -85 for parameter VisibilityTimeout is invalid\. Reason: /);
      const now = (await receiveAll(QueueUrl)).Messages!;
      assert.deepEqual(now.map((m) => m.MessageId), [msgs[0]!.MessageId]);
      clock.advance(100_000);
      assert.deepEqual((await receiveAll(QueueUrl)).Messages?.map((m) => m.MessageId).sort(), msgs.map((m) => m.MessageId).sort());
    });
  });

  describe('DeleteMessage / DeleteMessageBatch', () => {
    it('deletes by receipt handle; deleting again succeeds; a garbage handle is ReceiptHandleIsInvalid (404)', async () => {
      const QueueUrl = await newQueue({ VisibilityTimeout: '0' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'gone' }));
      const m = (await receiveAll(QueueUrl)).Messages![0]!;
      const out = await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal((await receiveAll(QueueUrl)).Messages, undefined);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      await expectQueryError(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'dummy' })), {
        name: 'ReceiptHandleIsInvalid',
        code: 'ReceiptHandleIsInvalid',
        status: 404,
        message: 'The input receipt handle "dummy" is not a valid receipt handle.',
      });
    });

    it('a standard queue accepts a handle whose visibility timeout has passed', async () => {
      const QueueUrl = await newQueue({ VisibilityTimeout: '5' });
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'stale' }));
      const m = (await receiveAll(QueueUrl)).Messages![0]!;
      clock.advance(6_000);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      assert.deepEqual(await counts(QueueUrl), { visible: 0, inflight: 0, delayed: 0 });
    });

    it('DeleteMessageBatch deletes each entry and reports a bad handle per entry', async () => {
      const QueueUrl = await newQueue();
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
      const msgs = (await receiveAll(QueueUrl)).Messages!;
      const out = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'id-1', ReceiptHandle: msgs[0]!.ReceiptHandle },
            { Id: 'id-2', ReceiptHandle: 'dummy' },
            { Id: 'id-3', ReceiptHandle: msgs[1]!.ReceiptHandle },
          ],
        }),
      );
      assert.deepEqual(out.Successful?.map((s) => s.Id).sort(), ['id-1', 'id-3']);
      assert.deepEqual(out.Failed, [
        { Id: 'id-2', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "dummy" is not a valid receipt handle.' },
      ]);
      assert.deepEqual(await counts(QueueUrl), { visible: 0, inflight: 0, delayed: 0 });
    });

    it('batch-wide checks: duplicate ids, bad ids, too many entries', async () => {
      const QueueUrl = await newQueue();
      await expectQueryError(
        sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'x', ReceiptHandle: 'a' }, { Id: 'x', ReceiptHandle: 'b' }] })),
        { name: 'BatchEntryIdsNotDistinct', code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
      );
      await expectQueryError(sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'not ok!', ReceiptHandle: 'a' }] })), {
        name: 'InvalidBatchEntryId',
        code: 'AWS.SimpleQueueService.InvalidBatchEntryId',
        status: 400,
        message: 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      });
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: 'a', VisibilityTimeout: 1 }));
      await expectQueryError(sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: eleven })), {
        name: 'TooManyEntriesInBatchRequest',
        code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        status: 400,
        message: 'Maximum number of entries per request are 10. You have sent 11.',
      });
    });
  });

  describe('SendMessageBatch', () => {
    it('sends entries with attributes and delays and reports a failing entry without failing the others', async () => {
      const QueueUrl = await newQueue();
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'plain', MessageBody: 'one' },
            { Id: 'with-attrs', MessageBody: 'two', MessageAttributes: userAttributes },
            { Id: 'delayed_3', MessageBody: 'three', DelaySeconds: 30 },
            { Id: 'empty', MessageBody: '' },
            {
              Id: 'traced',
              MessageBody: 'four',
              MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'some-trace-id' } },
            },
          ],
        }),
      );
      assert.equal(out.$metadata.httpStatusCode, 200);
      const ok = new Map(out.Successful!.map((s) => [s.Id, s]));
      assert.deepEqual([...ok.keys()].sort(), ['delayed_3', 'plain', 'traced', 'with-attrs']);
      assert.equal(ok.get('plain')!.MD5OfMessageBody, md5('one'));
      assert.equal(ok.get('plain')!.MD5OfMessageAttributes, undefined);
      assert.equal(ok.get('with-attrs')!.MD5OfMessageAttributes, md5OfAttributes(userAttributes));
      assert.equal(ok.get('traced')!.MD5OfMessageSystemAttributes, 'fdce4f2818803f2f73becc09a54792c0');
      assert.equal(ok.get('plain')!.MD5OfMessageSystemAttributes, undefined);
      assert.equal(out.Failed?.length, 1);
      const failed = out.Failed![0]!;
      assert.equal(failed.Id, 'empty');
      assert.equal(failed.SenderFault, true);
      assert.equal(failed.Code, 'MissingParameter');
      assert.match(failed.Message!, /^The request must contain the parameter /);

      assert.deepEqual(await counts(QueueUrl), { visible: 3, inflight: 0, delayed: 1 });
      const got = await receiveAll(QueueUrl, { MessageAttributeNames: ['All'], AttributeNames: ['AWSTraceHeader'] as any, VisibilityTimeout: 300 });
      const byBody = new Map(got.Messages!.map((m) => [m.Body, m]));
      assert.deepEqual([...byBody.keys()].sort(), ['four', 'one', 'two']);
      assert.equal(byBody.get('two')!.MessageId, ok.get('with-attrs')!.MessageId);
      assert.equal(byBody.get('two')!.MD5OfMessageAttributes, md5OfAttributes(userAttributes));
      assert.equal(byBody.get('four')!.Attributes!['AWSTraceHeader'], 'some-trace-id');
      clock.advance(30_000);
      assert.deepEqual((await receiveAll(QueueUrl)).Messages?.map((m) => m.Body), ['three']);
    });

    it('fails the whole batch for an empty batch, too many entries, duplicate ids and a total over the size limit', async () => {
      const QueueUrl = await newQueue();
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
      await expectQueryError(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: eleven })), {
        code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        status: 400,
        message: 'Maximum number of entries per request are 10. You have sent 11.',
      });
      await expectQueryError(
        sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'd', MessageBody: 'x' }, { Id: 'd', MessageBody: 'y' }] })),
        { code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400, message: 'Id d repeated.' },
      );
      const big = 'x'.repeat(600_000);
      await expectQueryError(
        sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: big }, { Id: 'b', MessageBody: big }] })),
        {
          name: 'BatchRequestTooLong',
          code: 'AWS.SimpleQueueService.BatchRequestTooLong',
          status: 400,
          message: /^Batch requests cannot be longer than 1048576 bytes\. You have sent \d+ bytes\.$/,
        },
      );
      assert.deepEqual(await counts(QueueUrl), { visible: 0, inflight: 0, delayed: 0 });
    });
  });
});
