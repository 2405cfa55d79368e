// `node dist/bench/store-cycle.js [seconds]`: the SQS cycle (send 10 → receive 10 → delete 10) straight against
// the SQLite store, with no HTTP and no SQS action code in between: what the storage engine alone costs per message.
// 32 concurrent loops, so group commit batches them as it does under the HTTP benchmark.
// `--deep N` first fills the queue with N messages, which stay queued under the cycle (as BENCH_DEEP does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/engine.js';
import { defaultAttributes } from '../src/sqs/queue-attributes.js';
import { md5Hex } from '../src/sqs/md5.js';
import { randomUUID } from 'node:crypto';

const seconds = Number(process.argv[2] ?? 5);
const memory = process.argv.includes('--memory');
const dir = mkdtempSync(join(tmpdir(), 'postbox-store-bench-'));
const store = new SqliteStore({ path: memory ? ':memory:' : join(dir, 'bench.db'), durability: 'normal' });
const now = () => Date.now();
const { queue } = await store.createQueue({
  accountId: '000000000000',
  region: 'us-east-1',
  name: 'bench',
  fifo: false,
  attributes: defaultAttributes(false),
  tags: {},
  createdAt: now(),
  modifiedAt: now(),
});
const body = 'x'.repeat(256);
const md5 = md5Hex(body);
const deepAt = process.argv.indexOf('--deep');
const deep = deepAt > 0 ? Number(process.argv[deepAt + 1]) : 0;
for (let i = 0; i < deep; i += 10_000) {
  const t = now();
  await store.send(
    queue,
    Array.from({ length: Math.min(10_000, deep - i) }, () => ({
      messageId: randomUUID(),
      body,
      md5OfBody: md5,
      senderId: 'AIDA',
      sentAt: t,
      visibleAt: t,
      expiresAt: t + 345_600_000,
    })),
  );
}

let cycled = 0;
let stop = false;
async function loop(): Promise<void> {
  while (!stop) {
    const t = now();
    await store.send(
      queue,
      Array.from({ length: 10 }, () => ({
        messageId: randomUUID(),
        body,
        md5OfBody: md5,
        senderId: 'AIDA',
        sentAt: t,
        visibleAt: t,
        expiresAt: t + 345_600_000,
      })),
    );
    const got = await store.receive(queue, { max: 10, visibilityTimeoutMs: 30_000, now: now() });
    const outcomes = await store.deleteMessages(
      queue.id,
      got.map((m) => ({ rowId: m.rowId, token: m.receiptToken! })),
      now(),
    );
    cycled += outcomes.filter((o) => o === 'ok').length;
  }
}

const warm = Promise.all(Array.from({ length: 32 }, loop));
await new Promise((r) => setTimeout(r, 1000));
const c0 = cycled;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const cpu = process.cpuUsage(cpu0);
const elapsed = (performance.now() - t0) / 1000;
const n = cycled - c0;
stop = true;
await warm;
await store.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  `${memory ? 'memory' : 'file'}${deep ? `, ${deep.toLocaleString('en')} queued` : ''}: ${Math.round(n / elapsed).toLocaleString('en')} msg/s, ` +
    `${(((cpu.user + cpu.system) / n)).toFixed(2)} µs CPU per message`,
);
