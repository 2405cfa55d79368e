import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Postbox } from '../../../src/index.js';
import { onPostgres, startTestPostbox, uniqueName } from '../../support/postbox.js';

let postbox: Postbox;
before(async () => {
  postbox = await startTestPostbox();
});
after(() => postbox.stop());

const AUTH = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc';

function call(action: string, body: string, headers: Record<string, string> = {}) {
  return fetch(postbox.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}`, authorization: AUTH, ...headers },
    body,
  });
}

test('errors carry __type, message, x-amzn-query-error and the request id', async () => {
  const res = await call('GetQueueUrl', JSON.stringify({ QueueName: 'missing' }));
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  assert.ok(res.headers.get('x-amzn-requestid'));
  assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.0');
  assert.deepEqual(await res.json(), { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
});

test('malformed JSON and wrong member types are 400 SerializationException, never a crash', async () => {
  for (const body of ['{', 'null x', '[]', '{"QueueName": 5}', '{"QueueName": "a", "Attributes": []}']) {
    const res = await call('CreateQueue', body);
    assert.equal(res.status, 400, body);
    assert.match(((await res.json()) as { __type: string }).__type, /SerializationException/, body);
  }
  const ok = await call('ListQueues', '');
  assert.equal(ok.status, 200);
});

test('an unknown operation is refused', async () => {
  const res = await call('Frobnicate', '{}');
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { __type: string }).__type, /UnknownOperationException/);
});

test('the X-Amzn-Trace-Id header becomes AWSTraceHeader', async () => {
  const created = (await (await call('CreateQueue', JSON.stringify({ QueueName: uniqueName() }))).json()) as { QueueUrl: string };
  const sent = await call('SendMessage', JSON.stringify({ QueueUrl: created.QueueUrl, MessageBody: 'traced' }), {
    'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
  });
  assert.equal(sent.status, 200);
  const received = (await (
    await call('ReceiveMessage', JSON.stringify({ QueueUrl: created.QueueUrl, MessageSystemAttributeNames: ['AWSTraceHeader'] }))
  ).json()) as { Messages: { Attributes: Record<string, string> }[] };
  assert.equal(received.Messages[0]!.Attributes['AWSTraceHeader'], 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1');
});

test('health answers on both paths; CORS preflight is allowed', async () => {
  for (const path of ['/_postbox/health', '/_localstack/health']) {
    const res = await fetch(postbox.endpoint + path);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { services: Record<string, string>; storage: string };
    assert.equal(body.services['sqs'], 'running');
    assert.equal(body.storage, onPostgres() ? 'postgres' : 'sqlite');
  }
  const pre = await fetch(postbox.endpoint, { method: 'OPTIONS' });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
});

test('a body over the limit is refused with 413 and the server carries on', async () => {
  const res = await call('SendMessage', 'x'.repeat(17 * 1024 * 1024));
  assert.equal(res.status, 413);
  const ok = await call('ListQueues', '{}');
  assert.equal(ok.status, 200);
});
