/**
 * The AWS Query protocol on the wire, with plain fetch: form POSTs and GETs, the queue URL used as the request path,
 * the XML envelopes (`xmlns`, ResponseMetadata/RequestId, the x-amzn-RequestId header), ErrorResponse documents,
 * parameter flattening (gaps and order), unknown actions and malformed values.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox, uniqueName } from '../../support/postbox.js';
import {
  NON_EXISTENT_QUEUE,
  NON_EXISTENT_QUEUE_MESSAGE,
  SQS_NS,
  SQS_VERSION,
  assertQueryEnvelope,
  assertQueryErrorDocument,
  getQuery,
  md5,
  postForm,
  xmlAll,
  xmlOne,
} from './support.js';

describe('Query protocol: raw HTTP', () => {
  let postbox: Postbox;
  let endpoint: string;
  before(async () => {
    postbox = await startTestPostbox();
    endpoint = postbox.endpoint;
  });
  after(async () => {
    await postbox?.stop();
  });

  const sqs = (params: Record<string, string>, path = '/') => postForm(endpoint, path, { Version: SQS_VERSION, ...params });
  const createQueue = async (name = uniqueName('raw'), extra: Record<string, string> = {}) => {
    const res = await sqs({ Action: 'CreateQueue', QueueName: name, ...extra });
    assertQueryEnvelope(res, 'CreateQueue');
    const url = xmlOne(res.text, 'QueueUrl')!;
    return { name, url, path: new URL(url).pathname };
  };

  describe('envelopes', () => {
    it('CreateQueue answers <CreateQueueResponse xmlns=…><CreateQueueResult><QueueUrl> and ResponseMetadata/RequestId', async () => {
      const name = uniqueName('env');
      const res = await sqs({ Action: 'CreateQueue', QueueName: name });
      assertQueryEnvelope(res, 'CreateQueue');
      assert.match(res.text, /^<\?xml version="1\.0"( encoding="UTF-8")?\?>/);
      assert.match(res.text, new RegExp(`<CreateQueueResult><QueueUrl>${endpoint}/000000000000/${name}</QueueUrl></CreateQueueResult>`));
    });

    it('an operation without output carries only ResponseMetadata', async () => {
      const q = await createQueue();
      for (const [action, params] of [
        ['SetQueueAttributes', { 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '10' }],
        ['TagQueue', { 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' }],
        ['UntagQueue', { 'TagKey.1': 'k' }],
        ['PurgeQueue', {}],
        ['DeleteQueue', {}],
      ] as const) {
        const res = await sqs({ Action: action, QueueUrl: q.url, ...params });
        assertQueryEnvelope(res, action);
        assert.match(res.text, new RegExp(`<${action}Response xmlns="[^"]+"><ResponseMetadata><RequestId>`), res.text);
      }
    });

    it('GetQueueAttributes renders <Attribute><Name/><Value/></Attribute> and XML-escapes values', async () => {
      const q = await createQueue();
      const policy = JSON.stringify({ Statement: [{ Sid: '<&>"\'', Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: '*' }] });
      assertQueryEnvelope(
        await sqs({ Action: 'SetQueueAttributes', QueueUrl: q.url, 'Attribute.1.Name': 'Policy', 'Attribute.1.Value': policy }),
        'SetQueueAttributes',
      );
      const res = await sqs({ Action: 'GetQueueAttributes', QueueUrl: q.url, 'AttributeName.1': 'Policy', 'AttributeName.2': 'VisibilityTimeout' });
      assertQueryEnvelope(res, 'GetQueueAttributes');
      assert.match(res.text, /<GetQueueAttributesResult>(<Attribute><Name>[A-Za-z]+<\/Name><Value>[^<]*<\/Value><\/Attribute>)+<\/GetQueueAttributesResult>/);
      const names = xmlAll(res.text, 'Name');
      const values = xmlAll(res.text, 'Value');
      const attrs = Object.fromEntries(names.map((n, i) => [n, values[i]]));
      assert.deepEqual(attrs, { Policy: policy, VisibilityTimeout: '30' });
    });

    it('ListQueues repeats <QueueUrl> without a wrapper', async () => {
      const prefix = uniqueName('lq');
      await createQueue(`${prefix}-1`);
      await createQueue(`${prefix}-2`);
      const res = await sqs({ Action: 'ListQueues', QueueNamePrefix: prefix });
      assertQueryEnvelope(res, 'ListQueues');
      assert.match(res.text, /<ListQueuesResult><QueueUrl>[^<]+<\/QueueUrl><QueueUrl>[^<]+<\/QueueUrl><\/ListQueuesResult>/);
    });

    it('an error is <ErrorResponse xmlns=…><Error><Type/><Code/><Message/><Detail/></Error><RequestId/> with the same status as JSON', async () => {
      const res = await sqs({ Action: 'GetQueueUrl', QueueName: uniqueName('missing') });
      assertQueryErrorDocument(res, { status: 400, code: NON_EXISTENT_QUEUE, message: NON_EXISTENT_QUEUE_MESSAGE });
      assert.match(res.text, /<Error><Type>Sender<\/Type><Code>[^<]+<\/Code><Message>[^<]+<\/Message><Detail\/><\/Error><RequestId>/);
      const bad = await sqs({ Action: 'DeleteMessage', QueueUrl: (await createQueue()).url, ReceiptHandle: 'dummy' });
      assertQueryErrorDocument(bad, { status: 404, code: 'ReceiptHandleIsInvalid', message: 'The input receipt handle "dummy" is not a valid receipt handle.' });
    });

    it('every response carries x-amzn-RequestId, unique per request', async () => {
      const a = await sqs({ Action: 'ListQueues' });
      const b = await sqs({ Action: 'ListQueues' });
      assert.ok(a.headers.get('x-amzn-requestid'));
      assert.notEqual(a.headers.get('x-amzn-requestid'), b.headers.get('x-amzn-requestid'));
    });
  });

  describe('the queue URL as the request path', () => {
    it('a form POST to /<account>/<name> without QueueUrl sends, receives and deletes', async () => {
      const q = await createQueue();
      const sent = await postForm(endpoint, q.path, 'Action=SendMessage&MessageBody=x&Version=2012-11-05');
      assertQueryEnvelope(sent, 'SendMessage');
      assert.equal(xmlOne(sent.text, 'MD5OfMessageBody'), md5('x'));
      const messageId = xmlOne(sent.text, 'MessageId');
      assert.ok(messageId);

      const got = await postForm(endpoint, q.path, { Action: 'ReceiveMessage', Version: SQS_VERSION, 'AttributeName.1': 'All' });
      assertQueryEnvelope(got, 'ReceiveMessage');
      assert.equal(xmlOne(got.text, 'MessageId'), messageId);
      assert.equal(xmlOne(got.text, 'Body'), 'x');
      assert.equal(xmlOne(got.text, 'MD5OfBody'), md5('x'));
      const handle = xmlOne(got.text, 'ReceiptHandle')!;
      const del = await postForm(endpoint, q.path, { Action: 'DeleteMessage', Version: SQS_VERSION, ReceiptHandle: handle });
      assertQueryEnvelope(del, 'DeleteMessage');
      const attrs = await postForm(endpoint, q.path, {
        Action: 'GetQueueAttributes',
        Version: SQS_VERSION,
        'AttributeName.1': 'ApproximateNumberOfMessages',
        'AttributeName.2': 'ApproximateNumberOfMessagesNotVisible',
      });
      assert.deepEqual(xmlAll(attrs.text, 'Value'), ['0', '0']);
    });

    it('a GET with a query string works, on / and on the queue path', async () => {
      const q = await createQueue();
      const url = await getQuery(endpoint, '/', { Action: 'GetQueueUrl', QueueName: q.name, Version: SQS_VERSION });
      assertQueryEnvelope(url, 'GetQueueUrl');
      assert.equal(xmlOne(url.text, 'QueueUrl'), q.url);
      const sent = await getQuery(endpoint, q.path, { Action: 'SendMessage', MessageBody: 'via get', Version: SQS_VERSION });
      assertQueryEnvelope(sent, 'SendMessage');
      const attrs = await getQuery(endpoint, q.path, { Action: 'GetQueueAttributes', 'AttributeName.1': 'All' });
      assertQueryEnvelope(attrs, 'GetQueueAttributes');
      assert.match(attrs.text, /<Attribute><Name>QueueArn<\/Name><Value>arn:aws:sqs:us-east-1:000000000000:/);
    });

    it('a QueueUrl in the body overrides the path', async () => {
      const a = await createQueue();
      const b = await createQueue();
      const res = await postForm(endpoint, a.path, { Action: 'SendMessage', Version: SQS_VERSION, QueueUrl: b.url, MessageBody: 'to b' });
      assertQueryEnvelope(res, 'SendMessage');
      const onB = await postForm(endpoint, b.path, { Action: 'ReceiveMessage', Version: SQS_VERSION });
      assert.equal(xmlOne(onB.text, 'Body'), 'to b');
      const onA = await postForm(endpoint, a.path, { Action: 'ReceiveMessage', Version: SQS_VERSION });
      assert.equal(xmlOne(onA.text, 'Body'), undefined);
    });

    it('AWS-form QueueUrls and the LocalStack /queue/<region>/… path name the same queue', async () => {
      const q = await createQueue();
      const aws = await sqs({ Action: 'SendMessage', QueueUrl: `https://sqs.us-east-1.amazonaws.com/000000000000/${q.name}`, MessageBody: 'aws-form' });
      assertQueryEnvelope(aws, 'SendMessage');
      const ls = await postForm(endpoint, `/queue/us-east-1/000000000000/${q.name}`, { Action: 'SendMessage', Version: SQS_VERSION, MessageBody: 'ls-form' });
      assertQueryEnvelope(ls, 'SendMessage');
      const got = await postForm(endpoint, q.path, { Action: 'ReceiveMessage', Version: SQS_VERSION, MaxNumberOfMessages: '10' });
      assert.deepEqual(xmlAll(got.text, 'Body').sort(), ['aws-form', 'ls-form']);
    });

    it('a queue path naming no queue is NonExistentQueue', async () => {
      const res = await postForm(endpoint, `/000000000000/${uniqueName('ghost')}`, 'Action=SendMessage&MessageBody=x&Version=2012-11-05');
      assertQueryErrorDocument(res, { status: 400, code: NON_EXISTENT_QUEUE, message: NON_EXISTENT_QUEUE_MESSAGE });
    });

    it('ListQueues and CreateQueue on a queue URL are InvalidAction (400)', async () => {
      const q = await createQueue();
      for (const action of ['ListQueues', 'CreateQueue']) {
        const res = await postForm(endpoint, q.path, { Action: action, Version: SQS_VERSION, QueueName: uniqueName('onpath') });
        assertQueryErrorDocument(res, { status: 400, code: 'InvalidAction', message: `The action ${action} is not valid for this endpoint.` });
      }
    });

    it('a GET on a queue URL without an Action is a 404', async () => {
      const q = await createQueue();
      const res = await getQuery(endpoint, q.path);
      assert.equal(res.status, 404, `${res.status} ${res.text}`);
    });
  });

  describe('bad requests', () => {
    it('an unknown Action is InvalidAction, 400, as an XML ErrorResponse', async () => {
      const res = await sqs({ Action: 'Frobnicate' });
      assertQueryErrorDocument(res, { status: 400, code: 'InvalidAction', message: 'The action Frobnicate is not valid for this endpoint.' });
      assert.match(res.text, new RegExp(`<ErrorResponse xmlns="${SQS_NS}">`));
    });

    it('malformed integers are an XML error with a 4xx status', async () => {
      const q = await createQueue();
      const cases: Record<string, string>[] = [
        { Action: 'ReceiveMessage', QueueUrl: q.url, MaxNumberOfMessages: 'abc' },
        { Action: 'ReceiveMessage', QueueUrl: q.url, VisibilityTimeout: '1.5' },
        { Action: 'ReceiveMessage', QueueUrl: q.url, WaitTimeSeconds: '' },
        { Action: 'SendMessage', QueueUrl: q.url, MessageBody: 'x', DelaySeconds: 'ten' },
        { Action: 'ListQueues', MaxResults: '1e3' },
        { Action: 'ChangeMessageVisibility', QueueUrl: q.url, ReceiptHandle: 'x', VisibilityTimeout: '0x10' },
      ];
      for (const params of cases) {
        const res = await sqs(params);
        assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(params)} -> ${res.status} ${res.text}`);
        assert.match(res.text, new RegExp(`<ErrorResponse xmlns="${SQS_NS}"><Error><Type>Sender</Type><Code>[A-Za-z.]+</Code>`), res.text);
        assert.ok(res.headers.get('x-amzn-requestid'));
      }
      // A well-formed value out of range is a different, specific error.
      const range = await sqs({ Action: 'ReceiveMessage', QueueUrl: q.url, MaxNumberOfMessages: '11' });
      assertQueryErrorDocument(range, {
        status: 400,
        code: 'InvalidParameterValue',
        message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
      });
    });

    it('an empty batch is EmptyBatchRequest', async () => {
      const q = await createQueue();
      const res = await sqs({ Action: 'SendMessageBatch', QueueUrl: q.url });
      assertQueryErrorDocument(res, {
        status: 400,
        code: 'AWS.SimpleQueueService.EmptyBatchRequest',
        message: 'There should be at least one SendMessageBatchRequestEntry in the request.',
      });
    });
  });

  describe('parameter flattening', () => {
    it('accepts gaps and any order in indexed parameters', async () => {
      const name = uniqueName('flat');
      const res = await postForm(
        endpoint,
        '/',
        [
          `Version=${SQS_VERSION}`,
          'Attribute.5.Value=7',
          `QueueName=${name}`,
          'Attribute.2.Name=VisibilityTimeout',
          'Tag.3.Value=v3',
          'Attribute.2.Value=42',
          'Action=CreateQueue',
          'Attribute.5.Name=DelaySeconds',
          'Tag.3.Key=k3',
        ].join('&'),
      );
      assertQueryEnvelope(res, 'CreateQueue');
      const url = xmlOne(res.text, 'QueueUrl')!;
      const attrs = await sqs({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'DelaySeconds', 'AttributeName.7': 'VisibilityTimeout' });
      const got = Object.fromEntries(xmlAll(attrs.text, 'Name').map((n, i) => [n, xmlAll(attrs.text, 'Value')[i]]));
      assert.deepEqual(got, { DelaySeconds: '7', VisibilityTimeout: '42' });
      const tags = await sqs({ Action: 'ListQueueTags', QueueUrl: url });
      assertQueryEnvelope(tags, 'ListQueueTags');
      assert.match(tags.text, /<ListQueueTagsResult><Tag><Key>k3<\/Key><Value>v3<\/Value><\/Tag><\/ListQueueTagsResult>/);
    });

    it('SendMessageBatch entries with nested message attributes, successes and a per-entry failure in XML', async () => {
      const q = await createQueue();
      const res = await sqs({
        Action: 'SendMessageBatch',
        QueueUrl: q.url,
        'SendMessageBatchRequestEntry.2.Id': 'second',
        'SendMessageBatchRequestEntry.2.MessageBody': 'two',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Name': 'bin',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType': 'Binary',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.BinaryValue': 'AQI=',
        'SendMessageBatchRequestEntry.1.Id': 'first',
        'SendMessageBatchRequestEntry.1.MessageBody': 'one',
        'SendMessageBatchRequestEntry.4.Id': 'bad',
        'SendMessageBatchRequestEntry.4.MessageBody': 'x',
        'SendMessageBatchRequestEntry.4.MessageDeduplicationId': 'not-on-standard',
      });
      assertQueryEnvelope(res, 'SendMessageBatch');
      const ok = [...res.text.matchAll(/<SendMessageBatchResultEntry>([\s\S]*?)<\/SendMessageBatchResultEntry>/g)].map((m) => m[1]!);
      assert.deepEqual(ok.map((e) => xmlOne(e, 'Id')).sort(), ['first', 'second']);
      for (const e of ok) {
        assert.ok(xmlOne(e, 'MessageId'));
        assert.match(xmlOne(e, 'MD5OfMessageBody')!, /^[0-9a-f]{32}$/);
      }
      const errors = [...res.text.matchAll(/<BatchResultErrorEntry>([\s\S]*?)<\/BatchResultErrorEntry>/g)].map((m) => m[1]!);
      assert.equal(errors.length, 1);
      assert.equal(xmlOne(errors[0]!, 'Id'), 'bad');
      assert.equal(xmlOne(errors[0]!, 'SenderFault'), 'true');
      assert.equal(xmlOne(errors[0]!, 'Code'), 'InvalidParameterValue');

      const got = await sqs({ Action: 'ReceiveMessage', QueueUrl: q.url, MaxNumberOfMessages: '10', 'MessageAttributeName.1': 'All' });
      const messages = [...got.text.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => m[1]!);
      const two = messages.find((m) => xmlOne(m, 'Body') === 'two')!;
      assert.match(two, /<MessageAttribute><Name>bin<\/Name><Value><BinaryValue>AQI=<\/BinaryValue><DataType>Binary<\/DataType><\/Value><\/MessageAttribute>/);
    });

    it('the X-Amzn-Trace-Id header becomes AWSTraceHeader for every message of the request; a system attribute wins', async () => {
      // AWS X-Ray guide, "Amazon SQS and AWS X-Ray": the header applies to all messages of a SendMessage or
      // SendMessageBatch request, and the AWSTraceHeader message system attribute overrides it.
      const q = await createQueue();
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const single = await postForm(endpoint, q.path, { Action: 'SendMessage', Version: SQS_VERSION, MessageBody: 'single' }, { 'x-amzn-trace-id': trace });
      assertQueryEnvelope(single, 'SendMessage');
      const batch = await postForm(
        endpoint,
        q.path,
        {
          Action: 'SendMessageBatch',
          Version: SQS_VERSION,
          'SendMessageBatchRequestEntry.1.Id': 'a',
          'SendMessageBatchRequestEntry.1.MessageBody': 'batch-a',
          'SendMessageBatchRequestEntry.2.Id': 'b',
          'SendMessageBatchRequestEntry.2.MessageBody': 'batch-b',
          'SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Name': 'AWSTraceHeader',
          'SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.DataType': 'String',
          'SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.StringValue': 'explicit',
        },
        { 'x-amzn-trace-id': trace },
      );
      assertQueryEnvelope(batch, 'SendMessageBatch');
      const got = await postForm(endpoint, q.path, {
        Action: 'ReceiveMessage',
        Version: SQS_VERSION,
        MaxNumberOfMessages: '10',
        'AttributeName.1': 'AWSTraceHeader',
      });
      const messages = [...got.text.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => m[1]!);
      const traces = Object.fromEntries(
        messages.map((m) => [xmlOne(m, 'Body'), /<Attribute><Name>AWSTraceHeader<\/Name><Value>([^<]*)<\/Value><\/Attribute>/.exec(m)?.[1]]),
      );
      assert.deepEqual(traces, { single: trace, 'batch-a': trace, 'batch-b': 'explicit' });
    });

    it('a body with XML metacharacters and a carriage return survives the XML round trip', async () => {
      const q = await createQueue();
      const body = 'a<b>&c"d\'e\r\nf]]>g';
      assertQueryEnvelope(await sqs({ Action: 'SendMessage', QueueUrl: q.url, MessageBody: body }), 'SendMessage');
      const got = await sqs({ Action: 'ReceiveMessage', QueueUrl: q.url });
      assert.equal(xmlOne(got.text, 'Body'), body);
      assert.equal(xmlOne(got.text, 'MD5OfBody'), md5(body));
    });
  });
});
