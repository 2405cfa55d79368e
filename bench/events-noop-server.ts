// The ceiling for the EventBridge benchmark: an HTTP server that answers PutEvents with a canned, valid
// response of realistic size (one EventId per entry) and does no other work. Like the SQS no-op server it reads
// each request body in full but never parses it, and runs as its own process, started like Postbox, so
// "Postbox events/s ÷ no-op events/s" isolates the broker's own cost from what HTTP costs on this machine.
//
//   node dist/bench/events-noop-server.js --port N
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { EVENTS_CONTENT_TYPE, ENTRIES_PER_CALL } from './events-workload.js';

const index = process.argv.indexOf('--port');
const port = Number(index >= 0 ? process.argv[index + 1] : 0);
const host = '127.0.0.1';

const PUT_EVENTS = Buffer.from(JSON.stringify({ FailedEntryCount: 0, Entries: Array.from({ length: ENTRIES_PER_CALL }, () => ({ EventId: randomUUID() })) }));
const HEALTH = Buffer.from(JSON.stringify({ status: 'ok' }));
const UNKNOWN = Buffer.from(JSON.stringify({ __type: 'InvalidAction', message: 'not canned' }));

function reply(res: http.ServerResponse, status: number, payload: Buffer): void {
  res.writeHead(status, { 'Content-Type': EVENTS_CONTENT_TYPE, 'Content-Length': payload.length, 'x-amzn-RequestId': '00000000-0000-0000-0000-000000000000' });
  res.end(payload);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/_postbox/health') {
    reply(res, 200, HEALTH);
    return;
  }
  req.on('data', () => {});
  req.on('end', () => reply(res, req.headers['x-amz-target'] === 'AWSEvents.PutEvents' ? 200 : 400, req.headers['x-amz-target'] === 'AWSEvents.PutEvents' ? PUT_EVENTS : UNKNOWN));
});

server.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`Ready. no-op EventBridge server listening on http://${host}:${actualPort}\n`);
});

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
