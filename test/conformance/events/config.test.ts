import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { PostboxConfigFile } from '../../../src/config/file.js';
import { jsonClient, onPostgres, startTestPostbox } from '../../support/postbox.js';
import { eventsClient } from './support.js';

const ACCOUNT = '000000000000';

const config = (state: 'ENABLED' | 'DISABLED', extraTarget: boolean): PostboxConfigFile => ({
  queues: [{ name: 'placed' }, { name: 'audit' }, { name: 'ticks' }, { name: 'ordered.fifo' }],
  buses: [
    {
      name: 'orders',
      description: 'shop orders',
      tags: { team: 'shop' },
      rules: [
        {
          name: 'placed',
          pattern: { source: ['shop'], 'detail-type': ['placed'] },
          state,
          targets: [
            { id: 'q', queue: 'placed', inputPath: '$.detail' },
            ...(extraTarget ? [{ id: 'audit', arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:audit` }] : []),
            { id: 'fifo', queue: 'ordered.fifo', messageGroupId: 'orders' },
          ],
        },
      ],
    },
    {
      name: 'default',
      rules: [{ name: 'tick', schedule: 'rate(5 minutes)', description: 'every five minutes', targets: [{ id: 't', queue: 'ticks', input: { tick: true } }] }],
    },
  ],
});

test('the config file declares buses, rules (pattern or schedule) and SQS targets, idempotently', { skip: onPostgres() && 'SQLite data-directory restart: runs in the first pass; the PostgreSQL pass would start SQLite again' }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'postbox-events-config-'));
  const run = async (c: PostboxConfigFile, body: (eb: ReturnType<typeof eventsClient>, sqs: ReturnType<typeof jsonClient>) => Promise<void>) => {
    const postbox = await startTestPostbox({ dataDir, memory: false, config: c });
    const eb = eventsClient(postbox.endpoint);
    const sqs = jsonClient(postbox.endpoint);
    try {
      await body(eb, sqs);
    } finally {
      eb.destroy();
      sqs.destroy();
      await postbox.stop();
    }
  };
  try {
    await run(config('ENABLED', false), async (eb, sqs) => {
      const bus = await eb.send(new DescribeEventBusCommand({ Name: 'orders' }));
      assert.equal(bus.Description, 'shop orders');
      assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: bus.Arn }))).Tags, [{ Key: 'team', Value: 'shop' }]);
      const rule = await eb.send(new DescribeRuleCommand({ Name: 'placed', EventBusName: 'orders' }));
      assert.deepEqual(JSON.parse(rule.EventPattern!), { source: ['shop'], 'detail-type': ['placed'] });
      const tick = await eb.send(new DescribeRuleCommand({ Name: 'tick' }));
      assert.equal(tick.ScheduleExpression, 'rate(5 minutes)');
      assert.deepEqual((await eb.send(new ListTargetsByRuleCommand({ Rule: 'tick' }))).Targets, [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ticks`, Input: '{"tick":true}' }]);
      const targets = (await eb.send(new ListTargetsByRuleCommand({ Rule: 'placed', EventBusName: 'orders' }))).Targets!;
      assert.deepEqual(targets.map((t) => t.Id), ['fifo', 'q']);
      assert.deepEqual(targets[0]!.SqsParameters, { MessageGroupId: 'orders' });

      await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'placed', Detail: '{"n":1}' }] }));
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'placed' }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      assert.deepEqual(JSON.parse(Messages![0]!.Body!), { n: 1 });
    });

    // The same file again changes nothing; an edited one applies the edit (and leaves what it does not name).
    await run(config('ENABLED', false), async (eb) => {
      assert.equal((await eb.send(new ListRulesCommand({ EventBusName: 'orders' }))).Rules!.length, 1);
      assert.equal((await eb.send(new ListTargetsByRuleCommand({ Rule: 'placed', EventBusName: 'orders' }))).Targets!.length, 2);
    });
    await run(config('DISABLED', true), async (eb) => {
      assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'placed', EventBusName: 'orders' }))).State, 'DISABLED');
      const ids = (await eb.send(new ListTargetsByRuleCommand({ Rule: 'placed', EventBusName: 'orders' }))).Targets!.map((t) => t.Id);
      assert.deepEqual(ids, ['audit', 'fifo', 'q']);
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a config the services refuse stops the start with their error', async () => {
  const bad = async (c: PostboxConfigFile, message: RegExp) => {
    let started: Awaited<ReturnType<typeof startTestPostbox>> | undefined;
    try {
      await assert.rejects(async () => {
        started = await startTestPostbox({ config: c });
      }, message);
    } finally {
      await started?.stop(); // a config that was wrongly accepted must not leave a server running
    }
  };
  await bad({ buses: [{ name: 'b', rules: [{ name: 'r', pattern: { source: 'not-a-list' } }] }] }, /Event pattern is not valid/);
  // A FIFO queue target needs SqsParameters (a message group): PutTargets refuses the target.
  await bad(
    {
      queues: [{ name: 'cfg-refused.fifo', attributes: { FifoQueue: 'true' } }],
      buses: [{ name: 'b', rules: [{ name: 'r', pattern: { source: ['x'] }, targets: [{ id: 't', queue: 'cfg-refused.fifo' }] }] }],
    },
    /SqsParameters must be specified/,
  );
  await bad({ buses: [{ name: 'b', rules: [{ name: 'r' }] }] } as PostboxConfigFile, /needs a "pattern" or a "schedule"/);
  await bad({ buses: [{ name: 'b', rules: [{ name: 'r', schedule: 'rate(1 minute)' }] }] }, /default event bus/);
});
