/**
 * The message log's record text (src/store/sqlite/message-log-codec.ts): every record kind reads back as written,
 * whatever characters the strings hold, and a damaged row is refused rather than misread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecords, encodeDelete, encodePurge, encodeReceive, encodeSend, encodeVisibility, type LogRecord } from '../../src/store/sqlite/message-log-codec.js';

const decodeAll = (text: string): LogRecord[] => {
  const out: LogRecord[] = [];
  decodeRecords(text, (r) => out.push(r));
  return out;
};

const state = { id: 7, queueId: 3, visibleAt: 1_767_225_600_000, expiresAt: 1_767_571_200_000, receiveCount: 0, firstReceivedAt: null, receivedAt: null, receiptToken: null };

test('a send record keeps every field, absent ones absent, and strings with separators, digits and any Unicode intact', () => {
  const content = {
    messageId: 'e1f2',
    body: '12:~;s,d;p 😀 \u0000 " \\ ',
    md5OfBody: 'abc',
    senderId: 'AIDA',
    sentAt: 1_767_225_600_000,
    messageAttributes: '{"a":{"DataType":"String","StringValue":"x;y"}}',
    md5OfMessageAttributes: 'def',
    groupId: '',
    deadLetterSourceArn: 'arn:aws:sqs:us-east-1:000000000000:src',
  };
  const received = { ...state, receiveCount: 2, firstReceivedAt: 5, receivedAt: 6, receiptToken: 'tok:1;' };
  assert.deepEqual(decodeAll(encodeSend(state, content) + encodeSend(received, { ...content, body: '' })), [
    { kind: 'send', state, content },
    { kind: 'send', state: received, content: { ...content, body: '' } },
  ]);
});

test('receive, visibility, delete and purge records read back in order', () => {
  const text = encodeReceive(4, 10, 9, 'abc', [1, 2, 3]) + encodeVisibility(4, 11, 2) + encodeDelete(4, [1, 3]) + encodePurge(4);
  assert.deepEqual(decodeAll(text), [
    { kind: 'receive', queueId: 4, visibleAt: 10, receivedAt: 9, token: 'abc', ids: [1, 2, 3] },
    { kind: 'visibility', queueId: 4, visibleAt: 11, id: 2 },
    { kind: 'delete', queueId: 4, ids: [1, 3] },
    { kind: 'purge', queueId: 4 },
  ]);
  assert.deepEqual(decodeAll(''), []);
});

test('a reader with no room for content steps over it and still reads every record after it', () => {
  const content = { messageId: 'm', body: 'a;b:c', md5OfBody: 'x', senderId: 's', sentAt: 1, groupId: 'g' };
  const got = [] as LogRecord[];
  decodeRecords(encodeSend(state, content) + encodeDelete(3, [7]), (r) => got.push(r), () => false);
  assert.deepEqual(got, [{ kind: 'send', state, content: undefined }, { kind: 'delete', queueId: 3, ids: [7] }]);
});

test('a damaged row is refused: cut short, an unknown kind, a bad number, a string running past the end', () => {
  const good = encodeSend(state, { messageId: 'm', body: 'hello', md5OfBody: 'x', senderId: 's', sentAt: 1 });
  for (const bad of [good.slice(0, -3), 'x1;', 'd1,a;', 'd1;', 'v1,2;', 'r1,2,3;3:abc', 'r1,2,3,4;9:abc', good.replace('5:hello', '9:hello')]) {
    assert.throws(() => decodeAll(bad), /message log row damaged/, JSON.stringify(bad));
  }
});
