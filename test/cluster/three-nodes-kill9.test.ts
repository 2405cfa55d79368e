/**
 * Three `postbox start --storage postgres://…` processes on one PostgreSQL schema, with producers and consumers
 * spread over them (a standard queue and a FIFO queue). Mid-load the node leading the background work is killed
 * with SIGKILL, and restarted a moment later. Then, from what the clients were told:
 * - every acknowledged send is received (none lost);
 * - a message is received again only where at-least-once allows it: its earlier receipt was never deleted with a
 *   200, and the visibility timeout had passed (a consumer on the dead node took it; its delete never came);
 * - a FIFO group is delivered in order: no message before every earlier message of its group has been delivered;
 *   FIFO producers whose node died re-send to another node with the same deduplication id, and get no duplicate;
 * - another node takes the lead within seconds.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { cleanup, getHealth, startCli, type CliProcess } from '../support/process.js';
import { dropSchema, freshSchema, testDatabase } from '../support/postgres.js';
import { crashClient, sleep } from '../crash/harness.js';

const VT_SECONDS = 2;
const schema = freshSchema();
let storage = '';

interface Node {
  proc: CliProcess | undefined;
  client: SQSClient | undefined;
}
const nodes: Node[] = [];

before(async () => {
  const { connectionString } = await testDatabase();
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  storage = url.toString();
  // The first node creates the schema; the others find it migrated.
  for (let i = 0; i < 3; i++) nodes.push(await launch());
});
after(async () => {
  for (const n of nodes) n.client?.destroy();
  await cleanup();
  await dropSchema(schema);
});

async function launch(): Promise<Node> {
  const proc = await startCli({ args: ['--port', '0', '--storage', storage], readyTimeoutMs: 15_000 });
  return { proc, client: crashClient(proc.endpoint) };
}

const httpStatusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

interface Sent {
  body: string;
  state: 'acked' | 'unknown';
  group?: string;
  seq: number;
}
interface Receipt {
  body: string;
  node: number;
  id: string;
  /** Client-side bounds of the moment the server handed the message out. */
  requestedAt: number;
  answeredAt: number;
  /** When a DeleteMessageBatch naming this receipt answered success. */
  deletedAt?: number;
}

