import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRuleNamesByTargetCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Postbox } from '../../../src/index.js';
import { jsonClient, settle, startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let eb: EventBridgeClient;
let sqs: SQSClient;
const ACCOUNT = '000000000000';

before(async () => {
  ({ postbox } = await startClockedPostbox());
  eb = eventsClient(postbox.endpoint);
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  eb.destroy();
  sqs.destroy();
  await postbox.stop();
});

interface Queue {
  url: string;
  arn: string;
}
async function newQueue(fifo = false): Promise<Queue> {
  const name = fifo ? `${uniqueName('q')}.fifo` : uniqueName('q');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }));
  return { url: QueueUrl!, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}
async function receiveAll(q: Queue): Promise<Message[]> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }));
  return Messages ?? [];
}
const bodies = async (q: Queue) => (await receiveAll(q)).map((m) => JSON.parse(m.Body!));
async function rule(pattern: object, targets: Target[], EventBusName?: string): Promise<string> {
  const Name = uniqueName('rule');
  await eb.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify(pattern), EventBusName }));
  const out = await eb.send(new PutTargetsCommand({ Rule: Name, EventBusName, Targets: targets }));
  assert.equal(out.FailedEntryCount, 0);
  return Name;
}
const entry = (source: string, detail: object, more: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: source,
  DetailType: 'test',
  Detail: JSON.stringify(detail),
  ...more,
});

describe('routing to SQS targets', () => {
  test('the event envelope AWS builds arrives in the queue', async () => {
    const q = await newQueue();
    const source = uniqueName('src');
    await rule({ source: [source] }, [{ Id: 't1', Arn: q.arn }]);
    const out = await eb.send(new PutEventsCommand({ Entries: [entry(source, { n: 1 }, { Resources: ['arn:aws:s3:::b'], Time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) })] }));
    assert.equal(out.FailedEntryCount, 0);
    const [event] = await bodies(q);
    assert.deepEqual(Object.keys(event), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    assert.equal(event.version, '0');
    assert.equal(event.id, out.Entries![0]!.EventId);
    assert.equal(event.time, '2026-01-02T03:04:05Z');
    assert.equal(event.account, ACCOUNT);
    assert.equal(event.region, 'us-east-1');
    assert.deepEqual(event.resources, ['arn:aws:s3:::b']);
    assert.deepEqual(event.detail, { n: 1 });
  });

  test('mixed patterns route each event to every queue whose rule matches, and only those', async () => {
    const [all, big, eu, prefixed] = [await newQueue(), await newQueue(), await newQueue(), await newQueue()];
    const source = uniqueName('shop');
    await rule({ source: [source] }, [{ Id: 'all', Arn: all.arn }]);
    await rule({ source: [source], detail: { amount: [{ numeric: ['>=', 100] }] } }, [{ Id: 'big', Arn: big.arn }]);
    await rule({ source: [source], detail: { region: [{ 'anything-but': ['us'] }] } }, [{ Id: 'eu', Arn: eu.arn }]);
    await rule({ source: [{ prefix: source }], 'detail-type': ['refund'] }, [{ Id: 'p', Arn: prefixed.arn }, { Id: 'p2', Arn: big.arn }]);
    await eb.send(
      new PutEventsCommand({
        Entries: [
          entry(source, { amount: 50, region: 'us' }),
          entry(source, { amount: 150, region: 'us' }),
          entry(source, { amount: 10, region: 'eu' }),
          entry(source, { amount: 0 }, { DetailType: 'refund' }),
          entry('elsewhere', { amount: 500 }),
        ],
      }),
    );
    assert.deepEqual((await bodies(all)).map((e) => e.detail.amount), [50, 150, 10, 0]);
    assert.deepEqual((await bodies(big)).map((e) => e.detail.amount).sort(), [0, 150]);
    // anything-but never matches a missing field.
    assert.deepEqual((await bodies(eu)).map((e) => e.detail.amount), [10]);
    assert.deepEqual((await bodies(prefixed)).map((e) => e['detail-type']), ['refund']);
  });

  test('disabled rules do not match; enabling them again does', async () => {
    const q = await newQueue();
    const source = uniqueName('src');
    const Name = await rule({ source: [source] }, [{ Id: 't', Arn: q.arn }]);
    await eb.send(new DisableRuleCommand({ Name }));
    await eb.send(new PutEventsCommand({ Entries: [entry(source, { n: 1 })] }));
    assert.equal((await receiveAll(q)).length, 0);
    await eb.send(new EnableRuleCommand({ Name }));
    await eb.send(new PutEventsCommand({ Entries: [entry(source, { n: 2 })] }));
    assert.deepEqual((await bodies(q)).map((e) => e.detail.n), [2]);
  });

  test('rules on a custom bus see only that bus’s events', async () => {
    const q = await newQueue();
    const bus = uniqueName('bus');
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const source = uniqueName('src');
    await rule({ source: [source] }, [{ Id: 't', Arn: q.arn }], bus);
    await eb.send(new PutEventsCommand({ Entries: [entry(source, { on: 'default' }), entry(source, { on: 'custom' }, { EventBusName: bus })] }));
    assert.deepEqual((await bodies(q)).map((e) => e.detail.on), ['custom']);
  });

  test('FIFO queue targets need SqsParameters.MessageGroupId and get it', async () => {
    const q = await newQueue(true);
    const source = uniqueName('src');
    const Name = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify({ source: [source] }) }));
    await rejects(eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 'f', Arn: q.arn }] })), 'ValidationException', 400, 'Parameter(s) SqsParameters must be specified for target: f.');
    await eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 'f', Arn: q.arn, SqsParameters: { MessageGroupId: 'g1' } }] }));
    await eb.send(new PutEventsCommand({ Entries: [entry(source, { n: 1 }), entry(source, { n: 2 })] }));
    const messages = await receiveAll(q);
    assert.deepEqual(messages.map((m) => JSON.parse(m.Body!).detail.n), [1, 2]);
    assert.equal(messages[0]!.Attributes?.MessageGroupId, 'g1');
  });

  test('a delivery wakes a long poll waiting on the target queue', async () => {
    const q = await newQueue();
    const source = uniqueName('src');
    await rule({ source: [source] }, [{ Id: 't', Arn: q.arn }]);
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 20 }));
    await settle();
    await eb.send(new PutEventsCommand({ Entries: [entry(source, { n: 1 })] }));
    // The manual clock never ends the 20-second wait: only the delivery's wake-up can answer it.
    const { Messages } = await Promise.race([waiting, settle(5_000).then(() => assert.fail('the long poll was not woken'))]);
    assert.equal(Messages?.length, 1);
  });
});

