/**
 * A node that starts before its database waits for it (and gives up, or stops, when told to). Then:
 * the database restarted under load. A Postbox node on a PostgreSQL of this test's own keeps producers and
 * consumers busy while the database stops and starts again:
 * - the node reports itself unready (HTTP 503, the reason in the JSON body) on both health paths, and ready again
 *   once the database is back — without a restart;
 * - requests meanwhile answer AWS's retryable ServiceUnavailable (503) in the shape of their protocol;
 * - nothing crashes, and every send the node acknowledged is delivered afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SendMessageCommand as QuerySendMessageCommand } from 'sqs-query';
import { startPostbox, type Postbox } from '../../src/index.js';
import { jsonClient, queryClient } from '../support/postbox.js';
import { spawnCli } from '../support/process.js';
import { startOwnPostgres, type OwnPostgres } from './own-postgres.js';

let db: OwnPostgres;
let node: Postbox;
let sqs: SQSClient;

before(async () => {
  db = await startOwnPostgres();
  const url = new URL(db.connectionString);
  url.searchParams.set('schema', 'restart');
  node = await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: url.toString() });
  sqs = jsonClient(node.endpoint);
});
after(async () => {
  sqs?.destroy();
  await node?.stop();
  await db?.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function health(path = '/_postbox/health'): Promise<{ status: number; body: { ready: boolean; status: string; reason?: string } }> {
  const res = await fetch(node.endpoint + path, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as { ready: boolean; status: string; reason?: string } };
}

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await sleep(50);
  }
}

test('a database restart under load: unready, retryable 503s, ready again, no acknowledged message lost', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '2' } }));
  assert.equal((await health()).status, 200);

  const acked = new Set<string>();
  const received = new Set<string>();
  const errors = new Map<string, number>();
  const noteError = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    const key = `${e.name} ${e.$metadata?.httpStatusCode ?? ''}`.trim();
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };
  let producing = true;
  let consuming = true;
  let seq = 0;

  const producer = async () => {
    while (producing) {
      const ids = Array.from({ length: 5 }, () => `m-${seq++}`);
      try {
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: ids.map((id, i) => ({ Id: `e${i}`, MessageBody: id })) }));
        for (const ok of out.Successful ?? []) acked.add(ids[Number(ok.Id!.slice(1))]!);
      } catch (err) {
        noteError(err);
        await sleep(20);
      }
    }
  };
  const consumer = async () => {
    while (consuming) {
      try {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        if (!Messages?.length) continue;
        for (const m of Messages) received.add(m.Body!);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
      } catch (err) {
        noteError(err);
        await sleep(20);
      }
    }
  };
  const load = [producer(), producer(), consumer(), consumer()];
  await until(async () => acked.size >= 100, 10_000, 'load under way');

  // The database goes away.
  await db.stop();
  await until(async () => (await health()).status === 503, 5_000, 'health to report 503');
  for (const path of ['/_postbox/health', '/_localstack/health']) {
    const h = await health(path);
    assert.equal(h.status, 503, path);
    assert.equal(h.body.ready, false);
    assert.equal(h.body.status, 'unavailable');
    assert.match(h.body.reason ?? '', /database|LISTEN/);
  }
  // Requests answer the retryable ServiceUnavailable, in each protocol's shape.
  await assert.rejects(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'while down' })), (err: Error & { $metadata: { httpStatusCode: number }; $fault: string }) => {
    assert.equal(err.name, 'ServiceUnavailable');
    assert.equal(err.$metadata.httpStatusCode, 503);
    assert.equal(err.$fault, 'server');
    return true;
  });
  const query = queryClient(node.endpoint);
  try {
    await assert.rejects(query.send(new QuerySendMessageCommand({ QueueUrl, MessageBody: 'while down' })), (err: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(err.name, 'ServiceUnavailable');
      assert.equal(err.$metadata.httpStatusCode, 503);
      return true;
    });
  } finally {
    query.destroy();
  }
  const raw = await fetch(node.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
    body: '{}',
  });
  assert.equal(raw.status, 503);
  assert.equal(raw.headers.get('x-amzn-query-error'), 'ServiceUnavailable;Receiver');
  assert.match(((await raw.json()) as { __type: string }).__type, /ServiceUnavailable/);
  await sleep(500); // producers and consumers keep knocking

  // The database comes back: the node is ready again by itself.
  const ackedBeforeRestart = acked.size;
  await db.start();
  await until(async () => (await health()).status === 200, 15_000, 'health to report 200 again');
  assert.equal((await health('/_localstack/health')).status, 200);
  await until(async () => acked.size >= ackedBeforeRestart + 100, 10_000, 'sends to succeed again');
  producing = false;

  // Every acknowledged send is delivered (redeliveries after the visibility timeout are allowed).
  await until(async () => [...acked].every((id) => received.has(id)), 20_000, 'every acknowledged message to be received');
  consuming = false;
  await Promise.all(load);
  const kinds = [...errors.keys()];
  if (process.env['POSTBOX_TEST_VERBOSE']) console.log({ acked: acked.size, received: received.size, errors: [...errors] });
  assert.ok(kinds.length > 0, 'the outage was noticed by clients');
  for (const k of kinds) assert.match(k, /^ServiceUnavailable 503$/, `unexpected error during the outage: ${k} (${JSON.stringify([...errors])})`);
});

/** A URL for this test's database with its own schema, so the late nodes below do not share the node above's. */
const urlWithSchema = (schema: string): string => {
  const url = new URL(db.connectionString);
  url.searchParams.set('schema', schema);
  return url.toString();
};

test('a node that starts before its database waits for it, then serves', async () => {
  await db.stop();
  let settled = false;
  const starting = startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: urlWithSchema('late'), storageWaitMs: 60_000 });
  void starting.then(
    () => (settled = true),
    () => (settled = true),
  );
  try {
    await sleep(1_500);
    assert.equal(settled, false, 'still waiting while the database is down');
  } finally {
    await db.start();
  }
  const late = await starting;
  const client = jsonClient(late.endpoint);
  try {
    assert.equal((await fetch(late.endpoint + '/_postbox/health')).status, 200);
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'late' }));
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal(Messages?.[0]?.Body, 'hello');
  } finally {
    client.destroy();
    await late.stop();
  }
});

test('a node gives up on a database it cannot reach once its storage wait is over', async () => {
  await db.stop();
  try {
    const began = Date.now();
    await assert.rejects(
      startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', storage: urlWithSchema('never'), storageWaitMs: 800 }),
      /ECONNREFUSED|connect/,
    );
    const took = Date.now() - began;
    assert.ok(took >= 700 && took < 10_000, `gave up after ${took} ms`);
  } finally {
    await db.start();
  }
});

test('the CLI waiting for its database logs each attempt, and a SIGTERM stops the wait at once (exit 0)', async () => {
  await db.stop();
  try {
    const cli = spawnCli({ args: ['--port', '0', '--storage', urlWithSchema('cli'), '--storage-wait', '120'] });
    await until(async () => /database unreachable at start/.test(cli.stdout() + cli.stderr()), 10_000, 'the waiting to be logged');
    const signalled = Date.now();
    cli.child.kill('SIGTERM');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.ok(Date.now() - signalled < 5_000, 'stopped at once');
    assert.doesNotMatch(cli.stdout(), /Ready\./);
  } finally {
    await db.start();
  }
});
