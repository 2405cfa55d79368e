import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetDataProtectionPolicyCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PutDataProtectionPolicyCommand,
  RemovePermissionCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
  CreatePlatformApplicationCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox, uniqueName } from '../../support/postbox.js';
import { rejects, snsClient } from './support.js';

let postbox: Postbox;
let sns: SNSClient;
const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

before(async () => {
  postbox = await startTestPostbox();
  sns = snsClient(postbox.endpoint);
});
after(async () => {
  sns.destroy();
  await postbox.stop();
});

const newTopic = async (attributes?: Record<string, string>, fifo = false) => {
  const Name = fifo ? `${uniqueName('t')}.fifo` : uniqueName('t');
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name, Attributes: fifo ? { FifoTopic: 'true', ...attributes } : attributes }));
  return TopicArn!;
};
const attrs = async (TopicArn: string) => (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;

describe('topics', () => {
  test('CreateTopic answers the ARN, and again for the same name (idempotent)', async () => {
    const Name = uniqueName('t');
    const a = await sns.send(new CreateTopicCommand({ Name, Attributes: { DisplayName: 'Orders' } }));
    assert.equal(a.TopicArn, `arn:aws:sns:us-east-1:${ACCOUNT}:${Name}`);
    const b = await sns.send(new CreateTopicCommand({ Name, Attributes: { DisplayName: 'Orders' } }));
    assert.equal(b.TopicArn, a.TopicArn);
    const c = await sns.send(new CreateTopicCommand({ Name }));
    assert.equal(c.TopicArn, a.TopicArn);
    await rejects(
      sns.send(new CreateTopicCommand({ Name, Attributes: { DisplayName: 'Other' } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
    );
  });

  test('CreateTopic refuses bad names and FIFO names without .fifo', async () => {
    await rejects(sns.send(new CreateTopicCommand({ Name: 'bad name' })), 'InvalidParameterException', 400, 'Invalid parameter: Topic Name');
    await rejects(sns.send(new CreateTopicCommand({ Name: 'x'.repeat(257) })), 'InvalidParameterException', 400, 'Invalid parameter: Topic Name');
    await rejects(sns.send(new CreateTopicCommand({ Name: 'plain.fifo' })), 'InvalidParameterException', 400, 'Invalid parameter: Topic Name');
    await rejects(
      sns.send(new CreateTopicCommand({ Name: 'nofifo', Attributes: { FifoTopic: 'true' } })),
      'InvalidParameterException',
      400,
      /^Invalid parameter: Fifo Topic names must end with \.fifo/,
    );
    await rejects(sns.send(new CreateTopicCommand({ Name: uniqueName('t'), Attributes: { Bogus: 'x' } })), 'InvalidParameterException', 400, 'Invalid parameter: AttributeName');
  });

  test('GetTopicAttributes returns what AWS returns for a new topic', async () => {
    const arn = await newTopic();
    const a = await attrs(arn);
    assert.deepEqual(Object.keys(a).sort(), [
      'DisplayName', 'EffectiveDeliveryPolicy', 'Owner', 'Policy', 'SubscriptionsConfirmed', 'SubscriptionsDeleted', 'SubscriptionsPending', 'TopicArn',
    ]);
    assert.equal(a['TopicArn'], arn);
    assert.equal(a['Owner'], ACCOUNT);
    assert.equal(a['DisplayName'], '');
    const policy = JSON.parse(a['Policy']!);
    assert.equal(policy.Id, '__default_policy_ID');
    assert.equal(policy.Statement[0].Resource, arn);
    assert.deepEqual(policy.Statement[0].Condition, { StringEquals: { 'AWS:SourceOwner': ACCOUNT } });
    assert.equal(JSON.parse(a['EffectiveDeliveryPolicy']!).http.defaultHealthyRetryPolicy.numRetries, 3);
  });

  test('FIFO topics report FifoTopic and ContentBasedDeduplication', async () => {
    const arn = await newTopic({ ContentBasedDeduplication: 'true' }, true);
    const a = await attrs(arn);
    assert.equal(a['FifoTopic'], 'true');
    assert.equal(a['ContentBasedDeduplication'], 'true');
    await rejects(
      sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'FifoTopic', AttributeValue: 'false' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: AttributeName',
    );
    const standard = await newTopic();
    await rejects(
      sns.send(new SetTopicAttributesCommand({ TopicArn: standard, AttributeName: 'ContentBasedDeduplication', AttributeValue: 'true' })),
      'InvalidParameterException',
      400,
    );
  });

  test('SetTopicAttributes changes settable attributes and checks their values', async () => {
    const arn = await newTopic();
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Shop' }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'MaximumMessageSize', AttributeValue: '1048576' }));
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 7 } } }) }),
    );
    const a = await attrs(arn);
    assert.equal(a['DisplayName'], 'Shop');
    assert.equal(a['SignatureVersion'], '2');
    assert.equal(a['MaximumMessageSize'], '1048576');
    const effective = JSON.parse(a['EffectiveDeliveryPolicy']!);
    assert.equal(effective.http.defaultHealthyRetryPolicy.numRetries, 7);
    assert.equal(effective.http.defaultHealthyRetryPolicy.minDelayTarget, 20);
    for (const [AttributeName, AttributeValue] of [
      ['SignatureVersion', '3'],
      ['MaximumMessageSize', '1023'],
      ['MaximumMessageSize', '1048577'],
      ['Policy', 'not json'],
      ['TracingConfig', 'Sometimes'],
      ['NoSuchAttribute', 'x'],
    ] as const) {
      await rejects(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName, AttributeValue })), 'InvalidParameterException', 400);
    }
  });

  test('a topic that does not exist is NotFound; a malformed ARN is InvalidParameter', async () => {
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:${uniqueName('none')}`;
    await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: missing })), 'NotFoundException', 404, 'Topic does not exist');
    await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: 'nope' })), 'InvalidParameterException', 400, 'Invalid parameter: TopicArn');
    await rejects(
      sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:x` })),
      'InvalidParameterException',
      400,
      'Invalid parameter: TopicArn',
    );
  });

  test('DeleteTopic removes the topic and its subscriptions; deleting again succeeds', async () => {
    const arn = await newTopic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('whatever') }));
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: arn })), 'NotFoundException', 404);
    await rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), 'NotFoundException', 404, 'Subscription does not exist');
  });

  test('ListTopics pages 100 at a time, per region', async () => {
    const other = await startTestPostbox();
    const client = snsClient(other.endpoint);
    try {
      const created: string[] = [];
      for (let i = 0; i < 205; i++) created.push((await client.send(new CreateTopicCommand({ Name: `page-${String(i).padStart(3, '0')}` }))).TopicArn!);
      await snsClient(other.endpoint, 'eu-west-1').send(new CreateTopicCommand({ Name: 'elsewhere' }));
      const seen: string[] = [];
      const sizes: number[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(new ListTopicsCommand({ NextToken }));
        sizes.push(page.Topics!.length);
        seen.push(...page.Topics!.map((t) => t.TopicArn!));
        NextToken = page.NextToken;
      } while (NextToken);
      assert.deepEqual(sizes, [100, 100, 5]);
      assert.deepEqual(seen.sort(), created.sort());
      await rejects(client.send(new ListTopicsCommand({ NextToken: 'garbage!' })), 'InvalidParameterException', 400, 'Invalid parameter: NextToken');
    } finally {
      client.destroy();
      await other.stop();
    }
  });

  test('tags: TagResource, ListTagsForResource, UntagResource; limits and missing topics', async () => {
    const Name = uniqueName('t');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name, Tags: [{ Key: 'team', Value: 'shop' }] }));
    await sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    assert.deepEqual(Object.fromEntries(Tags!.map((t) => [t.Key, t.Value])), { team: 'shop', env: 'dev' });
    await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['team'] }));
    assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    await rejects(
      sns.send(new CreateTopicCommand({ Name, Tags: [{ Key: 'env', Value: 'prod' }] })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Tags Reason: Topic already exists with different tags',
    );
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: many })), 'TagLimitExceededException', 400);
    await rejects(
      sns.send(new ListTagsForResourceCommand({ ResourceArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${uniqueName('none')}` })),
      'ResourceNotFoundException',
      404,
      'Resource does not exist',
    );
  });

  test('AddPermission and RemovePermission edit the topic policy', async () => {
    const arn = await newTopic();
    await sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'pub', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }));
    let policy = JSON.parse((await attrs(arn))['Policy']!);
    assert.equal(policy.Statement.length, 2);
    assert.deepEqual(policy.Statement[1], {
      Sid: 'pub',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'SNS:Publish',
      Resource: arn,
    });
    await rejects(
      sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'pub', AWSAccountId: ['111122223333'], ActionName: ['Publish'] })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Statement already exists',
    );
    await sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: 'pub' }));
    policy = JSON.parse((await attrs(arn))['Policy']!);
    assert.deepEqual(policy.Statement.map((s: { Sid: string }) => s.Sid), ['__default_statement_ID']);
  });

  test('data protection policies are stored and returned', async () => {
    const arn = await newTopic();
    assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy ?? '', '');
    const policy = JSON.stringify({ Name: 'p', Version: '2021-06-01', Statement: [] });
    await sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: policy }));
    assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy, policy);
    await rejects(sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: '{' })), 'InvalidParameterException', 400);
  });

  test('mobile push operations are implemented (platform.test.ts covers them): a GCM application needs a credential', async () => {
    await rejects(
      sns.send(new CreatePlatformApplicationCommand({ Name: 'app', Platform: 'GCM', Attributes: { PlatformPrincipal: 'x' } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: PlatformCredential attribute required',
    );
  });
});

describe('subscriptions', () => {
  test('an sqs subscription is confirmed at once, and Subscribe is idempotent', async () => {
    const arn = await newTopic();
    const endpoint = queueArn(uniqueName('q'));
    const a = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: endpoint }));
    assert.match(a.SubscriptionArn!, new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    const b = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: endpoint, ReturnSubscriptionArn: true }));
    assert.equal(b.SubscriptionArn, a.SubscriptionArn);
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: endpoint, Attributes: { RawMessageDelivery: 'true' } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
    );
    const topic = await attrs(arn);
    assert.equal(topic['SubscriptionsConfirmed'], '1');
    assert.equal(topic['SubscriptionsPending'], '0');

    const s = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: a.SubscriptionArn }))).Attributes!;
    assert.deepEqual(s, {
      Owner: ACCOUNT,
      RawMessageDelivery: 'false',
      TopicArn: arn,
      Endpoint: endpoint,
      Protocol: 'sqs',
      PendingConfirmation: 'false',
      ConfirmationWasAuthenticated: 'true',
      SubscriptionArn: a.SubscriptionArn,
      SubscriptionPrincipal: `arn:aws:iam::${ACCOUNT}:root`,
    });
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: a.SubscriptionArn }));
    const after = await attrs(arn);
    assert.equal(after['SubscriptionsConfirmed'], '0');
    assert.equal(after['SubscriptionsDeleted'], '1');
    await rejects(sns.send(new UnsubscribeCommand({ SubscriptionArn: a.SubscriptionArn })), 'NotFoundException', 404, 'Subscription does not exist');
    await rejects(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'nope' })), 'InvalidParameterException', 400, 'Invalid parameter: SubscriptionArn');
  });

  test('Subscribes of one endpoint racing each other make one subscription, and every one answers it', async () => {
    const arn = await newTopic();
    const race = (Protocol: string, Endpoint: string, n: number, Attributes?: (i: number) => Record<string, string>) =>
      Promise.allSettled(
        Array.from({ length: n }, (_, i) =>
          sns.send(new SubscribeCommand({ TopicArn: arn, Protocol, Endpoint, ReturnSubscriptionArn: true, ...(Attributes ? { Attributes: Attributes(i) } : {}) })),
        ),
      );
    const listedFor = async (Endpoint: string) =>
      (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!.filter((s) => s.Endpoint === Endpoint);

    // Confirmed at once (sqs) and pending (email): either way one subscription, the same ARN for every caller.
    for (const [Protocol, Endpoint] of [
      ['sqs', queueArn(uniqueName('q'))],
      ['email', `${uniqueName('someone')}@example.com`],
    ] as const) {
      const answers = await race(Protocol, Endpoint, 16);
      const arns = new Set(answers.map((a) => (a.status === 'fulfilled' ? a.value.SubscriptionArn : `rejected: ${a.reason}`)));
      assert.equal(arns.size, 1, `${Protocol}: ${[...arns].join(', ')}`);
      assert.equal((await listedFor(Endpoint)).length, 1, Protocol);
    }
    const topic = await attrs(arn);
    assert.equal(topic['SubscriptionsConfirmed'], '1');
    assert.equal(topic['SubscriptionsPending'], '1');

    // Racing with different attributes: whichever Subscribe made the subscription, those asking for its attributes
    // are answered with it and the others are refused, as a later Subscribe with other attributes is.
    const endpoint = queueArn(uniqueName('q'));
    const raw = (i: number) => (i % 2 ? 'true' : 'false');
    const outcomes = await race('sqs', endpoint, 16, (i) => ({ RawMessageDelivery: raw(i) }));
    const [made] = await listedFor(endpoint).then((l) => l.map((s) => s.SubscriptionArn!));
    assert.equal((await listedFor(endpoint)).length, 1);
    const kept = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: made }))).Attributes!['RawMessageDelivery'];
    outcomes.forEach((o, i) => {
      if (raw(i) === kept) assert.equal(o.status === 'fulfilled' && o.value.SubscriptionArn, made, `call ${i}`);
      else {
        assert.equal(o.status, 'rejected', `call ${i}`);
        assert.equal((o as PromiseRejectedResult).reason.message, 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
      }
    });
  });

  test('Subscribe checks protocol, endpoint and attributes as AWS does', async () => {
    const arn = await newTopic();
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'carrier-pigeon', Endpoint: 'x' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon',
    );
    await rejects(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'not-an-arn' })), 'InvalidParameterException', 400, 'Invalid parameter: SQS endpoint ARN');
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('q.fifo') })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
    );
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('q'), Attributes: { RawMessageDelivery: 'maybe' } })),
      'InvalidParameterException',
      400,
    );
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('q'), Attributes: { FilterPolicy: '{"a": "b"}' } })),
      'InvalidParameterException',
      400,
      /^Invalid parameter: Attributes Reason: FilterPolicy: /,
    );
    // Other protocols' endpoints are checked too (see http.test.ts and recorded.test.ts).
    await rejects(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'ftp://example.com/hook' })), 'InvalidParameterException', 400);
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${uniqueName('none')}`, Protocol: 'sqs', Endpoint: queueArn('q') })),
      'NotFoundException',
      404,
      'Topic does not exist',
    );
  });

  test('SetSubscriptionAttributes sets and clears FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy', async () => {
    const arn = await newTopic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn(uniqueName('q')) }));
    const set = (AttributeName: string, AttributeValue: string) =>
      sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName, AttributeValue }));
    await set('FilterPolicy', JSON.stringify({ color: ['red'] }));
    await set('RawMessageDelivery', 'true');
    await set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: queueArn('dlq') }));
    let s = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(s['FilterPolicy'], JSON.stringify({ color: ['red'] }));
    assert.equal(s['FilterPolicyScope'], 'MessageAttributes');
    assert.equal(s['RawMessageDelivery'], 'true');
    assert.equal(JSON.parse(s['RedrivePolicy']!).deadLetterTargetArn, queueArn('dlq'));
    await set('FilterPolicyScope', 'MessageBody');
    await set('FilterPolicy', JSON.stringify({ order: { total: [{ numeric: ['>', 100] }] } }));
    await rejects(set('FilterPolicy', '{"a": [{"numeric": [">"]}]}'), 'InvalidParameterException', 400, /^Invalid parameter: FilterPolicy: /);
    await rejects(set('FilterPolicyScope', 'Elsewhere'), 'InvalidParameterException', 400);
    await rejects(set('Nonsense', 'x'), 'InvalidParameterException', 400, 'Invalid parameter: AttributeName');
    await set('FilterPolicy', '');
    s = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(s['FilterPolicy'], undefined);
  });

  test('ListSubscriptions and ListSubscriptionsByTopic page 100 at a time', async () => {
    const other = await startTestPostbox();
    const client = snsClient(other.endpoint);
    try {
      const a = (await client.send(new CreateTopicCommand({ Name: 'a' }))).TopicArn!;
      const b = (await client.send(new CreateTopicCommand({ Name: 'b' }))).TopicArn!;
      for (let i = 0; i < 150; i++) await client.send(new SubscribeCommand({ TopicArn: a, Protocol: 'sqs', Endpoint: queueArn(`qa-${i}`) }));
      for (let i = 0; i < 10; i++) await client.send(new SubscribeCommand({ TopicArn: b, Protocol: 'sqs', Endpoint: queueArn(`qb-${i}`) }));
      const walk = async (list: (token?: string) => Promise<{ Subscriptions?: { TopicArn?: string }[]; NextToken?: string }>) => {
        const sizes: number[] = [];
        const topics: string[] = [];
        let token: string | undefined;
        do {
          const page = await list(token);
          sizes.push(page.Subscriptions!.length);
          topics.push(...page.Subscriptions!.map((s) => s.TopicArn!));
          token = page.NextToken;
        } while (token);
        return { sizes, topics };
      };
      const byTopic = await walk((NextToken) => client.send(new ListSubscriptionsByTopicCommand({ TopicArn: a, NextToken })));
      assert.deepEqual(byTopic.sizes, [100, 50]);
      assert.ok(byTopic.topics.every((t) => t === a));
      const all = await walk((NextToken) => client.send(new ListSubscriptionsCommand({ NextToken })));
      assert.deepEqual(all.sizes, [100, 60]);
      const first = (await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: b }))).Subscriptions![0]!;
      assert.deepEqual(Object.keys(first).sort(), ['Endpoint', 'Owner', 'Protocol', 'SubscriptionArn', 'TopicArn']);
      assert.equal(first.Protocol, 'sqs');
    } finally {
      client.destroy();
      await other.stop();
    }
  });

  test('ConfirmSubscription with an unknown token is refused', async () => {
    const arn = await newTopic();
    await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'abc' })), 'InvalidParameterException', 400, 'Invalid parameter: Token');
  });
});