describe('Input, InputPath and InputTransformer', () => {
  test('each shapes what the queue receives', async () => {
    const q = await newQueue();
    const source = uniqueName('src');
    const Name = await rule({ source: [source] }, [
      { Id: 'const', Arn: q.arn, Input: '{"fixed":true}' },
      { Id: 'path', Arn: q.arn, InputPath: '$.detail.order' },
      {
        Id: 'json',
        Arn: q.arn,
        InputTransformer: {
          InputPathsMap: { id: '$.detail.order.id', items: '$.detail.order.items', missing: '$.detail.nope' },
          InputTemplate: '{"orderId": <id>, "items": <items>, "text": "order <id> by <aws.events.rule-name>", "m": <missing>, "event": <aws.events.event.json>}',
        },
      },
      { Id: 'text', Arn: q.arn, InputTransformer: { InputPathsMap: { id: '$.detail.order.id' }, InputTemplate: 'Order <id> placed' } },
      { Id: 'string', Arn: q.arn, InputTransformer: { InputPathsMap: { id: '$.detail.order.id' }, InputTemplate: '"Order <id> \\"placed\\""' } },
    ]);
    await eb.send(new PutEventsCommand({ Entries: [entry(source, { order: { id: 'o-1', items: [1, 2] } })] }));
    const received = (await receiveAll(q)).map((m) => m.Body!).sort();
    const parsed = received.filter((b) => b.startsWith('{')).map((b) => JSON.parse(b));
    assert.ok(parsed.some((b) => b.fixed === true));
    assert.ok(parsed.some((b) => b.id === 'o-1' && Array.isArray(b.items)));
    const transformed = parsed.find((b) => 'orderId' in b);
    assert.equal(transformed.orderId, 'o-1');
    assert.deepEqual(transformed.items, [1, 2]);
    assert.equal(transformed.text, `order o-1 by ${Name}`);
    assert.equal(transformed.m, null);
    assert.equal(transformed.event.source, source);
    assert.ok(received.includes('Order o-1 placed'));
    assert.ok(received.includes('"Order o-1 \\"placed\\""'));
  });

  test('bad transformer settings are refused at PutTargets', async () => {
    const q = await newQueue();
    const Name = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name, EventPattern: '{"source":["x"]}' }));
    await rejects(eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 't', Arn: q.arn, Input: '{}', InputPath: '$' }] })), 'ValidationException', 400);
    await rejects(eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 't', Arn: q.arn, InputPath: 'detail' }] })), 'ValidationException', 400);
    await rejects(
      eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 't', Arn: q.arn, InputTransformer: { InputPathsMap: { 'aws.events.rule-name': '$' }, InputTemplate: 'x' } }] })),
      'ValidationException',
      400,
    );
  });
});

