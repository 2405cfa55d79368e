import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Sends one request on a fresh connection and half-closes it at once (shutdown of the write side); reads the answer. */
function halfClosedRequest(port: number, action: string, input: object): Promise<string> {
  const body = JSON.stringify(input);
  const head =
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-amz-json-1.0\r\nAuthorization: ${AUTH}\r\n` +
    `X-Amz-Target: AmazonSQS.${action}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(head + body));
    socket.setEncoding('utf8').on('data', (c: string) => (text += c));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

test('a client that half-closes its connection after the request still gets the answer, also for a durable write', async () => {
  // On a file the commit thread answers writes a few event-loop turns after they arrive: node:http must not give up
  // on them when the client's FIN comes first.
  const dir = mkdtempSync(join(tmpdir(), 'postbox-half-close-'));
  const durable = await startTestPostbox({ memory: false, dataDir: dir });
  try {
    const port = Number(new URL(durable.endpoint).port);
    const created = await halfClosedRequest(port, 'CreateQueue', { QueueName: 'half-closed' });
    assert.match(created, /^HTTP\/1\.1 200 /);
    const queueUrl = (JSON.parse(created.slice(created.indexOf('\r\n\r\n') + 4)) as { QueueUrl: string }).QueueUrl;
    for (let i = 0; i < 20; i++) {
      const sent = await halfClosedRequest(port, 'SendMessage', { QueueUrl: queueUrl, MessageBody: `m${i}` });
      assert.match(sent, /^HTTP\/1\.1 200 [^]*"MessageId":/, `send ${i}: ${JSON.stringify(sent.slice(0, 80))}`);
    }
  } finally {
    await durable.stop();
    rmSync(dir, { recursive: true, force: true });
  }
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
