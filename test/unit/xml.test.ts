import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml } from '../../src/protocol/xml.js';
import { queryError, queryResult } from '../../src/protocol/wire.js';
import { sqsModel } from '../../src/protocol/models/index.js';
import { AwsError } from '../../src/core/errors.js';

const wire = { signingName: 'sqs', model: sqsModel };

test('escapes the five XML specials and keeps carriage returns as references', () => {
  assert.equal(escapeXml(`a<b>&"c'\r`), 'a&lt;b&gt;&amp;&quot;c&apos;&#xD;');
  assert.equal(escapeXml('plain'), 'plain');
});

test('ReceiveMessage renders flattened Message, Attribute and MessageAttribute elements', () => {
  const out = queryResult(wire, 'ReceiveMessage', 'rid', {
    Messages: [
      {
        MessageId: 'm1',
        ReceiptHandle: 'r1',
        MD5OfBody: 'd',
        Body: '<hi>',
        Attributes: { SentTimestamp: '1' },
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
      },
    ],
  });
  assert.equal(
    out.body,
    '<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>' +
      '<Message><MessageId>m1</MessageId><ReceiptHandle>r1</ReceiptHandle><MD5OfBody>d</MD5OfBody><Body>&lt;hi&gt;</Body>' +
      '<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>' +
      '<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
      '</Message></ReceiveMessageResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ReceiveMessageResponse>',
  );
});

test('ListQueues repeats QueueUrl; an action without output has only ResponseMetadata', () => {
  const list = queryResult(wire, 'ListQueues', 'r', { QueueUrls: ['a', 'b'] });
  assert.match(list.body, /<ListQueuesResult><QueueUrl>a<\/QueueUrl><QueueUrl>b<\/QueueUrl><\/ListQueuesResult>/);
  const del = queryResult(wire, 'DeleteQueue', 'r', {});
  assert.match(del.body, /<DeleteQueueResponse xmlns="[^"]+"><ResponseMetadata>/);
});

test('errors render as ErrorResponse with the Query code and the Query wording', () => {
  const err = new AwsError('QueueDoesNotExist', 'json words', 'query words');
  const out = queryError(wire, 'rid', err);
  assert.equal(out.status, 400);
  assert.match(out.body, /<Error><Type>Sender<\/Type><Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code><Message>query words<\/Message><Detail\/><\/Error>/);
});
