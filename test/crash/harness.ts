/**
 * The crash harness: drives a real `postbox start` child with concurrent producers and consumers through the
 * SDK, SIGKILLs it mid-load, restarts it on the same data directory and checks, id by id, that every send that got
 * a 200 survived and every delete that got a 200 stuck. Not a test file itself (no `.test.` in its name).
 */
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { credentials } from '../support/postbox.js';

/** A client that never retries (so one call is one request) and never waits forever on a dead server. */
export function crashClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 8_000, connectionTimeout: 2_000 },
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An SDK error that carries an HTTP status was answered by the server; anything else is a transport failure. */
function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
const describe = (err: unknown): string => `${(err as Error)?.name}: ${(err as Error)?.message}`;

export interface SendRecord {
  body: string;
  group?: string;
  /** Position in its producer's (= FIFO group's) sequence. */
  seq: number;
  producer: number;
  state: 'pending' | 'acked' | 'failed';
  /** MessageId from a 200, or learnt from a receive. */
  id?: string;
  pendingAtKill: boolean;
  /** FIFO: re-sent after the restart with the same deduplication id. */
  retried?: boolean;
}

/** Everything the clients know about what the server acknowledged. */
export class Ledger {
  readonly sends = new Map<string, SendRecord>();
  readonly bodyOfId = new Map<string, string>();
  readonly deleteAcked = new Set<string>();
  /** Message id → number of DeleteMessage(Batch) requests for it not yet answered. */
  readonly deletePending = new Map<string, number>();
  /** Ids whose delete was unanswered when the kill came: present or absent afterwards are both fine. */
  readonly deleteMaybe = new Set<string>();
  /** Things that must not happen, collected rather than thrown so one report shows them all. */
  readonly anomalies: string[] = [];
  /** Server-answered errors that are legitimate (e.g. a FIFO receipt whose visibility lapsed). */
  readonly tolerated: string[] = [];
  killed = false;
  /** Requests (any kind) outstanding at the moment of the kill. */
  inFlightAtKill = 0;
  inFlight = 0;
  counts = { sendCalls: 0, batchCalls: 0, receiveCalls: 0, deleteCalls: 0, received: 0, postKillAcks: 0, cutOff: 0 };

  constructor(readonly fifo: boolean) {}

  learnId(id: string, body: string, where: string): void {
    const known = this.bodyOfId.get(id);
    if (known !== undefined && known !== body) this.anomalies.push(`${where}: id ${id} carried body ${known} and now ${body}`);
    this.bodyOfId.set(id, body);
    const rec = this.sends.get(body);
    if (!rec) {
      this.anomalies.push(`${where}: body ${body} (id ${id}) was never sent`);
      return;
    }
    if (rec.id !== undefined && rec.id !== id) this.anomalies.push(`${where}: body ${body} has id ${id}, but its send answered ${rec.id}`);
    rec.id ??= id;
  }

