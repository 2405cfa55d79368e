import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  PutRuleCommand,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
  UpdateEventBusCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox, uniqueName } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let eb: EventBridgeClient;
const ACCOUNT = '000000000000';

before(async () => {
  postbox = await startTestPostbox();
  eb = eventsClient(postbox.endpoint);
});
after(async () => {
  eb.destroy();
  await postbox.stop();
});

describe('event buses', () => {
  test('the default bus exists in every account and region without being created', async () => {
    const bus = await eb.send(new DescribeEventBusCommand({}));
    assert.equal(bus.Name, 'default');
    assert.equal(bus.Arn, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`);
    assert.ok(bus.CreationTime instanceof Date);
    const other = eventsClient(postbox.endpoint, 'eu-west-1', '111122223333');
    const named = await other.send(new DescribeEventBusCommand({ Name: 'default' }));
    assert.equal(named.Arn, 'arn:aws:events:eu-west-1:111122223333:event-bus/default');
    other.destroy();
  });

  test('create, describe, update, list and delete a custom bus', async () => {
    const Name = uniqueName('bus');
    const created = await eb.send(new CreateEventBusCommand({ Name, Description: 'orders', Tags: [{ Key: 'team', Value: 'a' }] }));
    assert.equal(created.EventBusArn, `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${Name}`);
    assert.equal(created.Description, 'orders');
    await rejects(eb.send(new CreateEventBusCommand({ Name })), 'ResourceAlreadyExistsException', 400, `Event bus ${Name} already exists.`);

    const updated = await eb.send(new UpdateEventBusCommand({ Name, Description: 'all orders' }));
    assert.equal(updated.Description, 'all orders');
    const described = await eb.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    assert.equal(described.Description, 'all orders');
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: created.EventBusArn }))).Tags, [{ Key: 'team', Value: 'a' }]);

    const listed = await eb.send(new ListEventBusesCommand({ NamePrefix: Name }));
    assert.deepEqual(listed.EventBuses?.map((b) => b.Name), [Name]);

    await eb.send(new DeleteEventBusCommand({ Name }));
    await rejects(eb.send(new DescribeEventBusCommand({ Name })), 'ResourceNotFoundException', 400, `Event bus ${Name} does not exist.`);
    // AWS answers 200 for a bus that is already gone.
    await eb.send(new DeleteEventBusCommand({ Name }));
  });

  test('the default bus cannot be created or deleted; names are checked', async () => {
    await rejects(eb.send(new CreateEventBusCommand({ Name: 'default' })), 'ResourceAlreadyExistsException', 400);
    await rejects(eb.send(new DeleteEventBusCommand({ Name: 'default' })), 'ValidationException', 400, 'Cannot delete event bus default.');
    await rejects(eb.send(new CreateEventBusCommand({ Name: 'has space' })), 'ValidationException', 400, /regular expression pattern/);
  });

  test('ListEventBuses pages with Limit and NextToken, in name order', async () => {
    const prefix = uniqueName('page');
    const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`, `${prefix}-d`, `${prefix}-e`];
    for (const Name of [...names].reverse()) await eb.send(new CreateEventBusCommand({ Name }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await eb.send(new ListEventBusesCommand({ NamePrefix: prefix, Limit: 2, NextToken }));
      assert.ok((page.EventBuses ?? []).length <= 2);
      seen.push(...(page.EventBuses ?? []).map((b) => b.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(seen, names);
    await rejects(eb.send(new ListEventBusesCommand({ Limit: 101 })), 'ValidationException', 400);
    await rejects(eb.send(new ListEventBusesCommand({ NextToken: 'garbage' })), 'ValidationException', 400);
  });
});

describe('rules', () => {
  const pattern = JSON.stringify({ source: ['orders'] });

  test('PutRule creates and updates; DescribeRule answers what was stored, with AWS’s ARN forms', async () => {
    const Name = uniqueName('rule');
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name, EventPattern: pattern, Description: 'd' }));
    assert.equal(RuleArn, `arn:aws:events:us-east-1:${ACCOUNT}:rule/${Name}`);
    let rule = await eb.send(new DescribeRuleCommand({ Name }));
    assert.equal(rule.EventPattern, pattern);
    assert.equal(rule.State, 'ENABLED');
    assert.equal(rule.EventBusName, 'default');
    assert.equal(rule.CreatedBy, ACCOUNT);

    await eb.send(new PutRuleCommand({ Name, EventPattern: pattern, State: 'DISABLED' }));
    rule = await eb.send(new DescribeRuleCommand({ Name }));
    assert.equal(rule.State, 'DISABLED');
    assert.equal(rule.Description, undefined);

    const bus = uniqueName('bus');
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const onBus = await eb.send(new PutRuleCommand({ Name, EventBusName: bus, EventPattern: pattern }));
    assert.equal(onBus.RuleArn, `arn:aws:events:us-east-1:${ACCOUNT}:rule/${bus}/${Name}`);
  });

  test('event patterns are validated with AWS’s InvalidEventPatternException wording', async () => {
    await rejects(
      eb.send(new PutRuleCommand({ Name: uniqueName('r'), EventPattern: '{"source": "orders"}' })),
      'InvalidEventPatternException',
      400,
      /^Event pattern is not valid\. Reason: /,
    );
    await rejects(eb.send(new PutRuleCommand({ Name: uniqueName('r') })), 'ValidationException', 400, 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    await rejects(
      eb.send(new PutRuleCommand({ Name: uniqueName('r'), EventPattern: pattern, EventBusName: 'no-such-bus' })),
      'ResourceNotFoundException',
      400,
      'Event bus no-such-bus does not exist.',
    );
    await rejects(eb.send(new PutRuleCommand({ Name: 'bad name', EventPattern: pattern })), 'ValidationException', 400, /regular expression/);
  });

  test('schedule rules are stored and listed (on the default bus only)', async () => {
    const Name = uniqueName('sched');
    await eb.send(new PutRuleCommand({ Name, ScheduleExpression: 'rate(5 minutes)' }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name }))).ScheduleExpression, 'rate(5 minutes)');
    await eb.send(new PutRuleCommand({ Name: uniqueName('cron'), ScheduleExpression: 'cron(0 12 * * ? *)' }));
    await rejects(eb.send(new PutRuleCommand({ Name: uniqueName('r'), ScheduleExpression: 'rate(1 minutes)' })), 'ValidationException', 400, 'Parameter ScheduleExpression is not valid.');
    await rejects(eb.send(new PutRuleCommand({ Name: uniqueName('r'), ScheduleExpression: 'every day' })), 'ValidationException', 400);
    const bus = uniqueName('bus');
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    await rejects(
      eb.send(new PutRuleCommand({ Name: uniqueName('r'), EventBusName: bus, ScheduleExpression: 'rate(1 hour)' })),
      'ValidationException',
      400,
      'ScheduleExpression is supported only on the default event bus.',
    );
  });

  test('Enable/DisableRule, DeleteRule, and ResourceNotFoundException for missing rules', async () => {
    const Name = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name, EventPattern: pattern }));
    await eb.send(new DisableRuleCommand({ Name }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name }))).State, 'DISABLED');
    await eb.send(new EnableRuleCommand({ Name }));
    assert.equal((await eb.send(new DescribeRuleCommand({ Name }))).State, 'ENABLED');
    await eb.send(new DeleteRuleCommand({ Name }));
    await rejects(eb.send(new DescribeRuleCommand({ Name })), 'ResourceNotFoundException', 400, `Rule ${Name} does not exist on EventBus default.`);
    await rejects(eb.send(new EnableRuleCommand({ Name })), 'ResourceNotFoundException', 400);
    // AWS answers 200 when the rule is already gone.
    await eb.send(new DeleteRuleCommand({ Name }));
  });

  test('ListRules filters by prefix and bus and pages', async () => {
    const bus = uniqueName('bus');
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const names = ['r-1', 'r-2', 'r-3', 'other'];
    for (const Name of names) await eb.send(new PutRuleCommand({ Name, EventBusName: bus, EventPattern: pattern }));
    const first = await eb.send(new ListRulesCommand({ EventBusName: bus, NamePrefix: 'r-', Limit: 2 }));
    assert.deepEqual(first.Rules?.map((r) => r.Name), ['r-1', 'r-2']);
    assert.equal(first.Rules?.[0]?.EventBusName, bus);
    const second = await eb.send(new ListRulesCommand({ EventBusName: bus, NamePrefix: 'r-', Limit: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.Rules?.map((r) => r.Name), ['r-3']);
    assert.equal(second.NextToken, undefined);
    const all = await eb.send(new ListRulesCommand({ EventBusName: bus }));
    assert.equal(all.Rules?.length, 4);
    // A bus named by ARN works as well as by name.
    const byArn = await eb.send(new ListRulesCommand({ EventBusName: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${bus}`, NamePrefix: 'oth' }));
    assert.deepEqual(byArn.Rules?.map((r) => r.Name), ['other']);
  });

  test('tags on rules', async () => {
    const Name = uniqueName('rule');
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name, EventPattern: pattern, Tags: [{ Key: 'a', Value: '1' }] }));
    await eb.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'b', Value: '2' }] }));
    await eb.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['a'] }));
    assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags, [{ Key: 'b', Value: '2' }]);
    await rejects(
      eb.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nope` })),
      'ResourceNotFoundException',
      400,
    );
  });
});

describe('TestEventPattern and actions not implemented', () => {
  const event = JSON.stringify({
    id: '1', account: ACCOUNT, source: 'orders', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'placed',
    detail: { amount: 250 },
  });

  test('matches through the shared pattern engine', async () => {
    const hit = await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ detail: { amount: [{ numeric: ['>', 100] }] } }), Event: event }));
    assert.equal(hit.Result, true);
    const miss = await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ source: ['billing'] }), Event: event }));
    assert.equal(miss.Result, false);
    await rejects(eb.send(new TestEventPatternCommand({ EventPattern: '[]', Event: event })), 'InvalidEventPatternException', 400);
    await rejects(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' })), 'ValidationException', 400, 'Parameter Event is not valid.');
  });
});
