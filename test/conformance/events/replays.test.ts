import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Postbox } from '../../../src/index.js';
import { ManualClock } from '../../../src/core/clock.js';
import { jsonClient, settle, startClockedPostbox, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let clock: ManualClock;
let eb: EventBridgeClient;
let sqs: SQSClient;
const ACCOUNT = '000000000000';
const busArnOf = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;
const archiveArnOf = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:archive/${name}`;
const MINUTE = 60_000;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  eb = eventsClient(postbox.endpoint);
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  eb.destroy();
  sqs.destroy();
  await postbox.stop();
});

interface Setup {
  bus: string;
  archive: string;
  queueUrl: string;
  rule: string;
}

/** A bus with an archive of everything and one rule delivering to a fresh queue. */
async function setup(client = eb, queues = sqs): Promise<Setup> {
  const bus = uniqueName('bus');
  await client.send(new CreateEventBusCommand({ Name: bus }));
  const archive = uniqueName('arc');
  await client.send(new CreateArchiveCommand({ ArchiveName: archive, EventSourceArn: busArnOf(bus) }));
  const queueName = uniqueName('q');
  const queueUrl = (await queues.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
  const rule = uniqueName('rule');
  await client.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: '{"source":["shop"]}' }));
  await client.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queueName}` }] }));
  return { bus, archive, queueUrl, rule };
}

/** Puts events with ids n on the bus, `count` per call, at the clock's time. */
async function put(bus: string, ns: number[], client = eb) {
  for (let i = 0; i < ns.length; i += 10) {
    const Entries = ns.slice(i, i + 10).map((n) => ({ EventBusName: bus, Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ n }) }));
    const out = await client.send(new PutEventsCommand({ Entries }));
    assert.equal(out.FailedEntryCount, 0);
  }
}

async function drain(queueUrl: string, queues = sqs): Promise<any[]> {
  const bodies: any[] = [];
  for (;;) {
    const { Messages } = await queues.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return bodies;
    bodies.push(...Messages.map((m) => JSON.parse(m.Body!)));
  }
}

/** Moves the clock so the runner takes steps, until the replay reaches one of `states`. */
async function runUntil(name: string, states: string[], c = clock, client = eb) {
  for (let i = 0; i < 200; i++) {
    const r = await client.send(new DescribeReplayCommand({ ReplayName: name }));
    if (states.includes(r.State!)) return r;
    c.advance(0);
    await settle(5);
  }
  assert.fail(`replay ${name} never reached ${states.join('/')}`);
}