test('three nodes, the leader killed with SIGKILL mid-load and restarted: nothing acknowledged is lost', { timeout: 90_000 }, async (t) => {
  const c0 = nodes[0]!.client!;
  const std = (await c0.send(new CreateQueueCommand({ QueueName: 'cluster-std', Attributes: { VisibilityTimeout: String(VT_SECONDS) } }))).QueueUrl!;
  const fifo = (
    await c0.send(
      new CreateQueueCommand({ QueueName: 'cluster.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: String(VT_SECONDS) } }),
    )
  ).QueueUrl!;

  const sends = new Map<string, Sent>();
  const receipts = new Map<string, Receipt[]>();
  const anomalies: string[] = [];
  /** FIFO: per group, the highest sequence delivered so far, and everything delivered. */
  const fifoDelivered = new Map<string, Set<number>>();
  let producing = true;
  let consuming = true;

  /** The client of node i, waiting while that node is down. */
  const clientOf = async (i: number): Promise<SQSClient> => {
    for (;;) {
      const c = nodes[i]!.client;
      if (c) return c;
      if (!producing && !consuming) throw new Error('the test is over');
      await sleep(50);
    }
  };

  const stdProducer = async (node: number, p: number) => {
    for (let seq = 0; producing; seq++) {
      const bodies = Array.from({ length: 10 }, (_, j) => `s-p${p}-${seq}-${j}`);
      for (const body of bodies) sends.set(body, { body, state: 'unknown', seq });
      try {
        const out = await (await clientOf(node)).send(
          new SendMessageBatchCommand({ QueueUrl: std, Entries: bodies.map((b, j) => ({ Id: `e${j}`, MessageBody: b })) }),
        );
        for (const s of out.Successful ?? []) sends.get(bodies[Number(s.Id!.slice(1))]!)!.state = 'acked';
        for (const f of out.Failed ?? []) anomalies.push(`standard send failed: ${f.Code}`);
      } catch (err) {
        // An unanswered send (its node died) may or may not have been committed: either is fine.
        if (httpStatusOf(err) !== undefined) anomalies.push(`standard send: ${(err as Error).name}`);
        await sleep(50);
      }
    }
  };

  // One FIFO group per producer, sent in order; a send whose answer was lost is re-sent to the next node with the
  // same deduplication id before the group moves on, as a client behind a load balancer would.
  const fifoProducer = async (node: number, g: number) => {
    const group = `g${g}`;
    for (let seq = 0; producing; seq++) {
      const body = `f-${group}-${seq}`;
      sends.set(body, { body, state: 'unknown', group, seq });
      for (let attempt = 0; ; attempt++) {
        try {
          const target = (node + attempt) % 3;
          await (await clientOf(target)).send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body }));
          sends.get(body)!.state = 'acked';
          break;
        } catch (err) {
          if (httpStatusOf(err) !== undefined) anomalies.push(`FIFO send ${body}: ${(err as Error).name}`);
          if (attempt > 50) throw err;
          await sleep(20);
        }
      }
    }
  };

  const consumer = async (node: number, queueUrl: string, isFifo: boolean) => {
    while (consuming) {
      let messages: Message[];
      const requestedAt = Date.now();
      try {
        const out = await (await clientOf(node)).send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['MessageGroupId'] }),
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (httpStatusOf(err) !== undefined) anomalies.push(`receive: ${(err as Error).name}`);
        await sleep(50);
        continue;
      }
      const answeredAt = Date.now();
      const these: Receipt[] = [];
      for (const m of messages) {
        const r: Receipt = { body: m.Body!, node, id: m.MessageId!, requestedAt, answeredAt };
        these.push(r);
        const list = receipts.get(r.body) ?? [];
        list.push(r);
        receipts.set(r.body, list);
        if (isFifo) {
          const sent = sends.get(r.body);
          if (!sent?.group) {
            anomalies.push(`FIFO: received ${r.body}, never sent`);
            continue;
          }
          const done = fifoDelivered.get(sent.group) ?? new Set<number>();
          for (let s = 0; s < sent.seq; s++) if (!done.has(s)) anomalies.push(`FIFO order: ${r.body} delivered before seq ${s} of its group`);
          done.add(sent.seq);
          fifoDelivered.set(sent.group, done);
        }
      }
      if (!messages.length) continue;
      try {
        const out = await (await clientOf(node)).send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
        );
        const deletedAt = Date.now();
        for (const s of out.Successful ?? []) these[Number(s.Id!.slice(1))]!.deletedAt = deletedAt;
        // A FIFO receipt whose visibility lapsed is refused ("The receipt handle has expired"): the message comes
        // back, which the checks allow.
        const lapsed = (f: { Code?: string; Message?: string }) => isFifo && (f.Code === 'ReceiptHandleIsInvalid' || /expired/.test(f.Message ?? ''));
        for (const f of out.Failed ?? []) if (!lapsed(f)) anomalies.push(`delete: ${f.Code} ${f.Message}`);
      } catch (err) {
        if (httpStatusOf(err) !== undefined) anomalies.push(`delete: ${(err as Error).name}`);
      }
    }
  };

  const workers: Promise<void>[] = [];
  t.after(() => {
    // However the test ends, the workers stop.
    producing = false;
    consuming = false;
  });
  for (let n = 0; n < 3; n++) {
    workers.push(stdProducer(n, n), fifoProducer(n, n), fifoProducer(n, n + 3));
    workers.push(consumer(n, std, false), consumer(n, fifo, true));
  }

  await sleep(2_500);
  const healths = await Promise.all(nodes.map((n) => getHealth(n.proc!.endpoint)));
  assert.equal(healths.filter((h) => h['leader'] === true).length, 1, 'one leader among the three nodes');
  const victim = healths.findIndex((h) => h['leader'] === true);
  const ackedBeforeKill = [...sends.values()].filter((s) => s.state === 'acked').length;

  // kill -9 the leader mid-load.
  const dead = nodes[victim]!;
  const deadClient = dead.client!;
  dead.client = undefined;
  const exit = await dead.proc!.kill9();
  assert.equal(exit.signal, 'SIGKILL');
  deadClient.destroy();
  const killedAt = Date.now();
  const survivors = nodes.filter((_, i) => i !== victim);
  for (;;) {
    const hs = await Promise.all(survivors.map((n) => getHealth(n.proc!.endpoint)));
    if (hs.some((h) => h['leader'] === true)) break;
    assert.ok(Date.now() - killedAt < 5_000, 'no surviving node took the lead within 5 s');
    await sleep(100);
  }
  const takeoverMs = Date.now() - killedAt;

  await sleep(1_000);
  const restarted = await launch();
  nodes[victim] = restarted;
  await sleep(2_000);
  producing = false;
  await Promise.all(workers.slice(0).filter((_, i) => i % 5 < 3)); // producers
  const acked = [...sends.values()].filter((s) => s.state === 'acked');

  // Drain: consumers keep going until every acknowledged send has been received and both queues are empty.
  const deadline = Date.now() + 30_000;
  const empty = async (q: string) => {
    const a = (await nodes[(victim + 1) % 3]!.client!.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
    return Number(a['ApproximateNumberOfMessages']) + Number(a['ApproximateNumberOfMessagesNotVisible']) === 0;
  };
  for (;;) {
    if (acked.every((s) => receipts.has(s.body)) && (await empty(std)) && (await empty(fifo))) break;
    assert.ok(Date.now() < deadline, `not drained: ${acked.filter((s) => !receipts.has(s.body)).length} acknowledged sends never received`);
    await sleep(200);
  }
  consuming = false;
  await Promise.all(workers);

  // Duplicates only where at-least-once allows: an earlier receipt not deleted, and the visibility timeout passed.
  let redelivered = 0;
  for (const [body, list] of receipts) {
    const sent = sends.get(body);
    if (!sent) anomalies.push(`received ${body}, never sent`);
    for (let i = 1; i < list.length; i++) {
      redelivered++;
      const prev = list[i - 1]!;
      // A delete acknowledged before the next receive was even asked for must have removed the message. (One
      // acknowledged later may come after the message was redelivered and deleted: deleting a deleted message
      // succeeds, as in AWS — a consumer whose node died sends its delete to the restarted node.)
      if (prev.deletedAt !== undefined && prev.deletedAt < list[i]!.requestedAt) {
        anomalies.push(`${body} came back after its delete was acknowledged`);
        if (process.env['POSTBOX_TEST_VERBOSE']) console.log(body, JSON.stringify(list.map((r) => ({ ...r, requestedAt: r.requestedAt - killedAt, answeredAt: r.answeredAt - killedAt, deletedAt: r.deletedAt && r.deletedAt - killedAt }))));
      }
      if (list[i]!.answeredAt - prev.requestedAt < VT_SECONDS * 1000 - 50) anomalies.push(`${body} received twice within its visibility timeout`);
    }
  }
  // FIFO: every send acknowledged, and each body stored once (deduplication held across the failover).
  const fifoSends = [...sends.values()].filter((s) => s.group);
  assert.deepEqual(fifoSends.filter((s) => s.state !== 'acked').map((s) => s.body), [], 'every FIFO send ends acknowledged (re-sent on failover)');
  const stdUnknown = [...sends.values()].filter((s) => !s.group && s.state === 'unknown').length;

  t.diagnostic(
    `${acked.length} sends acknowledged (${ackedBeforeKill} before the kill), ${stdUnknown} standard sends unanswered, ` +
      `${receipts.size} bodies received, ${redelivered} redeliveries; leader killed: node ${victim}, takeover in ${takeoverMs} ms`,
  );
  assert.deepEqual(anomalies.slice(0, 20), [], `${anomalies.length} anomalies`);
  assert.ok(ackedBeforeKill > 100, 'the load was under way before the kill');
  assert.ok(acked.length > ackedBeforeKill, 'sends were acknowledged after the kill');
  for (const s of acked) assert.ok(receipts.has(s.body), `lost: ${s.body}`);
  const restartedHealth = await getHealth(restarted.proc!.endpoint);
  assert.equal(restartedHealth.status, 'ok');
});
