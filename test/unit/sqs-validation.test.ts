import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../src/core/errors.js';
import { checkBodyCharacters, checkMessageAttributes } from '../../src/sqs/message-input.js';
import { validateAttributes } from '../../src/sqs/queue-attributes.js';
import { decodeReceipt, encodeReceipt } from '../../src/sqs/receipt.js';
import { parseQueueUrl } from '../../src/sqs/queue-ref.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof AwsError ? e.kind.code : `not an AwsError: ${String(e)}`;
  }
};

test('body characters: AWS allows tab, newline, CR, and the planes minus surrogates and FFFE/FFFF', () => {
  const table: [string, string][] = [
    ['plain text', 'ok'],
    ['\t\n\r', 'ok'],
    ['emoji 🌍', 'ok'],
    ['\uE000\uFFFD', 'ok'],
    ['\u0000', 'InvalidMessageContents'],
    ['\u0008', 'InvalidMessageContents'],
    ['\uFFFE', 'InvalidMessageContents'],
    ['\uFFFF', 'InvalidMessageContents'],
    ['lone \uD800 surrogate', 'InvalidMessageContents'],
  ];
  for (const [body, expected] of table) assert.equal(code(() => checkBodyCharacters(body)), expected, JSON.stringify(body));
});

test('message attribute rules, each broken in turn', () => {
  const s = (v: string) => ({ DataType: 'String', StringValue: v });
  const table: [Record<string, any>, string][] = [
    [{ ok: s('v') }, 'ok'],
    [{ 'a.b-c_d': s('v') }, 'ok'],
    [{ n: { DataType: 'Number', StringValue: '1e10' } }, 'ok'],
    [{ n: { DataType: 'Number.float', StringValue: '-0.5' } }, 'ok'],
    [{ n: { DataType: 'Number', StringValue: '1'.repeat(39) } }, 'InvalidParameterValueException'],
    [{ n: { DataType: 'Number', StringValue: 'x' } }, 'InvalidParameterValueException'],
    [{ '.a': s('v') }, 'InvalidParameterValueException'],
    [{ 'a.': s('v') }, 'InvalidParameterValueException'],
    [{ 'a..b': s('v') }, 'InvalidParameterValueException'],
    [{ 'a b': s('v') }, 'InvalidParameterValueException'],
    [{ 'amazon.x': s('v') }, 'InvalidParameterValueException'],
    [{ a: s('') }, 'InvalidParameterValueException'],
    [{ a: { DataType: 'Binary' } }, 'InvalidParameterValueException'],
    [{ a: { DataType: 'Blob', StringValue: 'x' } }, 'InvalidParameterValueException'],
    [{ a: { DataType: 'String', StringListValues: ['x'], StringValue: 'x' } }, 'InvalidParameterValueException'],
    [{ ['x'.repeat(257)]: s('v') }, 'InvalidParameterValueException'],
  ];
  for (const [attrs, expected] of table) assert.equal(code(() => checkMessageAttributes(attrs)), expected, JSON.stringify(attrs).slice(0, 80));
});

test('attribute size counts name, type and value bytes', () => {
  assert.equal(checkMessageAttributes({ ab: { DataType: 'String', StringValue: 'é' } }), 2 + 6 + 2);
  assert.equal(checkMessageAttributes({ b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') } }), 1 + 6 + 3);
});

test('queue attribute ranges', () => {
  const table: [Record<string, string>, boolean, string][] = [
    [{ DelaySeconds: '0' }, false, 'ok'],
    [{ DelaySeconds: '900' }, false, 'ok'],
    [{ DelaySeconds: '901' }, false, 'InvalidAttributeValue'],
    [{ DelaySeconds: '-1' }, false, 'InvalidAttributeValue'],
    [{ DelaySeconds: '1.5' }, false, 'InvalidAttributeValue'],
    [{ MaximumMessageSize: '1023' }, false, 'InvalidAttributeValue'],
    [{ MaximumMessageSize: '1048576' }, false, 'ok'],
    [{ MaximumMessageSize: '1048577' }, false, 'InvalidAttributeValue'],
    [{ MessageRetentionPeriod: '1209600' }, false, 'ok'],
    [{ MessageRetentionPeriod: '1209601' }, false, 'InvalidAttributeValue'],
    [{ ReceiveMessageWaitTimeSeconds: '21' }, false, 'InvalidAttributeValue'],
    [{ VisibilityTimeout: '43200' }, false, 'ok'],
    [{ KmsDataKeyReusePeriodSeconds: '59' }, false, 'InvalidAttributeValue'],
    [{ SqsManagedSseEnabled: 'maybe' }, false, 'InvalidAttributeValue'],
    [{ Policy: 'not json' }, false, 'InvalidAttributeValue'],
    [{ ContentBasedDeduplication: 'true' }, false, 'InvalidAttributeName'],
    [{ ContentBasedDeduplication: 'true' }, true, 'ok'],
    [{ DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' }, true, 'ok'],
    [{ DeduplicationScope: 'queue', FifoThroughputLimit: 'perMessageGroupId' }, true, 'InvalidAttributeValue'],
    [{ DeduplicationScope: 'other' }, true, 'InvalidAttributeValue'],
    [{ RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":1001}' }, false, 'InvalidParameterValueException'],
    [{ RedrivePolicy: '{"deadLetterTargetArn":"nope","maxReceiveCount":1}' }, false, 'InvalidParameterValueException'],
    [{ Unknown: 'x' }, false, 'InvalidAttributeName'],
  ];
  for (const [attrs, fifo, expected] of table) assert.equal(code(() => validateAttributes(attrs, fifo, true)), expected, JSON.stringify(attrs));
});

test('receipt handles round-trip and garbage is ReceiptHandleIsInvalid', () => {
  const h = encodeReceipt(3, 42, 'tok_1');
  assert.deepEqual(decodeReceipt(h), { queueId: 3, rowId: 42, token: 'tok_1' });
  for (const bad of ['', 'garbage', Buffer.from('pb1:x:1:t').toString('base64'), Buffer.from('pb1:1:2:').toString('base64')]) {
    assert.equal(code(() => decodeReceipt(bad)), 'ReceiptHandleIsInvalid', bad);
  }
});

test('queue URL forms', () => {
  const ctx = { region: 'us-east-1' } as any;
  assert.deepEqual(parseQueueUrl('http://localhost:4566/000000000000/orders', ctx), { accountId: '000000000000', region: 'us-east-1', name: 'orders' });
  assert.deepEqual(parseQueueUrl('https://sqs.eu-west-1.amazonaws.com/111122223333/o.fifo', ctx), { accountId: '111122223333', region: 'eu-west-1', name: 'o.fifo' });
  assert.deepEqual(parseQueueUrl('http://localhost:4566/queue/ap-south-1/000000000000/x', ctx), { accountId: '000000000000', region: 'ap-south-1', name: 'x' });
  assert.equal(code(() => parseQueueUrl('not a url', ctx)), 'InvalidAddress');
  assert.equal(code(() => parseQueueUrl('http://h/abc/orders', ctx)), 'InvalidAddress');
});