describe('replays', () => {
  test('replays the window to the archive bus, with replay-name, and does not archive replayed events', async () => {
    const s = await setup();
    const t0 = clock.now();
    clock.advance(MINUTE);
    await put(s.bus, [1]);
    clock.advance(MINUTE);
    await put(s.bus, [2, 3]);
    clock.advance(MINUTE);
    await put(s.bus, [4]);
    clock.advance(MINUTE);
    const originals = await drain(s.queueUrl);
    assert.deepEqual(originals.map((e) => e.detail.n), [1, 2, 3, 4]);

    const name = uniqueName('replay');
    // Events at t0+2min only: [t0+90s, t0+150s).
    const started = await eb.send(
      new StartReplayCommand({
        ReplayName: name,
        Description: 'second minute',
        EventSourceArn: archiveArnOf(s.archive),
        EventStartTime: new Date(t0 + 1.5 * MINUTE),
        EventEndTime: new Date(t0 + 2.5 * MINUTE),
        Destination: { Arn: busArnOf(s.bus) },
      }),
    );
    assert.equal(started.ReplayArn, `arn:aws:events:us-east-1:${ACCOUNT}:replay/${name}`);
    assert.equal(started.State, 'STARTING');
    assert.equal(started.ReplayStartTime!.getTime(), clock.now());
    assert.equal((await eb.send(new DescribeReplayCommand({ ReplayName: name }))).State, 'STARTING');

    const done = await runUntil(name, ['COMPLETED', 'FAILED']);
    assert.equal(done.State, 'COMPLETED');
    assert.equal(done.Description, 'second minute');
    assert.equal(done.EventSourceArn, archiveArnOf(s.archive));
    assert.deepEqual(done.Destination, { Arn: busArnOf(s.bus) });
    assert.equal(done.EventStartTime!.getTime(), t0 + 1.5 * MINUTE);
    assert.equal(done.EventEndTime!.getTime(), t0 + 2.5 * MINUTE);
    assert.equal(done.EventLastReplayedTime!.getTime(), t0 + 2 * MINUTE);
    assert.ok(done.ReplayEndTime instanceof Date);

    const replayed = await drain(s.queueUrl);
    assert.deepEqual(replayed.map((e) => e.detail.n).sort(), [2, 3]);
    for (const e of replayed) {
      assert.equal(e['replay-name'], name);
      assert.equal(e.time, new Date(t0 + 2 * MINUTE).toISOString().replace('.000', ''));
      assert.ok(originals.some((o) => o.id === e.id), 'a replayed event keeps its id');
    }
    // Archives do not keep replayed events.
    assert.equal((await eb.send(new DescribeArchiveCommand({ ArchiveName: s.archive }))).EventCount, 4);
  });

  test('rules can match on replay-name, and FilterArns limits the rules replayed to', async () => {
    const s = await setup();
    const queueName = uniqueName('q');
    const onlyReplays = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const replaysRule = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name: replaysRule, EventBusName: s.bus, EventPattern: '{"replay-name":[{"exists":true}]}' }));
    await eb.send(new PutTargetsCommand({ Rule: replaysRule, EventBusName: s.bus, Targets: [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queueName}` }] }));
    const t0 = clock.now();
    await put(s.bus, [1, 2]);
    clock.advance(MINUTE);
    assert.equal((await drain(s.queueUrl)).length, 2);
    assert.equal((await drain(onlyReplays)).length, 0);

    const all = uniqueName('replay');
    await eb.send(
      new StartReplayCommand({ ReplayName: all, EventSourceArn: archiveArnOf(s.archive), EventStartTime: new Date(t0), EventEndTime: new Date(clock.now()), Destination: { Arn: busArnOf(s.bus) } }),
    );
    await runUntil(all, ['COMPLETED']);
    assert.equal((await drain(s.queueUrl)).length, 2);
    assert.deepEqual((await drain(onlyReplays)).map((e) => e['replay-name']), [all, all]);

    const filtered = uniqueName('replay');
    const ruleArn = `arn:aws:events:us-east-1:${ACCOUNT}:rule/${s.bus}/${replaysRule}`;
    await eb.send(
      new StartReplayCommand({
        ReplayName: filtered,
        EventSourceArn: archiveArnOf(s.archive),
        EventStartTime: new Date(t0),
        EventEndTime: new Date(clock.now()),
        Destination: { Arn: busArnOf(s.bus), FilterArns: [ruleArn] },
      }),
    );
    const done = await runUntil(filtered, ['COMPLETED']);
    assert.deepEqual(done.Destination?.FilterArns, [ruleArn]);
    assert.equal((await drain(s.queueUrl)).length, 0, 'the rule not in FilterArns gets nothing');
    assert.equal((await drain(onlyReplays)).length, 2);
  });

  test('a long replay is RUNNING with progress, and can be cancelled', async () => {
    const s = await setup();
    const t0 = clock.now();
    await put(s.bus, Array.from({ length: 250 }, (_, i) => i));
    clock.advance(MINUTE);
    assert.equal((await drain(s.queueUrl)).length, 250);
    const name = uniqueName('replay');
    await eb.send(
      new StartReplayCommand({ ReplayName: name, EventSourceArn: archiveArnOf(s.archive), EventStartTime: new Date(t0), EventEndTime: new Date(clock.now()), Destination: { Arn: busArnOf(s.bus) } }),
    );
    const running = await runUntil(name, ['RUNNING']);
    assert.equal(running.EventLastReplayedTime!.getTime(), t0);
    assert.equal(running.ReplayEndTime, undefined);
    const cancelled = await eb.send(new CancelReplayCommand({ ReplayName: name }));
    assert.deepEqual([cancelled.ReplayArn, cancelled.State], [`arn:aws:events:us-east-1:${ACCOUNT}:replay/${name}`, 'CANCELLING']);
    const end = await runUntil(name, ['CANCELLED']);
    assert.ok(end.ReplayEndTime instanceof Date);
    const replayed = (await drain(s.queueUrl)).length;
    assert.ok(replayed >= 100 && replayed < 250, `cancelled part-way (${replayed} replayed)`);
    await rejects(eb.send(new CancelReplayCommand({ ReplayName: name })), 'IllegalStatusException', 400, `Replay ${name} is not in a valid state for this operation.`);
  });

  test('a replay whose archive is deleted under it fails', async () => {
    const s = await setup();
    const t0 = clock.now();
    // Four steps of 100: when RUNNING is seen one more step may already be in flight (a slower store, PostgreSQL,
    // widens that window), and the replay must still have events left when the archive goes.
    await put(s.bus, Array.from({ length: 350 }, (_, i) => i));
    clock.advance(MINUTE);
    const name = uniqueName('replay');
    await eb.send(
      new StartReplayCommand({ ReplayName: name, EventSourceArn: archiveArnOf(s.archive), EventStartTime: new Date(t0), EventEndTime: new Date(clock.now()), Destination: { Arn: busArnOf(s.bus) } }),
    );
    await runUntil(name, ['RUNNING']);
    await eb.send(new DeleteArchiveCommand({ ArchiveName: s.archive }));
    const failed = await runUntil(name, ['FAILED', 'COMPLETED']);
    assert.equal(failed.State, 'FAILED');
    assert.equal(failed.StateReason, `Archive ${s.archive} does not exist.`);
  });

  test('StartReplay validation, as AWS answers it', async () => {
    const s = await setup();
    const other = await setup();
    const now = clock.now();
    const base = {
      ReplayName: uniqueName('replay'),
      EventSourceArn: archiveArnOf(s.archive),
      EventStartTime: new Date(now - MINUTE),
      EventEndTime: new Date(now),
      Destination: { Arn: busArnOf(s.bus) },
    };
    await rejects(
      eb.send(new StartReplayCommand({ ...base, EventStartTime: new Date(now), EventEndTime: new Date(now - MINUTE) })),
      'ValidationException',
      400,
      'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
    );
    await rejects(eb.send(new StartReplayCommand({ ...base, EventEndTime: new Date(now + MINUTE) })), 'ValidationException', 400, /EventEndTime is not valid/);
    await rejects(
      eb.send(new StartReplayCommand({ ...base, EventSourceArn: archiveArnOf('nope') })),
      'ValidationException',
      400,
      'Parameter EventSourceArn is not valid. Reason: Archive nope does not exist.',
    );
    await rejects(
      eb.send(new StartReplayCommand({ ...base, Destination: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q' } })),
      'ValidationException',
      400,
      'Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.',
    );
    await rejects(
      eb.send(new StartReplayCommand({ ...base, Destination: { Arn: busArnOf(other.bus) } })),
      'ValidationException',
      400,
      'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
    );
    await rejects(eb.send(new StartReplayCommand({ ...base, Destination: { Arn: busArnOf('missing') } })), 'ResourceNotFoundException', 400, 'Event bus missing does not exist.');
    await rejects(eb.send(new StartReplayCommand({ ...base, ReplayName: 'bad name' })), 'ValidationException', 400, /replayName/);
    await eb.send(new StartReplayCommand(base));
    await rejects(eb.send(new StartReplayCommand(base)), 'ResourceAlreadyExistsException', 400, `Replay ${base.ReplayName} already exists.`);
    await rejects(eb.send(new DescribeReplayCommand({ ReplayName: 'nope' })), 'ResourceNotFoundException', 400, 'Replay nope does not exist.');
    await rejects(eb.send(new CancelReplayCommand({ ReplayName: 'nope' })), 'ResourceNotFoundException', 400, 'Replay nope does not exist.');
    await runUntil(base.ReplayName, ['COMPLETED']);
  });

  test('ListReplays filters by prefix, state and archive, and pages', async () => {
    const s = await setup();
    const t0 = clock.now();
    await put(s.bus, [1]);
    clock.advance(MINUTE);
    const prefix = uniqueName('lr');
    for (const n of ['a', 'b', 'c']) {
      await eb.send(
        new StartReplayCommand({ ReplayName: `${prefix}-${n}`, EventSourceArn: archiveArnOf(s.archive), EventStartTime: new Date(t0), EventEndTime: new Date(clock.now()), Destination: { Arn: busArnOf(s.bus) } }),
      );
    }
    let listed = await eb.send(new ListReplaysCommand({ NamePrefix: prefix }));
    assert.deepEqual(listed.Replays!.map((r) => [r.ReplayName, r.State]), [[`${prefix}-a`, 'STARTING'], [`${prefix}-b`, 'STARTING'], [`${prefix}-c`, 'STARTING']]);
    for (const n of ['a', 'b', 'c']) await runUntil(`${prefix}-${n}`, ['COMPLETED']);
    listed = await eb.send(new ListReplaysCommand({ NamePrefix: prefix, Limit: 2 }));
    assert.equal(listed.Replays!.length, 2);
    assert.ok(listed.NextToken);
    const rest = await eb.send(new ListReplaysCommand({ NamePrefix: prefix, Limit: 2, NextToken: listed.NextToken }));
    assert.deepEqual(rest.Replays!.map((r) => r.ReplayName), [`${prefix}-c`]);
    assert.equal(rest.Replays![0]!.EventSourceArn, archiveArnOf(s.archive));
    assert.ok(rest.Replays![0]!.ReplayEndTime instanceof Date);
    assert.equal((await eb.send(new ListReplaysCommand({ EventSourceArn: archiveArnOf(s.archive) }))).Replays!.length, 3);
    assert.equal((await eb.send(new ListReplaysCommand({ NamePrefix: prefix, State: 'RUNNING' }))).Replays!.length, 0);
    assert.equal((await eb.send(new ListReplaysCommand({ NamePrefix: prefix, State: 'COMPLETED' }))).Replays!.length, 3);
    await rejects(eb.send(new ListReplaysCommand({ State: 'DONE' as never })), 'ValidationException', 400, /enum value set/);
  });

  test('at most 10 replays run at once in an account and Region', async () => {
    const s = await setup();
    const t0 = clock.now();
    await put(s.bus, [1]);
    clock.advance(MINUTE);
    const start = (ReplayName: string) =>
      eb.send(
        new StartReplayCommand({ ReplayName, EventSourceArn: archiveArnOf(s.archive), EventStartTime: new Date(t0), EventEndTime: new Date(clock.now()), Destination: { Arn: busArnOf(s.bus) } }),
      );
    const prefix = uniqueName('many');
    // The clock does not move meanwhile, so all ten stay STARTING.
    for (let i = 0; i < 10; i++) await start(`${prefix}-${i}`);
    await rejects(start(`${prefix}-10`), 'LimitExceededException', 400);
    await runUntil(`${prefix}-9`, ['COMPLETED']);
    for (let i = 0; i < 10; i++) await runUntil(`${prefix}-${i}`, ['COMPLETED']);
    await start(`${prefix}-10`);
    await runUntil(`${prefix}-10`, ['COMPLETED']);
  });
});

test('a RUNNING replay carries on after a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'postbox-replay-'));
  const fileClock = new ManualClock(Date.UTC(2026, 0, 1));
  const open = async () => {
    const p = await startTestPostbox({ dataDir, memory: false, clock: fileClock });
    return { p, eb: eventsClient(p.endpoint), sqs: jsonClient(p.endpoint) };
  };
  let first = await open();
  try {
    const s = await setup(first.eb, first.sqs);
    const t0 = fileClock.now();
    await put(s.bus, Array.from({ length: 150 }, (_, i) => i), first.eb);
    fileClock.advance(MINUTE);
    assert.equal((await drain(s.queueUrl, first.sqs)).length, 150);
    await first.eb.send(
      new StartReplayCommand({ ReplayName: 'kept', EventSourceArn: archiveArnOf(s.archive), EventStartTime: new Date(t0), EventEndTime: new Date(fileClock.now()), Destination: { Arn: busArnOf(s.bus) } }),
    );
    await runUntil('kept', ['RUNNING'], fileClock, first.eb);
    first.eb.destroy();
    first.sqs.destroy();
    await first.p.stop();

    first = await open();
    const done = await runUntil('kept', ['COMPLETED'], fileClock, first.eb);
    assert.equal(done.State, 'COMPLETED');
    const replayed = await drain(s.queueUrl, first.sqs);
    assert.equal(replayed.length, 150, 'every event replayed once across the restart');
    assert.equal(new Set(replayed.map((e) => e.detail.n)).size, 150);
  } finally {
    first.eb.destroy();
    first.sqs.destroy();
    await first.p.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