  /** The moment of the kill: whatever is unanswered now may or may not have been committed. */
  markKill(): void {
    this.killed = true;
    this.inFlightAtKill = this.inFlight;
    for (const rec of this.sends.values()) if (rec.state === 'pending') rec.pendingAtKill = true;
    for (const [id, n] of this.deletePending) if (n > 0) this.deleteMaybe.add(id);
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

async function tracked<T>(ledger: Ledger, call: () => Promise<T>): Promise<T> {
  ledger.inFlight++;
  try {
    return await call();
  } catch (err) {
    // Sent before the kill, never answered: the kill cut it off somewhere between the socket and the response.
    if (ledger.killed && httpStatusOf(err) === undefined) ledger.counts.cutOff++;
    throw err;
  } finally {
    ledger.inFlight--;
  }
}

export interface LoadOptions {
  queueUrl: string;
  round: number;
  singleProducers: number;
  batchProducers: number;
  consumers: number;
  /** FIFO: the size of each producer's batches (one group per producer). */
  batchSize: number;
  /** VisibilityTimeout consumers receive with, seconds. */
  consumerVisibility: number;
  /** Upper bounds: each worker stops after this many calls or at this deadline, whichever first. */
  maxCallsPerWorker: number;
  deadline: number;
}

/** One producer: sends in sequence (so its FIFO group has a defined order) until the kill or a bound. */
async function producer(client: SQSClient, ledger: Ledger, o: LoadOptions, p: number, batch: boolean): Promise<void> {
  const group = ledger.fifo ? `r${o.round}-g${p}` : undefined;
  let seq = 0;
  for (let calls = 0; calls < o.maxCallsPerWorker && !ledger.killed && Date.now() < o.deadline; calls++) {
    const n = batch ? o.batchSize : 1;
    const recs: SendRecord[] = [];
    for (let i = 0; i < n; i++, seq++) {
      const body = `${ledger.fifo ? 'f' : 's'}${o.round}-p${p}-n${seq}`;
      const rec: SendRecord = { body, seq, producer: p, state: 'pending', pendingAtKill: false };
      if (group) rec.group = group;
      ledger.sends.set(body, rec);
      recs.push(rec);
    }
    const fifoFields = (rec: SendRecord) => (ledger.fifo ? { MessageGroupId: rec.group!, MessageDeduplicationId: rec.body } : {});
    try {
      if (!batch) {
        ledger.counts.sendCalls++;
        const rec = recs[0]!;
        const out = await tracked(ledger, () =>
          client.send(new SendMessageCommand({ QueueUrl: o.queueUrl, MessageBody: rec.body, ...fifoFields(rec) })),
        );
        if (out.MD5OfMessageBody !== md5(rec.body)) ledger.anomalies.push(`send ${rec.body}: MD5 ${out.MD5OfMessageBody}`);
        if (ledger.killed) ledger.counts.postKillAcks++;
        rec.state = 'acked';
        ledger.learnId(out.MessageId!, rec.body, 'SendMessage');
      } else {
        ledger.counts.batchCalls++;
        const out = await tracked(ledger, () =>
          client.send(
            new SendMessageBatchCommand({
              QueueUrl: o.queueUrl,
              Entries: recs.map((rec, i) => ({ Id: `e${i}`, MessageBody: rec.body, ...fifoFields(rec) })),
            }),
          ),
        );
        if (ledger.killed) ledger.counts.postKillAcks++;
        for (const f of out.Failed ?? []) ledger.anomalies.push(`SendMessageBatch entry ${f.Id} failed: ${f.Code} ${f.Message}`);
        for (const s of out.Successful ?? []) {
          const rec = recs[Number(s.Id!.slice(1))]!;
          rec.state = 'acked';
          ledger.learnId(s.MessageId!, rec.body, 'SendMessageBatch');
        }
        for (const rec of recs) if (rec.state === 'pending') rec.state = 'failed';
      }
    } catch (err) {
      for (const rec of recs) if (rec.state === 'pending') rec.state = 'failed';
      const status = httpStatusOf(err);
      if (!ledger.killed || status !== undefined) ledger.anomalies.push(`send ${recs[0]!.body} failed (HTTP ${status ?? '-'}): ${describe(err)}`);
      return; // a FIFO producer must not skip past a send whose fate is unknown
    }
  }
}

/** One consumer: receive up to ten, delete them (alternating DeleteMessageBatch and single DeleteMessage calls). */
async function consumer(client: SQSClient, ledger: Ledger, o: LoadOptions, c: number): Promise<void> {
  for (let calls = 0; calls < o.maxCallsPerWorker && !ledger.killed && Date.now() < o.deadline; calls++) {
    let messages: Message[];
    try {
      ledger.counts.receiveCalls++;
      const out = await tracked(ledger, () =>
        client.send(
          new ReceiveMessageCommand({
            QueueUrl: o.queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: o.consumerVisibility,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber'],
          }),
        ),
      );
      messages = out.Messages ?? [];
    } catch (err) {
      const status = httpStatusOf(err);
      if (!ledger.killed || status !== undefined) ledger.anomalies.push(`receive failed (HTTP ${status ?? '-'}): ${describe(err)}`);
      return;
    }
    ledger.counts.received += messages.length;
    for (const m of messages) ledger.learnId(m.MessageId!, m.Body!, 'ReceiveMessage');
    if (ledger.fifo) checkFifoBatchOrder(ledger, messages, 'load receive');
    if (ledger.killed || messages.length === 0) continue;

    // A delete counts as in flight only from the moment its request is about to go out.
    const begin = (ms: Message[]) => ms.forEach((m) => ledger.deletePending.set(m.MessageId!, (ledger.deletePending.get(m.MessageId!) ?? 0) + 1));
    const settle = (id: string) => ledger.deletePending.set(id, ledger.deletePending.get(id)! - 1);
    try {
      ledger.counts.deleteCalls++;
      if ((calls + c) % 2 === 0) {
        begin(messages);
        const out = await tracked(ledger, () =>
          client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: o.queueUrl,
              Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
            }),
          ),
        ).finally(() => messages.forEach((m) => settle(m.MessageId!)));
        if (ledger.killed) ledger.counts.postKillAcks++;
        for (const s of out.Successful ?? []) ledger.deleteAcked.add(messages[Number(s.Id!.slice(1))]!.MessageId!);
        for (const f of out.Failed ?? []) {
          const m = messages[Number(f.Id!.slice(1))]!;
          const note = `DeleteMessageBatch ${m.Body}: ${f.Code} ${f.Message}`;
          // FIFO refuses a handle whose visibility timeout lapsed: the message stays, which is what the ledger expects.
          if (ledger.fifo && f.Code === 'ReceiptHandleIsInvalid') ledger.tolerated.push(note);
          else ledger.anomalies.push(note);
        }
      } else {
        for (const m of messages) {
          if (ledger.killed) break;
          begin([m]);
          try {
            await tracked(ledger, () => client.send(new DeleteMessageCommand({ QueueUrl: o.queueUrl, ReceiptHandle: m.ReceiptHandle! })));
            if (ledger.killed) ledger.counts.postKillAcks++;
            ledger.deleteAcked.add(m.MessageId!);
          } catch (err) {
            const status = httpStatusOf(err);
            const note = `DeleteMessage ${m.Body} (HTTP ${status ?? '-'}): ${describe(err)}`;
            if (status === undefined && ledger.killed) throw err;
            if (ledger.fifo && status === 400 && (err as Error).name === 'ReceiptHandleIsInvalid') ledger.tolerated.push(note);
            else ledger.anomalies.push(note);
          } finally {
            settle(m.MessageId!);
          }
        }
      }
    } catch (err) {
      const status = httpStatusOf(err);
      if (!ledger.killed || status !== undefined) ledger.anomalies.push(`delete failed (HTTP ${status ?? '-'}): ${describe(err)}`);
      return;
    }
  }
}

