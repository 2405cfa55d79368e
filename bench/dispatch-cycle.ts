// `node dist/bench/dispatch-cycle.js [seconds] [--file]`: the SQS cycle (SendMessageBatch(10) → ReceiveMessage(10)
// → DeleteMessageBatch) through Postbox's dispatcher — wire decoding, validation, actions, store, encoding — but
// with no HTTP server or socket. Beside bench/store-cycle.ts (store alone) and `npm run bench` (everything), it
// shows what our own request handling costs per message. 32 concurrent loops, so group commit batches as it
// does under load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../src/core/clock.js';
import { Dispatcher, type IncomingCall } from '../src/server/dispatch.js';
import { ReceiveWaiters } from '../src/sqs/receive-waiters.js';
import { sqsService } from '../src/sqs/service.js';
import { SqliteStore } from '../src/store/sqlite/engine.js';
import { FAKE_AMZ_DATE, FAKE_AUTHORIZATION, messageBody } from './workload.js';

const seconds = Number(process.argv[2] ?? 5);
const onFile = process.argv.includes('--file');
const dir = mkdtempSync(join(tmpdir(), 'postbox-dispatch-bench-'));
const store = new SqliteStore({ path: onFile ? join(dir, 'bench.db') : ':memory:', durability: 'normal' });
const logger = pino({ level: 'silent' });
const waiters = new ReceiveWaiters(systemClock);
const sqs = sqsService({
  store,
  clock: systemClock,
  waiters,
  logger,
  options: { strictDelays: false },
  deletedAt: new Map(),
  purgedAt: new Map(),
  kickMoveTasks: () => {},
});
const dispatcher = new Dispatcher({ services: [sqs], defaultRegion: 'us-east-1', defaultAccountId: '000000000000', logger });

const call = (action: string, body: unknown): IncomingCall => ({
  method: 'POST',
  path: '/',
  query: new URLSearchParams(),
  headers: {
    host: '127.0.0.1:4566',
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `AmazonSQS.${action}`,
    'x-amz-date': FAKE_AMZ_DATE,
    authorization: FAKE_AUTHORIZATION,
  },
  body: Buffer.from(JSON.stringify(body)),
});

async function json(action: string, body: unknown): Promise<any> {
  const out = await dispatcher.dispatch(call(action, body));
  if (out.status !== 200) throw new Error(`${action}: ${out.status} ${out.body}`);
  return JSON.parse(out.body);
}

const { QueueUrl } = await json('CreateQueue', { QueueName: 'bench' });
const text = messageBody(256);
const sendBody = { QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: text })) };
const receiveBody = { QueueUrl, MaxNumberOfMessages: 10 };

let cycled = 0;
let stop = false;
async function loop(): Promise<void> {
  while (!stop) {
    await dispatcher.dispatch(call('SendMessageBatch', sendBody));
    const got = JSON.parse((await dispatcher.dispatch(call('ReceiveMessage', receiveBody))).body) as { Messages?: { ReceiptHandle: string }[] };
    const messages = got.Messages ?? [];
    if (!messages.length) continue;
    const entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
    const deleted = JSON.parse((await dispatcher.dispatch(call('DeleteMessageBatch', { QueueUrl, Entries: entries }))).body) as { Successful: unknown[] };
    cycled += deleted.Successful.length;
  }
}

const loops = Promise.all(Array.from({ length: 32 }, loop));
await new Promise((r) => setTimeout(r, 1000));
// One-second windows: on a shared machine some windows are disturbed, and the best one shows what the code
// costs when it has a core to itself (the overall figure is still printed first, as before).
const windows: number[] = [];
const c0 = cycled;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let w = 0; w < Math.max(1, Math.round(seconds)); w++) {
  const wc = cycled;
  const wcpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  const used = process.cpuUsage(wcpu);
  if (cycled > wc) windows.push((used.user + used.system) / (cycled - wc));
}
const cpu = process.cpuUsage(cpu0);
const elapsed = (performance.now() - t0) / 1000;
const n = cycled - c0;
stop = true;
await loops;
await store.close();
rmSync(dir, { recursive: true, force: true });
windows.sort((a, b) => a - b);
// The loop's own JSON work (building requests, parsing answers) is counted too: it is small beside the server's.
console.log(
  `${onFile ? 'file' : 'memory'}: ${Math.round(n / elapsed).toLocaleString('en')} msg/s, ` +
    `${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU per message ` +
    `(one-second windows: best ${windows[0]?.toFixed(2)} µs, median ${windows[windows.length >> 1]?.toFixed(2)} µs)`,
);
