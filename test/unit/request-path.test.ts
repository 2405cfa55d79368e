// The cheaper forms of per-message work on the SQS request path must answer exactly as the plain forms did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AwsError } from '../../src/core/errors.js';
import type { CallContext } from '../../src/core/service.js';
import type { StructureShape } from '../../src/protocol/shapes.js';
import { checkJsonInput } from '../../src/protocol/validate-shape.js';
import type { QueueRecord } from '../../src/store/contract.js';
import { decodeReceipt, encodeReceipt } from '../../src/sqs/receipt.js';
import { newBodyMemo, prepareSend } from '../../src/sqs/send.js';

const outcome = (fn: () => unknown): unknown => {
  try {
    return fn();
  } catch (e) {
    return e instanceof AwsError ? `${e.kind.code}: ${e.message}` : `not an AwsError: ${String(e)}`;
  }
};

test('receipt handles are the base64 of their UTF-8 text, as before, so handles already handed out still work', () => {
  for (const [queueId, rowId, token] of [
    [1, 1, 'a'],
    [3, 42, 'tok_1'],
    [123456789012345, 999999999999999, 'AbCd-_0123456789xyz'],
    [7, 65536, 'x'.repeat(64)],
  ] as const) {
    const text = `pb1:${queueId}:${rowId}:${token}`;
    const handle = encodeReceipt(queueId, rowId, token);
    assert.equal(handle, Buffer.from(text, 'utf8').toString('base64'));
    assert.deepEqual(decodeReceipt(handle), { queueId, rowId, token });
  }
});

test('a receipt handle decodes as Buffer decoded it, whether or not it is canonical base64', () => {
  const handle = encodeReceipt(5, 77, 'tok');
  const former = (h: string) => {
    const m = /^pb1:(\d{1,15}):(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(h, 'base64').toString('utf8'));
    return m ? { queueId: Number(m[1]), rowId: Number(m[2]), token: m[3] } : 'ReceiptHandleIsInvalid';
  };
  const variants = [
    handle,
    handle.replace(/=+$/, ''), // unpadded
    handle.replaceAll('+', '-').replaceAll('/', '_'), // base64url letters
    ` ${handle}`,
    `${handle.slice(0, 8)}\n${handle.slice(8)}`,
    `${handle}====`,
    handle.slice(0, -4),
    Buffer.from('pb1:5:77:tok\u00e9', 'utf8').toString('base64'), // not ASCII
    Buffer.from([0x70, 0x62, 0x31, 0x3a, 0x35, 0x3a, 0x37, 0x37, 0x3a, 0xe9]).toString('base64'), // not UTF-8 either
    Buffer.from('pb1:5:77:tok\n', 'utf8').toString('base64'),
    '',
    '====',
    'garbage',
  ];
  for (const h of variants) {
    const now = outcome(() => decodeReceipt(h));
    const expected = former(h);
    if (expected === 'ReceiptHandleIsInvalid') assert.match(String(now), /^ReceiptHandleIsInvalid: /, JSON.stringify(h));
    else assert.deepEqual(now, expected, JSON.stringify(h));
  }
});

test('a member of the wrong JSON type is named by its full path', () => {
  const shape: StructureShape = {
    t: 'structure',
    m: {
      QueueUrl: { t: 'string' },
      Entries: {
        t: 'list',
        e: {
          t: 'structure',
          m: {
            Id: { t: 'string' },
            DelaySeconds: { t: 'integer' },
            MessageAttributes: { t: 'map', k: { t: 'string' }, v: { t: 'structure', m: { StringValue: { t: 'string' } } } },
          },
        },
      },
    },
  };
  const ok = { QueueUrl: 'q', Entries: [{ Id: 'a', DelaySeconds: 1, Unknown: [1], MessageAttributes: { n: { StringValue: 's' } } }, null] };
  assert.equal(checkJsonInput(shape, ok), ok);
  const table: [unknown, string][] = [
    [{ QueueUrl: 5 }, 'Expected string at input.QueueUrl, got number'],
    [{ Entries: {} }, 'Expected list at input.Entries, got object'],
    [{ Entries: [{ Id: 'a' }, { DelaySeconds: 1.5 }] }, 'Expected integer at input.Entries[1].DelaySeconds, got number'],
    [{ Entries: [{ MessageAttributes: { n: { StringValue: true } } }] }, 'Expected string at input.Entries[0].MessageAttributes.n.StringValue, got boolean'],
    [{ Entries: [{ MessageAttributes: [] }] }, 'Expected map at input.Entries[0].MessageAttributes, got array'],
    [[], 'Expected structure at input, got array'],
  ];
  for (const [value, message] of table) assert.equal(outcome(() => checkJsonInput(shape, value)), `SerializationException: ${message}`);
});

test('a batch body memo gives every entry the checks, size and MD5 it would get alone', () => {
  const queue: QueueRecord = {
    id: 1,
    name: 'q',
    region: 'us-east-1',
    accountId: '000000000000',
    fifo: false,
    attributes: { MaximumMessageSize: '20' },
    tags: {},
    createdAt: 0,
    modifiedAt: 0,
  };
  const ctx = { requestId: 'r', region: 'us-east-1', accountId: '000000000000', host: 'h', path: '/', protocol: 'json', accessKeyId: undefined } as CallContext;
  const bodies = ['same', 'same', 'bad\u0000', 'bad\u0000', 'same', 'other', 'x'.repeat(21), 'x'.repeat(21), 'same', 'sam\u00e9', 'sam\u00e9'];
  const memo = newBodyMemo();
  for (const body of bodies) {
    const alone = outcome(() => prepareSend(queue, { MessageBody: body }, ctx, 0, true).result);
    const withMemo = outcome(() => prepareSend(queue, { MessageBody: body }, ctx, 0, true, memo).result);
    assert.deepEqual(withMemo, alone, JSON.stringify(body));
    if (typeof alone === 'object') assert.equal((alone as { MD5OfMessageBody: string }).MD5OfMessageBody, createHash('md5').update(body).digest('hex'));
  }
});
