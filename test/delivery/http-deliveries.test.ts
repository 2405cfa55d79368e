/**
 * The SNS HTTP/S delivery worker in isolation: a real internal queue (SQLite, in memory), a real endpoint
 * (node:http), a ManualClock, and an SNS store stand-in whose answers the test controls — to reach states the
 * API no longer lets a client create (a stored Content-Type that cannot be sent) and to hold an attempt between
 * its reads and its POST.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.js';
import { HttpDeliveries, type HttpJob } from '../../src/sns/delivery/http-deliveries.js';
import type { SnsStore, SubscriptionRecord, TopicRecord } from '../../src/store/sns-contract.js';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import { defaultAttributes } from '../../src/sqs/queue-attributes.js';

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 0, 1);
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:t';
const SUB = `${TOPIC}:00000000-0000-0000-0000-000000000001`;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), `timed out waiting for ${what}`);
}
const settle = (ms = 40) => new Promise((r) => setTimeout(r, ms));

/** An endpoint that records requests and lets the test answer each (or not). */
async function endpoint(answer: (n: number, res: ServerResponse) => void) {
  const received: string[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push(Buffer.concat(chunks).toString('utf8'));
      open.add(res);
      answer(n, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sns`,
    received,
    async stop() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function subscription(endpointUrl: string, attributes: Record<string, string>): SubscriptionRecord {
  return {
    arn: SUB,
    topicArn: TOPIC,
    accountId: '000000000000',
    region: 'us-east-1',
    owner: '000000000000',
    protocol: 'http',
    endpoint: endpointUrl,
    attributes,
    pendingConfirmation: false,
    createdAt: T0,
  };
}

async function harness(sub: () => Promise<SubscriptionRecord | undefined>, log = logger) {
  const queues = new SqliteStore({ path: ':memory:' });
  const clock = new ManualClock(T0);
  const topic = { arn: TOPIC, attributes: {} } as unknown as TopicRecord;
  const sns = { getSubscription: sub, getTopic: async () => topic } as unknown as SnsStore;
  const http = new HttpDeliveries({ queues, sns, clock, logger: log, region: 'us-east-1', notifyQueue: () => {} });
  const { queue: dlq } = await queues.createQueue({
    accountId: '000000000000',
    region: 'us-east-1',
    name: 'dlq',
    fifo: false,
    attributes: defaultAttributes(false),
    tags: {},
    createdAt: T0,
    modifiedAt: T0,
  });
  const publish = async (endpointUrl: string, message = 'hello') => {
    const job: HttpJob = { type: 'Notification', subscriptionArn: SUB, topicArn: TOPIC, endpoint: endpointUrl, messageId: `m-${message}`, body: message };
    const d = HttpDeliveries.enqueue(await http.queue(), [job], clock.now());
    await queues.send(d.queue, d.messages);
    http.kick();
  };
  const dead = async () => (await queues.receive(dlq, { max: 10, visibilityTimeoutMs: 30_000, now: clock.now() })).map((m) => m.body);
  const pending = async () => {
    const c = await queues.counts((await http.queue()).id, clock.now());
    return c.visible + c.inflight + c.delayed;
  };
  return { queues, clock, http, publish, dead, pending };
}

const REDRIVE = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' });

describe('SNS HTTP deliveries', () => {
  test('a stored Content-Type that cannot be sent fails the delivery for good: dead-lettered at once, not hidden forever', async () => {
    const e = await endpoint((_n, res) => res.writeHead(200).end());
    const policy = JSON.stringify({ requestPolicy: { headerContentType: 'text/plain; charset=UTF-8\r\nX-Injected: 1' } });
    const h = await harness(async () => subscription(e.url, { DeliveryPolicy: policy, RedrivePolicy: REDRIVE }));
    h.http.start();
    try {
      await h.publish(e.url, 'unsendable');
      let dead: string[] = [];
      for (let i = 0; i < 100 && dead.length === 0; i++) {
        dead = await h.dead();
        if (!dead.length) await settle(10);
      }
      assert.deepEqual(dead, ['unsendable']);
      assert.equal(await h.pending(), 0, 'the job is gone');
      assert.equal(e.received.length, 0);
    } finally {
      await h.http.stop();
      await h.queues.close();
      await e.stop();
    }
  });

  test('stop() while an attempt is still reading the subscription: no POST is started, and stop does not wait', async () => {
    const e = await endpoint(() => {}); // never answers
    let release: (s: SubscriptionRecord) => void = () => {};
    let reads = 0;
    const h = await harness(() => {
      reads++;
      return new Promise<SubscriptionRecord>((r) => (release = r));
    });
    h.http.start();
    try {
      await h.publish(e.url);
      await until(() => reads === 1, 'the attempt reading its subscription');
      const stopped = h.http.stop();
      release(subscription(e.url, {}));
      const outcome = await Promise.race([stopped.then(() => 'stopped'), settle(2_000).then(() => 'still waiting')]);
      assert.equal(outcome, 'stopped');
      await settle();
      assert.equal(e.received.length, 0, 'the POST was not started after stop');
      assert.equal(await h.pending(), 1, 'the job is kept for the next start');
    } finally {
      await h.http.stop();
      await h.queues.close();
      await e.stop();
    }
  });

  test('a 200 whose body is slow is delivered: settled on the status, never sent again', async () => {
    const e = await endpoint((_n, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial'); // the rest never comes
    });
    const h = await harness(async () => subscription(e.url, {}));
    h.http.start();
    try {
      await h.publish(e.url);
      await until(() => e.received.length === 1, 'the POST');
      for (let i = 0; i < 100; i++) {
        if ((await h.pending()) === 0) break;
        await settle(10);
      }
      assert.equal(await h.pending(), 0, 'done as soon as the status arrived');
      for (const step of [15_000, 20_000, 60_000]) {
        h.clock.advance(step);
        await settle();
      }
      assert.equal(e.received.length, 1, 'not retried');
    } finally {
      await h.http.stop();
      await h.queues.close();
      await e.stop();
    }
  });

  test("an endpoint's user:password never reaches the log", async () => {
    const e = await endpoint((_n, res) => res.writeHead(404).end());
    const lines: string[] = [];
    const capture = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const withSecret = e.url.replace('http://', 'http://alice:s3cret@');
    const h = await harness(async () => subscription(withSecret, {}), capture);
    h.http.start();
    try {
      await h.publish(withSecret);
      await until(() => lines.some((l) => l.includes('SNS HTTP delivery failed')), 'the failure logged');
      const line = lines.find((l) => l.includes('SNS HTTP delivery failed'))!;
      assert.doesNotMatch(line, /s3cret/);
      assert.doesNotMatch(line, /alice/);
      assert.match(line, /127\.0\.0\.1/);
    } finally {
      await h.http.stop();
      await h.queues.close();
      await e.stop();
    }
  });
});
