// The ceiling: an HTTP server that answers the benchmark's SQS (and SNS Publish) calls with canned,
// valid responses of realistic size and does no other work. It reads each request
// body in full (as any server must) but never parses it. Run as its own process,
// started exactly like Postbox, so "Postbox msgs/s ÷ no-op msgs/s" isolates the
// broker's own cost from what HTTP on this machine costs.
//
//   node dist/bench/noop-server.js --port N [--body-bytes 256]
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ENTRY_IDS, JSON_CONTENT_TYPE, QUEUE_NAME, DEFAULT_BODY_BYTES, md5Hex, messageBody } from './workload.js';

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(argValue('--port') ?? 0);
const bodyBytes = Number(argValue('--body-bytes') ?? DEFAULT_BODY_BYTES);
const host = '127.0.0.1';

/** Receipt handles as long as real SQS ones (~ 180 base64 characters). */
function fakeReceiptHandle(): string {
  return Buffer.from(randomUUID() + randomUUID() + randomUUID() + randomUUID() + randomUUID().slice(0, 16)).toString('base64');
}

function cannedResponses(queueUrl: string): Map<string, Buffer> {
  const body = messageBody(bodyBytes);
  const md5 = md5Hex(body);
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
  return new Map<string, Buffer>([
    ['AmazonSQS.CreateQueue', json({ QueueUrl: queueUrl })],
    [
      'AmazonSQS.SendMessageBatch',
      json({ Successful: ENTRY_IDS.map((Id) => ({ Id, MessageId: randomUUID(), MD5OfMessageBody: md5 })), Failed: [] }),
    ],
    [
      'AmazonSQS.ReceiveMessage',
      json({
        Messages: ENTRY_IDS.map(() => ({ MessageId: randomUUID(), ReceiptHandle: fakeReceiptHandle(), MD5OfBody: md5, Body: body })),
      }),
    ],
    ['AmazonSQS.DeleteMessageBatch', json({ Successful: ENTRY_IDS.map((Id) => ({ Id })), Failed: [] })],
    ['AmazonSQS.GetQueueAttributes', json({ Attributes: { ApproximateNumberOfMessages: '0' } })],
  ]);
}

const HEALTH = Buffer.from(JSON.stringify({ status: 'ok' }));
const PUBLISH_RESPONSE = Buffer.from(
  '<?xml version="1.0"?><PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
    `<MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId>` +
    '</ResponseMetadata></PublishResponse>',
);
const UNKNOWN = Buffer.from(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: 'not canned' }));
let responses = new Map<string, Buffer>();

function reply(res: http.ServerResponse, status: number, contentType: string, payload: Buffer): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': payload.length,
    'x-amzn-RequestId': '00000000-0000-0000-0000-000000000000',
  });
  res.end(payload);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/_postbox/health') {
    reply(res, 200, 'application/json', HEALTH);
    return;
  }
  // Drain the body before answering, as a real server would have to.
  req.on('data', () => {});
  req.on('end', () => {
    const target = req.headers['x-amz-target'];
    // Without X-Amz-Target it is an AWS Query call: the SNS benchmark's Publish (bench/sns-publish.ts).
    if (target === undefined) {
      reply(res, 200, 'text/xml', PUBLISH_RESPONSE);
      return;
    }
    const canned = responses.get(String(target));
    if (canned) reply(res, 200, JSON_CONTENT_TYPE, canned);
    else reply(res, 400, JSON_CONTENT_TYPE, UNKNOWN);
  });
});

server.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  responses = cannedResponses(`http://${host}:${actualPort}/000000000000/${QUEUE_NAME}`);
  process.stdout.write(`Ready. no-op SQS server listening on http://${host}:${actualPort}\n`);
});

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