describe('targets', () => {
  test('PutTargets, ListTargetsByRule (paged), ListRuleNamesByTarget, RemoveTargets, and DeleteRule while targets remain', async () => {
    const q = await newQueue();
    const Name = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name, EventPattern: '{"source":["x"]}' }));
    const targets = ['a', 'b', 'c'].map((Id) => ({ Id, Arn: q.arn, Input: `{"id":"${Id}"}` }));
    await eb.send(new PutTargetsCommand({ Rule: Name, Targets: targets }));
    const first = await eb.send(new ListTargetsByRuleCommand({ Rule: Name, Limit: 2 }));
    assert.deepEqual(first.Targets?.map((t) => t.Id), ['a', 'b']);
    assert.equal(first.Targets?.[0]?.Input, '{"id":"a"}');
    const second = await eb.send(new ListTargetsByRuleCommand({ Rule: Name, Limit: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.Targets?.map((t) => t.Id), ['c']);
    assert.ok((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: q.arn }))).RuleNames?.includes(Name));

    await rejects(eb.send(new DeleteRuleCommand({ Name })), 'ValidationException', 400, "Rule can't be deleted since it has targets.");
    const removed = await eb.send(new RemoveTargetsCommand({ Rule: Name, Ids: ['a', 'b', 'c', 'unknown'] }));
    assert.equal(removed.FailedEntryCount, 0);
    await eb.send(new DeleteRuleCommand({ Name }));
  });

  test('at most five targets per rule; a dead-letter ARN that is not a queue fails per entry; missing rule', async () => {
    const q = await newQueue();
    const Name = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name, EventPattern: '{"source":["x"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: Name, Targets: ['1', '2', '3', '4', '5'].map((Id) => ({ Id, Arn: q.arn })) }));
    // Replacing an existing id does not count twice.
    await eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: '5', Arn: q.arn, Input: '{}' }] }));
    await rejects(eb.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: '6', Arn: q.arn }] })), 'LimitExceededException', 400);

    const other = uniqueName('rule');
    await eb.send(new PutRuleCommand({ Name: other, EventPattern: '{"source":["x"]}' }));
    const out = await eb.send(
      new PutTargetsCommand({
        Rule: other,
        Targets: [
          { Id: 'fn', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`, DeadLetterConfig: { Arn: `arn:aws:sns:us-east-1:${ACCOUNT}:t` } },
          { Id: 'q', Arn: q.arn },
          { Id: 'fn2', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 1);
    assert.equal(out.FailedEntries?.[0]?.TargetId, 'fn');
    assert.match(out.FailedEntries?.[0]?.ErrorMessage ?? '', /is not an Amazon SQS queue ARN/);
    assert.deepEqual((await eb.send(new ListTargetsByRuleCommand({ Rule: other }))).Targets?.map((t) => t.Id), ['fn2', 'q']);

    await rejects(eb.send(new PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 'q', Arn: q.arn }] })), 'ResourceNotFoundException', 400, 'Rule nope does not exist on EventBus default.');
    await rejects(eb.send(new PutTargetsCommand({ Rule: other, Targets: [{ Id: 'bad id', Arn: q.arn }] })), 'ValidationException', 400);
  });
});

describe('PutEvents validation', () => {
  test('per-entry errors as AWS returns them, in entry order', async () => {
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: 't', Detail: '{}' },
          { Source: 's', Detail: '{}' },
          { Source: 's', DetailType: 't' },
          { Source: 's', DetailType: 't', Detail: '[1]' },
          { Source: 's', DetailType: 't', Detail: 'not json' },
          { Source: 'aws.s3', DetailType: 't', Detail: '{}' },
          { Source: 's', DetailType: 't', Detail: '{}' },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 6);
    assert.deepEqual(
      out.Entries!.map((e) => e.ErrorCode ?? 'ok'),
      ['InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'MalformedDetail', 'MalformedDetail', 'NotAuthorizedForSourceException', 'ok'],
    );
    assert.equal(out.Entries![0]!.ErrorMessage, 'Parameter Source is not valid. Reason: Source is a required argument.');
    assert.equal(out.Entries![3]!.ErrorMessage, 'Detail is malformed.');
    assert.match(out.Entries![6]!.EventId!, /^[0-9a-f-]{36}$/);
  });

  test('1 to 10 entries, 1 MB in all (entry size as AWS counts it)', async () => {
    await rejects(eb.send(new PutEventsCommand({ Entries: [] })), 'ValidationException', 400, /greater than or equal to 1/);
    const eleven = Array.from({ length: 11 }, () => entry('s', {}));
    await rejects(eb.send(new PutEventsCommand({ Entries: eleven })), 'ValidationException', 400, /less than or equal to 10/);
    // Four entries of 256 KB of detail plus their Source, DetailType and Time: over 1 MB.
    const big = JSON.stringify({ x: 'y'.repeat(256 * 1024 - 8) });
    const four = Array.from({ length: 4 }, () => ({ Source: 's', DetailType: 't', Detail: big, Time: new Date() }));
    await rejects(eb.send(new PutEventsCommand({ Entries: four })), 'ValidationException', 400, 'Total size of the entries in the request is over the limit.');
    const fits = await eb.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: JSON.stringify({ x: 'y'.repeat(1000 * 1024) }) }] }));
    assert.equal(fits.FailedEntryCount, 0);
  });

  test('events for a bus that does not exist are accepted and dropped, as AWS does', async () => {
    const out = await eb.send(new PutEventsCommand({ Entries: [entry('s', {}, { EventBusName: 'no-such-bus' })] }));
    assert.equal(out.FailedEntryCount, 0);
    assert.ok(out.Entries![0]!.EventId);
  });
});
