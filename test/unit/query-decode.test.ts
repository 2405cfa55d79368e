import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQueryInput } from '../../src/protocol/query-decode.js';
import { sqsModel } from '../../src/protocol/models/index.js';
import { AwsError } from '../../src/core/errors.js';

const decodeRaw = (action: string, params: Record<string, string>) =>
  decodeQueryInput(sqsModel.operations[action]!.input, new Map(Object.entries(params)));
/** Decoded maps have no prototype; compare them as plain JSON. */
const decode = (action: string, params: Record<string, string>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(decodeRaw(action, params))) as Record<string, unknown>;

test('flattened maps with locationNames: Attribute.N.Name/Value and Tag.N.Key/Value', () => {
  assert.deepEqual(
    decode('CreateQueue', {
      QueueName: 'q',
      'Attribute.1.Name': 'DelaySeconds',
      'Attribute.1.Value': '5',
      'Attribute.2.Name': 'VisibilityTimeout',
      'Attribute.2.Value': '60',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'shop',
    }),
    { QueueName: 'q', Attributes: { DelaySeconds: '5', VisibilityTimeout: '60' }, tags: { team: 'shop' } },
  );
});

test('message attributes nest structures inside flattened maps', () => {
  assert.deepEqual(
    decode('SendMessage', {
      QueueUrl: 'u',
      MessageBody: 'b',
      DelaySeconds: '3',
      'MessageAttribute.1.Name': 's',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'x',
      'MessageAttribute.2.Name': 'b',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': 'AAE=',
    }),
    {
      QueueUrl: 'u',
      MessageBody: 'b',
      DelaySeconds: 3,
      MessageAttributes: { s: { DataType: 'String', StringValue: 'x' }, b: { DataType: 'Binary', BinaryValue: 'AAE=' } },
    },
  );
});

test('flattened lists of structures use the member name: SendMessageBatchRequestEntry.N', () => {
  const input = decode('SendMessageBatch', {
    QueueUrl: 'u',
    'SendMessageBatchRequestEntry.2.Id': 'b',
    'SendMessageBatchRequestEntry.2.MessageBody': 'two',
    'SendMessageBatchRequestEntry.1.Id': 'a',
    'SendMessageBatchRequestEntry.1.MessageBody': 'one',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'k',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'Number',
    'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': '1',
  });
  assert.deepEqual(input, {
    QueueUrl: 'u',
    Entries: [
      { Id: 'a', MessageBody: 'one', MessageAttributes: { k: { DataType: 'Number', StringValue: '1' } } },
      { Id: 'b', MessageBody: 'two' },
    ],
  });
});

test('flattened string lists: AttributeName.N, MessageAttributeName.N, TagKey.N', () => {
  assert.deepEqual(decode('ReceiveMessage', { QueueUrl: 'u', 'AttributeName.1': 'All', 'MessageAttributeName.1': 'a', 'MessageAttributeName.2': 'b.*', MaxNumberOfMessages: '10' }), {
    QueueUrl: 'u',
    AttributeNames: ['All'],
    MessageAttributeNames: ['a', 'b.*'],
    MaxNumberOfMessages: 10,
  });
  assert.deepEqual(decode('UntagQueue', { QueueUrl: 'u', 'TagKey.1': 'x', 'TagKey.2': 'y' }), { QueueUrl: 'u', TagKeys: ['x', 'y'] });
});

test('bad scalars are InvalidParameterValue, not crashes', () => {
  for (const v of ['ten', '1.5', '', '0x10']) {
    assert.throws(() => decode('ReceiveMessage', { QueueUrl: 'u', MaxNumberOfMessages: v }), (e: unknown) => e instanceof AwsError && e.kind.queryCode === 'InvalidParameterValue');
  }
});

test('unknown parameters are ignored; nothing given gives an empty input', () => {
  assert.deepEqual(decode('ListQueues', { Unknown: 'x' }), {});
});

test('positions must be plain numbers: leading zeros and absurd indices are ignored, not crashes', () => {
  assert.deepEqual(decode('ReceiveMessage', { QueueUrl: 'u', 'AttributeName.01': 'All', 'AttributeName.99999999999999999999': 'x' }), { QueueUrl: 'u' });
  assert.deepEqual(decode('ReceiveMessage', { QueueUrl: 'u', 'AttributeName.999999999': 'All' }), { QueueUrl: 'u', AttributeNames: ['All'] });
});

test('a map key named __proto__ is data', () => {
  const input = decodeRaw('SetQueueAttributes', { QueueUrl: 'u', 'Attribute.1.Name': '__proto__', 'Attribute.1.Value': 'x' });
  assert.deepEqual(Object.keys(input['Attributes'] as object), ['__proto__']);
});

test('requests with thousands of parameters are refused before decoding', () => {
  const params: Record<string, string> = { QueueUrl: 'u' };
  for (let i = 1; i <= 3000; i++) params[`SendMessageBatchRequestEntry.${i}.Id`] = `e${i}`;
  assert.throws(() => decode('SendMessageBatch', params), (e: unknown) => e instanceof AwsError && e.kind.queryCode === 'InvalidParameterValue');
});
