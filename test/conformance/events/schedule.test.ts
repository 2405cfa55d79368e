/**
 * Scheduled rules under an injected clock: rate and cron (with L, W and #) schedules fire AWS's scheduled-event
 * envelope to their targets at their times, once per schedule — across a restart too — and not while disabled.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisableRuleCommand, EnableRuleCommand, PutRuleCommand, PutTargetsCommand, DeleteRuleCommand, RemoveTargetsCommand, CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../src/core/clock.js';
import type { Postbox } from '../../../src/index.js';
import { SqliteStore } from '../../../src/store/sqlite/engine.js';
import { jsonClient, settle, startClockedPostbox, startTestPostbox } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

const ACCOUNT = '000000000000';
const T0 = Date.UTC(2026, 0, 1); // a Thursday
const MINUTE = 60_000;

async function queue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  return { url, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}

/**
 * Receives (and deletes) what the queue has, after letting the scheduler run. With `expected`, keeps polling until that
 * many have arrived or ten seconds pass: a loaded machine (or the PostgreSQL engine) may deliver later than a fixed pause.
 */
async function drain(sqs: SQSClient, url: string, expected = 0): Promise<Record<string, any>[]> {
  await settle(60);
  const out: Record<string, any>[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) {
      if (out.length >= expected || Date.now() > deadline) return out;
      await settle(50);
      continue;
    }
    for (const m of Messages) {
      out.push(JSON.parse(m.Body!));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

/** Moves the clock to `ms` after T0 in one step. */
const advanceTo = (clock: ManualClock, ms: number) => clock.advance(T0 + ms - clock.now());

describe('scheduled rules', () => {
  test('rate(5 minutes) fires the scheduled-event envelope every five minutes, at the scheduled time', async () => {
    const { postbox, clock } = await startClockedPostbox();
    const eb = eventsClient(postbox.endpoint);
    const sqs = jsonClient(postbox.endpoint);
    try {
      const q = await queue(sqs, 'ticks');
      const { RuleArn } = await eb.send(new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' }));
      await eb.send(new PutTargetsCommand({ Rule: 'every-5', Targets: [{ Id: 'q', Arn: q.arn }] }));
      await settle();
      advanceTo(clock, 5 * MINUTE - 1000);
      assert.deepEqual(await drain(sqs, q.url), [], 'not before its time');
      advanceTo(clock, 5 * MINUTE);
      const [event, ...rest] = await drain(sqs, q.url, 1);
      assert.equal(rest.length, 0);
      assert.deepEqual(Object.keys(event!), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
      assert.equal(event!['detail-type'], 'Scheduled Event');
      assert.equal(event!['source'], 'aws.events');
      assert.equal(event!['time'], '2026-01-01T00:05:00Z');
      assert.deepEqual(event!['resources'], [RuleArn]);
      assert.deepEqual(event!['detail'], {});
      assert.equal(event!['account'], ACCOUNT);
      assert.equal(event!['region'], 'us-east-1');
      advanceTo(clock, 10 * MINUTE);
      assert.deepEqual((await drain(sqs, q.url, 1)).map((e) => e['time']), ['2026-01-01T00:10:00Z']);
      advanceTo(clock, 15 * MINUTE);
      assert.deepEqual((await drain(sqs, q.url, 1)).map((e) => e['time']), ['2026-01-01T00:15:00Z']);
    } finally {
      eb.destroy();
      sqs.destroy();
      await postbox.stop();
    }
  });

  test('cron schedules with L, W and # fire on the days they name', async () => {
    const { postbox, clock } = await startClockedPostbox();
    const eb = eventsClient(postbox.endpoint);
    const sqs = jsonClient(postbox.endpoint);
    try {
      const rules = {
        // The last day of the month at 12:00.
        last: 'cron(0 12 L * ? *)',
        // The weekday nearest the 17th (a Saturday in January 2026): Friday the 16th, 09:30.
        nearest: 'cron(30 9 17W * ? *)',
        // The second Tuesday (3#2): 13 January 2026, 08:00.
        second: 'cron(0 8 ? * 3#2 *)',
      };
      const queues: Record<string, { url: string; arn: string }> = {};
      for (const [name, ScheduleExpression] of Object.entries(rules)) {
        queues[name] = await queue(sqs, `cron-${name}`);
        await eb.send(new PutRuleCommand({ Name: name, ScheduleExpression }));
        await eb.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: queues[name]!.arn }] }));
      }
      await settle();
      // Collects the firings until every expected one has arrived (or ten seconds pass), however slow the machine.
      const times = async (expected: Record<string, string[]>) => {
        const out: Record<string, string[]> = Object.fromEntries(Object.keys(rules).map((name) => [name, []]));
        const missing = () => Object.keys(rules).some((name) => out[name]!.length < expected[name]!.length);
        const deadline = Date.now() + 10_000;
        do {
          for (const name of Object.keys(rules)) out[name]!.push(...(await drain(sqs, queues[name]!.url)).map((e) => e['time'] as string));
        } while (missing() && Date.now() < deadline);
        return out;
      };
      const expect = async (expected: Record<string, string[]>) => assert.deepEqual(await times(expected), expected);
      const at = (iso: string) => advanceTo(clock, Date.parse(iso) - T0);
      at('2026-01-13T07:59:00Z');
      await expect({ last: [], nearest: [], second: [] });
      at('2026-01-13T08:00:00Z');
      await expect({ last: [], nearest: [], second: ['2026-01-13T08:00:00Z'] });
      at('2026-01-16T09:30:00Z');
      await expect({ last: [], nearest: ['2026-01-16T09:30:00Z'], second: [] });
      at('2026-01-31T12:00:00Z');
      await expect({ last: ['2026-01-31T12:00:00Z'], nearest: [], second: [] });
      at('2026-02-28T12:00:00Z');
      // February: the 17th is a Tuesday (fires as is), the second Tuesday is the 10th, the last day the 28th.
      await expect({ last: ['2026-02-28T12:00:00Z'], nearest: ['2026-02-17T09:30:00Z'], second: ['2026-02-10T08:00:00Z'] });
    } finally {
      eb.destroy();
      sqs.destroy();
      await postbox.stop();
    }
  });

  test('a disabled rule does not fire; enabled again, it fires one period later', async () => {
    const { postbox, clock } = await startClockedPostbox();
    const eb = eventsClient(postbox.endpoint);
    const sqs = jsonClient(postbox.endpoint);
    try {
      const q = await queue(sqs, 'paused');
      await eb.send(new PutRuleCommand({ Name: 'hourly', ScheduleExpression: 'rate(1 hour)' }));
      await eb.send(new PutTargetsCommand({ Rule: 'hourly', Targets: [{ Id: 'q', Arn: q.arn }] }));
      await eb.send(new DisableRuleCommand({ Name: 'hourly' }));
      await settle();
      advanceTo(clock, 3 * 60 * MINUTE);
      assert.deepEqual(await drain(sqs, q.url), []);
      await eb.send(new EnableRuleCommand({ Name: 'hourly' }));
      await settle();
      advanceTo(clock, 4 * 60 * MINUTE);
      assert.deepEqual((await drain(sqs, q.url, 1)).map((e) => e['time']), ['2026-01-01T04:00:00Z']);
      // Created disabled: nothing either.
      await eb.send(new PutRuleCommand({ Name: 'off', ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' }));
      await eb.send(new PutTargetsCommand({ Rule: 'off', Targets: [{ Id: 'q', Arn: q.arn }] }));
      await settle();
      advanceTo(clock, 4 * 60 * MINUTE + 5 * MINUTE);
      assert.deepEqual(await drain(sqs, q.url), []);
      // A deleted rule is forgotten by the scheduler.
      await eb.send(new RemoveTargetsCommand({ Rule: 'hourly', Ids: ['q'] }));
      await eb.send(new DeleteRuleCommand({ Name: 'hourly' }));
      advanceTo(clock, 6 * 60 * MINUTE);
      assert.deepEqual(await drain(sqs, q.url), []);
    } finally {
      eb.destroy();
      sqs.destroy();
      await postbox.stop();
    }
  });

  test('PutRule refuses invalid schedules, and schedules on other buses, as AWS does', async () => {
    const postbox = await startTestPostbox();
    const eb = eventsClient(postbox.endpoint);
    try {
      for (const ScheduleExpression of ['cron(0 10 * * * *)', 'cron(0 10 ? * ? *)', 'cron(0 10 * * ?)', 'cron(0 25 * * ? *)', 'cron(0 0 ? * 3#1,6#3 *)', 'rate(1 minutes)', 'rate(0 hours)']) {
        await rejects(eb.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression })), 'ValidationException', 400, 'Parameter ScheduleExpression is not valid.');
      }
      await eb.send(new CreateEventBusCommand({ Name: 'custom' }));
      await rejects(
        eb.send(new PutRuleCommand({ Name: 'x', EventBusName: 'custom', ScheduleExpression: 'rate(1 day)' })),
        'ValidationException',
        400,
        'ScheduleExpression is supported only on the default event bus.',
      );
    } finally {
      eb.destroy();
      await postbox.stop();
    }
  });
});

