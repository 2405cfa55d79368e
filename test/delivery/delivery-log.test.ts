/**
 * The delivery log and its HTTP face, GET/DELETE /_postbox/deliveries, on a running server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostbox, type Postbox } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import type { DeliveryRecordInput } from '../../src/store/delivery-log-contract.js';

let pb: Postbox;
before(async () => {
  pb = await startPostbox({ port: 0, host: '127.0.0.1', memory: true, logLevel: 'silent' });
});
after(() => pb.stop());

const entry = (n: number, protocol: string, endpoint: string): DeliveryRecordInput => ({
  service: 'sns',
  accountId: '000000000000',
  region: 'us-east-1',
  protocol,
  endpoint,
  source: 'arn:aws:sns:us-east-1:000000000000:orders',
  ...(protocol === 'email' ? { subject: `subject ${n}` } : {}),
  payload: `message ${n}`,
  details: { type: 'Notification' },
  recordedAt: Date.UTC(2026, 0, 1) + n,
});

async function get(query: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${pb.endpoint}/_postbox/deliveries${query}`);
  return { status: res.status, body: await res.json() };
}

test('recorded deliveries are listed oldest first, filtered and paged', async () => {
  const log = (pb.store as SqliteStore).deliveryLog();
  await log.record([entry(1, 'email', 'a@example.com'), entry(2, 'sms', '+15555550100'), entry(3, 'email', 'b@example.com')]);
  await log.record([entry(4, 'email', 'a@example.com')]);

  const all = await get('');
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.deliveries.map((d: any) => d.payload), ['message 1', 'message 2', 'message 3', 'message 4']);
  assert.equal(all.body.deliveries[0].subject, 'subject 1');
  assert.deepEqual(all.body.deliveries[0].details, { type: 'Notification' });
  assert.equal(all.body.deliveries[1].subject, undefined);

  const toA = await get('?endpoint=a%40example.com');
  assert.deepEqual(toA.body.deliveries.map((d: any) => d.payload), ['message 1', 'message 4']);
  const sms = await get('?protocol=sms&service=sns');
  assert.deepEqual(sms.body.deliveries.map((d: any) => d.endpoint), ['+15555550100']);

  const page1 = await get('?limit=2');
  assert.equal(page1.body.deliveries.length, 2);
  const page2 = await get(`?limit=2&after=${page1.body.nextAfter}`);
  assert.deepEqual(page2.body.deliveries.map((d: any) => d.payload), ['message 3', 'message 4']);

  const cleared = await fetch(`${pb.endpoint}/_postbox/deliveries?protocol=email`, { method: 'DELETE' });
  assert.deepEqual(await cleared.json(), { deleted: 3 });
  assert.deepEqual((await get('')).body.deliveries.map((d: any) => d.protocol), ['sms']);
});

test('bad paging parameters answer 400', async () => {
  assert.equal((await get('?limit=0')).status, 400);
  assert.equal((await get('?limit=1001')).status, 400);
  assert.equal((await get('?after=-1')).status, 400);
  assert.equal((await get('?after=x')).status, 400);
});