/** Within one receive, messages of a FIFO group come in their group's order. */
function checkFifoBatchOrder(ledger: Ledger, messages: Message[], where: string): void {
  const last = new Map<string, number>();
  for (const m of messages) {
    const rec = ledger.sends.get(m.Body!);
    if (!rec) continue;
    const group = m.Attributes?.MessageGroupId;
    if (group !== rec.group) ledger.anomalies.push(`${where}: ${m.Body} came with MessageGroupId ${group}`);
    const prev = last.get(rec.group!);
    if (prev !== undefined && rec.seq <= prev) ledger.anomalies.push(`${where}: ${m.Body} after seq ${prev} of its group in one receive`);
    last.set(rec.group!, rec.seq);
  }
}

export interface LoadResult {
  killAfterMs: number;
  exitSignal: string | null;
  /** What became of the tripwire batch written to the socket in the same tick as the kill. */
  tripwire: 'acked' | 'cut off' | 'error';
}

/**
 * A SendMessageBatch over a raw HTTP/1.1 request (AWS JSON 1.0) on a socket connected beforehand, so the kill can
 * follow the write within the same tick: `afterWrite` runs synchronously right after the whole request was handed
 * to the socket.
 */
function rawSendBatch(
  endpoint: string,
  queueUrl: string,
  entries: object[],
  afterWrite: () => void,
): Promise<{ status: number; json: { Successful?: { Id: string; MessageId: string }[]; Failed?: unknown[] } }> {
  const url = new URL(endpoint);
  const body = JSON.stringify({ QueueUrl: queueUrl, Entries: entries });
  const head =
    `POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-amz-json-1.0\r\n` +
    `X-Amz-Target: AmazonSQS.SendMessageBatch\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(url.port) });
    socket.setTimeout(8_000, () => socket.destroy(new Error('timeout')));
    let text = '';
    socket.setEncoding('utf8').on('data', (c: string) => (text += c));
    socket.on('error', (err) => {
      afterWrite();
      reject(err);
    });
    socket.on('connect', () => {
      socket.write(head + body);
      afterWrite();
    });
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      if (!m || split < 0) return reject(new Error(`no response (${text.length} bytes)`));
      try {
        resolve({ status: Number(m[1]), json: JSON.parse(text.slice(split + 4)) as never });
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

/**
 * Runs the workers and SIGKILLs the server `killAfterMs` into the load. The kill is fired in the same tick as a
 * tripwire SendMessageBatch is written to a socket, so that request reaches the server as it dies, whatever the SDK
 * workers happen to be doing at that moment; then waits (bounded) for every worker to notice.
 */
export async function loadAndKill(
  client: SQSClient,
  endpoint: string,
  ledger: Ledger,
  o: LoadOptions,
  killAfterMs: number,
  kill: () => Promise<{ signal: string | null }>,
): Promise<LoadResult> {
  const workers: Promise<void>[] = [];
  let p = 0;
  for (let i = 0; i < o.singleProducers; i++) workers.push(producer(client, ledger, o, p++, false));
  for (let i = 0; i < o.batchProducers; i++) workers.push(producer(client, ledger, o, p++, true));
  for (let c = 0; c < o.consumers; c++) workers.push(consumer(client, ledger, o, c));
  await sleep(killAfterMs);

  const tripProducer = p++;
  const trip: SendRecord[] = [];
  for (let seq = 0; seq < 10; seq++) {
    const rec: SendRecord = { body: `${ledger.fifo ? 'f' : 's'}${o.round}-trip-n${seq}`, seq, producer: tripProducer, state: 'pending', pendingAtKill: false };
    if (ledger.fifo) rec.group = `r${o.round}-gtrip`;
    ledger.sends.set(rec.body, rec);
    trip.push(rec);
  }
  let exiting: Promise<{ signal: string | null }> | undefined;
  const killNow = () => {
    if (exiting) return;
    // Signal first, book-keep second: both run in this one synchronous block, so no answer can slip in between,
    // and the server gets no extra time to finish the tripwire while the ledger is being walked.
    exiting = kill();
    ledger.markKill();
  };
  const entries = trip.map((rec, i) => ({
    Id: `t${i}`,
    MessageBody: rec.body,
    ...(ledger.fifo ? { MessageGroupId: rec.group!, MessageDeduplicationId: rec.body } : {}),
  }));
  let tripwire: LoadResult['tripwire'];
  try {
    const out = await rawSendBatch(endpoint, o.queueUrl, entries, killNow);
    if (out.status !== 200 || out.json.Failed?.length) throw Object.assign(new Error(`HTTP ${out.status}`), { answered: true });
    for (const s of out.json.Successful ?? []) {
      const rec = trip[Number(s.Id.slice(1))]!;
      rec.state = 'acked';
      ledger.learnId(s.MessageId, rec.body, 'tripwire SendMessageBatch');
    }
    tripwire = 'acked';
  } catch (err) {
    for (const rec of trip) if (rec.state === 'pending') rec.state = 'failed';
    if ((err as { answered?: boolean }).answered) {
      ledger.anomalies.push(`tripwire batch answered ${(err as Error).message}`);
      tripwire = 'error';
    } else {
      tripwire = 'cut off';
    }
  }
  killNow(); // in case the request failed before it was flushed
  const exit = await exiting!;
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    Promise.allSettled(workers).then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 15_000))),
  ]);
  clearTimeout(timer);
  if (!settled) ledger.anomalies.push('workers did not finish within 15 s of the kill');
  return { killAfterMs, exitSignal: exit.signal, tripwire };
}

export interface Drained {
  /** In the order received. */
  messages: Message[];
  ms: number;
}

/**
 * Receives and deletes until the queue is empty: nothing visible, in flight or delayed. Messages in flight at the
 * kill come back once their visibility timeout lapses, so this waits for them (bounded by `timeoutMs`).
 */
export async function drain(client: SQSClient, queueUrl: string, timeoutMs: number): Promise<Drained> {
  const started = Date.now();
  const messages: Message[] = [];
  while (Date.now() - started < timeoutMs) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['MessageGroupId', 'SequenceNumber', 'ApproximateReceiveCount'],
      }),
    );
    const got = out.Messages ?? [];
    if (got.length) {
      messages.push(...got);
      const del = await client.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
      );
      if (del.Failed?.length) throw new Error(`drain: DeleteMessageBatch failed: ${JSON.stringify(del.Failed)}`);
      continue;
    }
    const attrs = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const a = attrs.Attributes ?? {};
    const left = Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed);
    if (left === 0) return { messages, ms: Date.now() - started };
    await sleep(100);
  }
  throw new Error(`drain: queue ${queueUrl} not empty after ${timeoutMs} ms (${messages.length} drained)`);
}

export interface Verdict {
  problems: string[];
  mustBePresent: number;
  drained: number;
  allowedExtras: number;
  extrasSeen: number;
}

/** The check: acknowledged sends present, acknowledged deletes absent, nothing unaccounted for; FIFO: order, once. */
export function verifyDrain(ledger: Ledger, drained: Message[]): Verdict {
  const problems = [...ledger.anomalies];
  const seenIds = new Map<string, number>();
  const seenBodies = new Map<string, number>();
  let extrasSeen = 0;
  for (const m of drained) {
    const id = m.MessageId!;
    const body = m.Body!;
    seenIds.set(id, (seenIds.get(id) ?? 0) + 1);
    seenBodies.set(body, (seenBodies.get(body) ?? 0) + 1);
    if (m.MD5OfBody !== md5(body)) problems.push(`drained ${id}: MD5OfBody does not match its body`);
    const rec = ledger.sends.get(body);
    if (!rec) {
      problems.push(`drained ${id} with body ${JSON.stringify(body)} that no producer sent`);
      continue;
    }
    const knownBody = ledger.bodyOfId.get(id);
    if (knownBody !== undefined && knownBody !== body) problems.push(`drained ${id}: body ${body}, earlier it carried ${knownBody}`);
    if (ledger.deleteAcked.has(id)) problems.push(`drained ${id} (${body}): its DeleteMessage got a 200 before the kill, yet it came back`);
    if (rec.state === 'acked') {
      if (rec.id !== id) problems.push(`drained ${id} (${body}): the send of that body was acknowledged with id ${rec.id}`);
    } else if (!rec.pendingAtKill) {
      problems.push(`drained ${id} (${body}): its send was never acknowledged and was not in flight at the kill (state ${rec.state})`);
    } else {
      extrasSeen++;
    }
  }
  let mustBePresent = 0;
  let allowedExtras = 0;
  for (const rec of ledger.sends.values()) {
    if (rec.state !== 'acked') {
      if (rec.pendingAtKill) allowedExtras++;
      continue;
    }
    const id = rec.id!;
    if (ledger.deleteAcked.has(id) || ledger.deleteMaybe.has(id)) continue;
    mustBePresent++;
    if (!seenIds.has(id)) problems.push(`lost: ${id} (${rec.body}) was acknowledged${rec.retried ? ' (re-sent after the restart)' : ''} and not deleted, but is gone`);
  }
  if (ledger.fifo) {
    for (const [id, n] of seenIds) if (n > 1) problems.push(`FIFO: ${id} drained ${n} times`);
    for (const [body, n] of seenBodies) if (n > 1) problems.push(`FIFO: body ${body} drained ${n} times (deduplication did not hold)`);
    const lastSeq = new Map<string, { seq: number; body: string }>();
    for (const m of drained) {
      const rec = ledger.sends.get(m.Body!);
      if (!rec) continue;
      if (m.Attributes?.MessageGroupId !== rec.group) problems.push(`FIFO: ${m.Body} drained with MessageGroupId ${m.Attributes?.MessageGroupId}`);
      const prev = lastSeq.get(rec.group!);
      if (prev && rec.seq <= prev.seq) problems.push(`FIFO order: ${m.Body} drained after ${prev.body}`);
      lastSeq.set(rec.group!, { seq: rec.seq, body: rec.body });
    }
  }
  return { problems, mustBePresent, drained: drained.length, allowedExtras, extrasSeen };
}

/** Queue attributes that must survive a crash unchanged (the approximate counts move, naturally). */
export async function durableAttributes(client: SQSClient, queueUrl: string): Promise<{ attributes: Record<string, string>; tags: Record<string, string> }> {
  const a = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.Attributes ?? {})) if (!k.startsWith('Approximate')) attributes[k] = v;
  const t = await client.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }));
  return { attributes, tags: t.Tags ?? {} };
}