describe('scheduled rules fire once per schedule', () => {
  test('not twice across a restart; a firing missed while stopped comes once, then the schedule carries on', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'postbox-schedule-'));
    const run = async (start: number, fn: (pb: Postbox, clock: ManualClock, sqs: SQSClient) => Promise<void>) => {
      const clock = new ManualClock(start);
      const pb = await startTestPostbox({ dataDir, memory: false, clock });
      const sqs = jsonClient(pb.endpoint);
      try {
        await fn(pb, clock, sqs);
      } finally {
        sqs.destroy();
        await pb.stop();
      }
    };
    try {
      let url = '';
      await run(T0, async (pb, clock, sqs) => {
        const eb = eventsClient(pb.endpoint);
        const q = await queue(sqs, 'restart-ticks');
        url = q.url;
        await eb.send(new PutRuleCommand({ Name: 'five', ScheduleExpression: 'rate(5 minutes)' }));
        await eb.send(new PutTargetsCommand({ Rule: 'five', Targets: [{ Id: 'q', Arn: q.arn }] }));
        eb.destroy();
        await settle();
        advanceTo(clock, 5 * MINUTE);
        assert.deepEqual((await drain(sqs, url, 1)).map((e) => e['time']), ['2026-01-01T00:05:00Z']);
      });
      // Restarted half a minute later: the 00:05 firing is not made again.
      await run(T0 + 5 * MINUTE + 30_000, async (_pb, clock, sqs) => {
        assert.deepEqual(await drain(sqs, url), []);
        advanceTo(clock, 10 * MINUTE);
        assert.deepEqual((await drain(sqs, url, 1)).map((e) => e['time']), ['2026-01-01T00:10:00Z']);
      });
      // Down from 00:10 to 00:22: the missed 00:15 and 00:20 firings come as one, then 00:25 as usual.
      await run(T0 + 22 * MINUTE, async (_pb, clock, sqs) => {
        assert.deepEqual((await drain(sqs, url, 1)).map((e) => e['time']), ['2026-01-01T00:15:00Z']);
        advanceTo(clock, 25 * MINUTE);
        assert.deepEqual((await drain(sqs, url, 1)).map((e) => e['time']), ['2026-01-01T00:25:00Z']);
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a firing is claimed by compare-and-set: of two schedulers seeing it due, one fires it', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const events = store.eventsStore();
      const rule = 'arn:aws:events:us-east-1:000000000000:rule/r';
      await events.setSchedule(rule, T0);
      assert.deepEqual(await events.dueSchedules(T0, 10), [{ ruleArn: rule, nextFireAt: T0 }]);
      const [first, second] = await Promise.all([events.claimSchedule(rule, T0, T0 + MINUTE, []), events.claimSchedule(rule, T0, T0 + MINUTE, [])]);
      assert.ok(first, 'the first claim wins');
      assert.equal(second, undefined, 'the second finds the fire time moved');
      assert.equal(await events.getSchedule(rule), T0 + MINUTE);
      assert.equal(await events.nextScheduleAt(), T0 + MINUTE);
      assert.deepEqual(await events.dueSchedules(T0, 10), []);
    } finally {
      await store.close();
    }
  });
});
