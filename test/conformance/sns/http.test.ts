/**
 * http/https subscriptions end to end: the SDK subscribes an endpoint served by this test (node:http), Postbox POSTs
 * the SubscriptionConfirmation, the SubscribeURL confirms it, notifications arrive signed with AWS's headers, failed
 * deliveries are retried on the delivery policy's schedule (a ManualClock drives time), exhausted ones reach the
 * subscription's dead-letter queue, and a pending delivery survives a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Postbox } from '../../../src/index.js';
import { ManualClock } from '../../../src/core/clock.js';
import { jsonClient, onPostgres, startClockedPostbox, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { Subscriber, verifySnsSignature } from './http-subscriber.js';
import { rejects, snsClient } from './support.js';

/** Restarts on one SQLite data directory; PostgreSQL restarts and node failures: test/cluster/sns-nodes.test.ts. */
const sqliteRestart = onPostgres() && 'restarts a SQLite data directory (PostgreSQL: test/cluster/sns-nodes.test.ts)';

let postbox: Postbox;
let clock: ManualClock;
let sns: SNSClient;
let sqs: SQSClient;
const subscribers: Subscriber[] = [];
/**
 * What the server draws for the jitter of its retries (policy.ts): 0, which keeps the policy's schedule exactly, so
 * that these tests can say when each retry is due; the jitter test sets others.
 */
let draw = 0;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox({ random: () => draw }));
  sns = snsClient(postbox.endpoint);
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  sns.destroy();
  sqs.destroy();
  await postbox.stop();
  for (const s of subscribers) await s.stop();
});

async function newSubscriber(): Promise<Subscriber> {
  const s = await Subscriber.start();
  subscribers.push(s);
  return s;
}
async function newTopic(attributes: Record<string, string> = {}): Promise<string> {
  return (await sns.send(new CreateTopicCommand({ Name: uniqueName('t'), Attributes: attributes }))).TopicArn!;
}
/** Subscribes and confirms through the token the endpoint was sent; answers the subscription ARN. */
async function confirmedSubscription(topic: string, s: Subscriber, Attributes?: Record<string, string>): Promise<string> {
  const before = s.received.length;
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url, Attributes }));
  await s.waitFor(before + 1, 'the confirmation request');
  const { Token } = s.json(before);
  return (await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token }))).SubscriptionArn!;
}
/** Lets the worker's I/O run (an answer it has just had is acted on) without moving the manual clock. */
const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));
async function advance(ms: number): Promise<void> {
  await settle();
  clock.advance(ms);
}

describe('http subscriptions: confirmation', () => {
  test('Subscribe answers "pending confirmation" and POSTs a signed SubscriptionConfirmation; its SubscribeURL confirms', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url }));
    assert.equal(SubscriptionArn, 'pending confirmation');

    const [request] = await s.waitFor(1, 'the confirmation request');
    assert.equal(request!.path, '/sns');
    assert.equal(request!.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.equal(request!.headers['x-amz-sns-topic-arn'], topic);
    assert.equal(request!.headers['x-amz-sns-subscription-arn'], undefined);
    assert.equal(request!.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(request!.headers['user-agent'], 'Amazon Simple Notification Service Agent');
    const c = s.json(0);
    assert.deepEqual(Object.keys(c), ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']);
    assert.equal(c['Type'], 'SubscriptionConfirmation');
    assert.equal(request!.headers['x-amz-sns-message-id'], c['MessageId']);
    assert.equal(c['TopicArn'], topic);
    assert.match(c['Token'], /^[0-9a-f]{128}$/);
    assert.equal(c['Message'], `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`);
    assert.equal(c['SubscribeURL'], `${postbox.endpoint}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=${c['Token']}`);
    assert.equal(c['Timestamp'], new Date(clock.now()).toISOString());
    assert.ok(await verifySnsSignature(c), 'the confirmation verifies against the certificate at SigningCertURL');

    // Pending: counted as such, listed as PendingConfirmation, and sent no notifications.
    let attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
    assert.equal(attrs['SubscriptionsPending'], '1');
    assert.equal(attrs['SubscriptionsConfirmed'], '0');
    const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions!;
    assert.equal(listed[0]!.SubscriptionArn, 'PendingConfirmation');
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'not yet' }));
    await s.expectNoMoreThan(1);

    // The developer fetches the SubscribeURL: a plain GET, no signature.
    const res = await fetch(c['SubscribeURL']);
    assert.equal(res.status, 200);
    const xml = await res.text();
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(xml)![1]!;
    assert.ok(arn.startsWith(`${topic}:`));
    attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
    assert.equal(attrs['SubscriptionsPending'], '0');
    assert.equal(attrs['SubscriptionsConfirmed'], '1');
    const sub = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
    assert.equal(sub['PendingConfirmation'], 'false');
    assert.equal(sub['ConfirmationWasAuthenticated'], 'false');
    assert.deepEqual(JSON.parse(sub['EffectiveDeliveryPolicy']!).healthyRetryPolicy, {
      minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear',
    });
    // Fetching it again is harmless.
    assert.equal((await fetch(c['SubscribeURL'])).status, 200);
  });

  test('ReturnSubscriptionArn; ConfirmSubscription with AuthenticateOnUnsubscribe; unauthenticated unsubscribe refused', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url, ReturnSubscriptionArn: true }));
    assert.ok(SubscriptionArn!.startsWith(`${topic}:`));
    let a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(a['PendingConfirmation'], 'true');
    assert.equal(a['ConfirmationWasAuthenticated'], 'false');
    await s.waitFor(1);
    await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: 'f'.repeat(128) })), 'InvalidParameterException', 400, 'Invalid parameter: Token');
    // Unsigned, AuthenticateOnUnsubscribe is refused (it "requires an AWS signature").
    const unsigned = await fetch(`${s.json(0)['SubscribeURL']}&AuthenticateOnUnsubscribe=true`);
    assert.equal(unsigned.status, 403);
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: s.json(0)['Token'], AuthenticateOnUnsubscribe: 'true' }));
    assert.equal(confirmed.SubscriptionArn, SubscriptionArn);
    a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(a['PendingConfirmation'], 'false');
    assert.equal(a['ConfirmationWasAuthenticated'], 'true');
    const res = await fetch(`${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>AuthorizationError<\/Code>/);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
  });

  test('a subscription still unconfirmed after 48 hours is deleted: gone from every read, its token confirms nothing', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url, ReturnSubscriptionArn: true }));
    await s.waitFor(1);
    const old = s.json(0)['Token'];
    const subscribeUrl = s.json(0)['SubscribeURL'];
    // A confirmed one on the same topic is not touched.
    const kept = await newSubscriber();
    const keptArn = await confirmedSubscription(topic, kept);
    const pendingCount = async () => (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!['SubscriptionsPending'];
    const listed = async () => (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions!.map((x) => x.Endpoint);

    // Subscribing again a day later resends the token, but the 48 hours still count from the first Subscribe.
    await advance(24 * 3600_000);
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url }));
    await s.waitFor(2, 'the second confirmation');
    assert.equal(s.json(1)['Token'], old);
    await advance(24 * 3600_000 - 1);
    assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!['PendingConfirmation'], 'true');
    assert.equal(await pendingCount(), '1');
    assert.deepEqual((await listed()).sort(), [s.url, kept.url].sort());

    await advance(1);
    await rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), 'NotFoundException', 404);
    assert.equal(await pendingCount(), '0');
    assert.deepEqual(await listed(), [kept.url]);
    const everywhere = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions!.map((x) => x.Endpoint);
    assert.ok(!everywhere.includes(s.url));
    await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: old })), 'InvalidParameterException', 400, 'Invalid parameter: Token');
    assert.equal((await fetch(subscribeUrl)).status, 400);
    await rejects(sns.send(new UnsubscribeCommand({ SubscriptionArn })), 'NotFoundException', 404);
    assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: keptArn }))).Attributes!['PendingConfirmation'], 'false');

    // Subscribing again makes a new subscription, with a new token.
    const again = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url, ReturnSubscriptionArn: true }));
    assert.notEqual(again.SubscriptionArn, SubscriptionArn);
    await s.waitFor(3, 'the new confirmation');
    const fresh = s.json(2)['Token'];
    assert.notEqual(fresh, old);
    assert.equal((await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: fresh }))).SubscriptionArn, again.SubscriptionArn);
    // Confirmed, it stays past any 48 hours.
    await advance(3 * 24 * 3600_000);
    assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: again.SubscriptionArn }))).Attributes!['PendingConfirmation'], 'false');
  });

  test('subscribing again while pending resends the same token, which confirms until the subscription lapses', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url }));
    await s.waitFor(1);
    await advance(24 * 3600_000);
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url }));
    await s.waitFor(2, 'the second confirmation');
    const [first, second] = [s.json(0)['Token'], s.json(1)['Token']];
    assert.equal(second, first);
    await advance(24 * 3600_000 - 1);
    assert.ok((await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: first }))).SubscriptionArn!.startsWith(topic));
  });

  test('concurrent changes of one subscription do not undo each other', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url, ReturnSubscriptionArn: true }));
    await s.waitFor(1);
    const changes: [string, string][] = [
      ['RawMessageDelivery', 'true'],
      ['FilterPolicy', JSON.stringify({ color: ['red'] })],
      ['DeliveryPolicy', JSON.stringify({ healthyRetryPolicy: { numRetries: 5 } })],
      ['RedrivePolicy', JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:somewhere' })],
      ['FilterPolicyScope', 'MessageBody'],
    ];
    await Promise.all([
      ...changes.map(([AttributeName, AttributeValue]) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName, AttributeValue }))),
      sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: s.json(0)['Token'] })),
    ]);
    const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    for (const [name, value] of changes) assert.equal(a[name], value, name);
    assert.equal(a['PendingConfirmation'], 'false');
    // Removing one attribute leaves the others.
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RedrivePolicy', AttributeValue: '' }));
    const b = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(b['RedrivePolicy'], undefined);
    assert.equal(b['FilterPolicy'], JSON.stringify({ color: ['red'] }));
  });

  test('endpoints must match their protocol', async () => {
    const topic = await newTopic();
    for (const [Protocol, Endpoint] of [['http', 'https://example.com/'], ['https', 'http://example.com/'], ['http', 'not a url'], ['http', '']]) {
      await rejects(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol, Endpoint })), 'InvalidParameterException', 400, 'Invalid parameter: Endpoint must match the specified protocol');
    }
    const fifo = (await sns.send(new CreateTopicCommand({ Name: `${uniqueName('t')}.fifo`, Attributes: { FifoTopic: 'true' } }))).TopicArn!;
    await rejects(sns.send(new SubscribeCommand({ TopicArn: fifo, Protocol: 'http', Endpoint: 'http://example.com/' })), 'InvalidParameterException', 400);
  });
});

describe('http subscriptions: notifications', () => {
  test('a notification: the signed envelope, AWS headers, same message id as Publish', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const arn = await confirmedSubscription(topic, s);
    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn: topic, Message: 'hello http', Subject: 'Hi', MessageAttributes: { color: { DataType: 'String', StringValue: 'red' } } }),
    );
    const r = (await s.waitFor(2, 'the notification'))[1]!;
    assert.equal(r.headers['x-amz-sns-message-type'], 'Notification');
    assert.equal(r.headers['x-amz-sns-message-id'], MessageId);
    assert.equal(r.headers['x-amz-sns-topic-arn'], topic);
    assert.equal(r.headers['x-amz-sns-subscription-arn'], arn);
    assert.equal(r.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(r.headers['x-amz-sns-rawdelivery'], undefined);
    const n = s.json(1);
    assert.equal(n['Type'], 'Notification');
    assert.equal(n['MessageId'], MessageId);
    assert.equal(n['Message'], 'hello http');
    assert.equal(n['Subject'], 'Hi');
    assert.deepEqual(n['MessageAttributes'], { color: { Type: 'String', Value: 'red' } });
    assert.equal(n['UnsubscribeURL'], `${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${arn}`);
    assert.ok(await verifySnsSignature(n), 'the notification verifies against the certificate at SigningCertURL');
    assert.match(r.body, /^\{\n {2}"Type" : "Notification",\n/);
  });

  test('MessageStructure=json picks the http entry; requestPolicy sets the Content-Type', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    await confirmedSubscription(topic, s, { DeliveryPolicy: JSON.stringify({ requestPolicy: { headerContentType: 'application/json' } }) });
    await sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'd', http: 'for http', sqs: 'for sqs' }) }));
    await s.waitFor(2);
    assert.equal(s.json(1)['Message'], 'for http');
    assert.equal(s.received[1]!.headers['content-type'], 'application/json');
  });

  test('raw delivery: the bare message body', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const arn = await confirmedSubscription(topic, s, { RawMessageDelivery: 'true' });
    await sns.send(new PublishCommand({ TopicArn: topic, Message: '{"order":42}', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
    const r = (await s.waitFor(2))[1]!;
    assert.equal(r.body, '{"order":42}');
    assert.equal(r.headers['x-amz-sns-rawdelivery'], 'true');
    assert.equal(r.headers['x-amz-sns-subscription-arn'], arn);
  });

  test("the subscription's owner unsubscribing: no cancellation message is sent", async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const arn = await confirmedSubscription(topic, s);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'gone' }));
    await s.expectNoMoreThan(1);
  });

  test('an unauthenticated Unsubscribe (the UnsubscribeURL) sends the endpoint an UnsubscribeConfirmation, then nothing more', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const arn = await confirmedSubscription(topic, s);
    assert.equal((await fetch(`${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${arn}`)).status, 200);
    const r = (await s.waitFor(2, 'the unsubscribe confirmation'))[1]!;
    assert.equal(r.headers['x-amz-sns-message-type'], 'UnsubscribeConfirmation');
    assert.equal(r.headers['x-amz-sns-subscription-arn'], arn);
    const u = s.json(1);
    assert.equal(u['Type'], 'UnsubscribeConfirmation');
    assert.equal(u['Message'], `You have chosen to deactivate subscription ${arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`);
    assert.ok(await verifySnsSignature(u));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'gone' }));
    await s.expectNoMoreThan(2);
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
    assert.equal(attrs['SubscriptionsConfirmed'], '0');
    assert.equal(attrs['SubscriptionsDeleted'], '1');
  });
});

describe('http subscriptions: retries and dead letters', () => {
  test('a subscriber that fails twice is retried on the default policy (20 s apart) and then gets it', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    await confirmedSubscription(topic, s);
    s.respond = (n) => (n === 1 || n === 2 ? 500 : 200);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'flaky' }));
    await s.waitFor(2, 'the first attempt');
    await advance(19_900);
    await s.expectNoMoreThan(2);
    await advance(100);
    await s.waitFor(3, 'the first retry');
    await advance(20_000);
    await s.waitFor(4, 'the second retry');
    await advance(60_000);
    await s.expectNoMoreThan(4);
    for (const r of s.received.slice(1)) assert.equal(r.headers['x-amz-sns-message-id'], MessageId);
    assert.deepEqual(s.received.slice(1).map((r) => JSON.parse(r.body).Message), ['flaky', 'flaky', 'flaky']);
  });

  test('retries are jittered: each comes up to half its delay early, as the random draw decides', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    await confirmedSubscription(topic, s);
    s.respond = (n) => (n >= 1 && n <= 3 ? 500 : 200);
    try {
      // Each retry's delay is drawn when the attempt before it fails, so each draw is set before that attempt is made.
      // Under the default policy (20 s apart) a draw of 0.5 takes a quarter off: the retry is due after 15 s...
      draw = 0.5;
      await sns.send(new PublishCommand({ TopicArn: topic, Message: 'jittered' }));
      await s.waitFor(2, 'the first attempt');
      await advance(14_999);
      await s.expectNoMoreThan(2);
      // ...one of 0.999 nearly half (10.01 s), and one of 0 none.
      draw = 0.999;
      await advance(1);
      await s.waitFor(3, 'the first retry, 15 s on');
      await advance(10_009);
      await s.expectNoMoreThan(3);
      draw = 0;
      await advance(1);
      await s.waitFor(4, 'the second retry, 10.01 s on');
      await advance(19_999);
      await s.expectNoMoreThan(4);
      await advance(1);
      await s.waitFor(5, 'the third retry, 20 s on');
    } finally {
      draw = 0;
    }
  });

  test("the subscription's delivery policy sets the schedule: immediate, minimum-delay, backoff and maximum-delay phases", async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const policy = { healthyRetryPolicy: { numRetries: 6, numNoDelayRetries: 1, numMinDelayRetries: 1, numMaxDelayRetries: 1, minDelayTarget: 2, maxDelayTarget: 10, backoffFunction: 'linear' } };
    await confirmedSubscription(topic, s, { DeliveryPolicy: JSON.stringify(policy) });
    s.respond = (n) => (n >= 1 ? 503 : 200);
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'never' }));
    // Expected delays before retries 1..6: 0 (immediate), 2 (minimum), backoff 2→10 over 3 retries: 4.67, 7.33, 10, then 10 (maximum).
    const delays = [0, 2_000, 4_667, 7_333, 10_000, 10_000];
    await s.waitFor(2);
    for (const [i, d] of delays.entries()) {
      if (d > 0) {
        await advance(d - 1);
        await s.expectNoMoreThan(2 + i);
        await advance(1);
      }
      await s.waitFor(3 + i, `retry ${i + 1}`);
    }
    await advance(3_600_000);
    await s.expectNoMoreThan(8);
  });

  test('a subscriber that always fails: after the last retry the message goes to the RedrivePolicy dead-letter queue', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const dlqName = uniqueName('dlq');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: dlqName }));
    const arn = await confirmedSubscription(topic, s, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlqName}` }) });
    s.respond = (n) => (n === 0 ? 200 : 500);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'doomed' }));
    await s.waitFor(2);
    for (let i = 0; i < 3; i++) {
      await advance(20_000);
      await s.waitFor(3 + i);
    }
    await advance(60_000);
    await s.expectNoMoreThan(5);
    let messages: any[] = [];
    for (let i = 0; i < 50 && messages.length === 0; i++) {
      messages = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages ?? [];
      if (!messages.length) await settle(10);
    }
    assert.equal(messages.length, 1);
    const n = JSON.parse(messages[0].Body);
    assert.equal(n.Type, 'Notification');
    assert.equal(n.MessageId, MessageId);
    assert.equal(n.Message, 'doomed');
    assert.equal(n.UnsubscribeURL, `${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${arn}`);
  });

  test('a 4xx answer is a permanent failure: not retried, dead-lettered at once (raw keeps its attributes)', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const dlqName = uniqueName('dlq');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: dlqName }));
    await confirmedSubscription(topic, s, {
      RawMessageDelivery: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlqName}` }),
    });
    s.respond = (n) => (n === 0 ? 200 : 404);
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'rejected', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    await s.waitFor(2);
    let messages: any[] = [];
    for (let i = 0; i < 50 && messages.length === 0; i++) {
      messages = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }))).Messages ?? [];
      if (!messages.length) await settle(10);
    }
    assert.equal(messages.length, 1);
    assert.equal(messages[0].Body, 'rejected');
    assert.deepEqual(messages[0].MessageAttributes, { k: { DataType: 'String', StringValue: 'v' } });
    await advance(3_600_000);
    await s.expectNoMoreThan(2);
  });

  test('429 is retried; no answer within 15 seconds counts as a failure and is retried', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    await confirmedSubscription(topic, s);
    s.respond = (n) => (n === 1 ? 429 : n === 2 ? undefined : 200);
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'patience' }));
    await s.waitFor(2);
    await advance(20_000);
    await s.waitFor(3, 'the retry that hangs');
    await advance(14_000);
    await advance(1_000); // the 15-second timeout
    await advance(19_999);
    await s.expectNoMoreThan(3);
    await advance(1);
    await s.waitFor(4, 'the retry after the timeout');
  });

  test('throttlePolicy.maxReceivesPerSecond spaces deliveries out', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    await confirmedSubscription(topic, s, { DeliveryPolicy: JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 1 } }) });
    // The confirmation request took this second's slot.
    for (let i = 0; i < 3; i++) await sns.send(new PublishCommand({ TopicArn: topic, Message: `m${i}` }));
    await s.expectNoMoreThan(1);
    for (let n = 2; n <= 4; n++) {
      await advance(1_000);
      await s.waitFor(n);
      await s.expectNoMoreThan(n);
    }
    assert.deepEqual(s.received.slice(1).map((r) => JSON.parse(r.body).Message).sort(), ['m0', 'm1', 'm2']);
  });
});

describe('http subscriptions: one endpoint cannot hold up the others', () => {
  test('while one endpoint hangs, deliveries to another go on', async () => {
    const slow = await newSubscriber();
    const fast = await newSubscriber();
    const slowTopic = await newTopic();
    const fastTopic = await newTopic();
    await confirmedSubscription(slowTopic, slow);
    await confirmedSubscription(fastTopic, fast);
    slow.respond = (n) => (n === 0 ? 200 : undefined);
    await sns.send(new PublishCommand({ TopicArn: slowTopic, Message: 'hangs' }));
    await slow.waitFor(2, 'the POST that hangs');
    await sns.send(new PublishCommand({ TopicArn: fastTopic, Message: 'goes through' }));
    await fast.waitFor(2, 'the other delivery, without the clock moving');
    assert.equal(fast.json(1)['Message'], 'goes through');
  });

  test('a throttled subscription defers its jobs: they arrive at its rate, and are not counted as failed attempts', async () => {
    const s = await newSubscriber();
    const topic = await newTopic();
    const policy = { throttlePolicy: { maxReceivesPerSecond: 1 }, healthyRetryPolicy: { numRetries: 0 } };
    await confirmedSubscription(topic, s, { DeliveryPolicy: JSON.stringify(policy) });
    for (let i = 0; i < 4; i++) await sns.send(new PublishCommand({ TopicArn: topic, Message: `m${i}` }));
    for (let n = 2; n <= 5; n++) {
      await advance(1_000);
      await s.waitFor(n);
    }
    await advance(5_000);
    await s.expectNoMoreThan(5);
    assert.deepEqual(s.received.slice(1).map((r) => JSON.parse(r.body).Message).sort(), ['m0', 'm1', 'm2', 'm3']);
  });
});

describe('delivery policy validation', () => {
  test('SetTopicAttributes and SetSubscriptionAttributes check DeliveryPolicy as AWS does', async () => {
    const topic = await newTopic();
    const bad = async (value: unknown, message: string | RegExp) =>
      rejects(
        sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'DeliveryPolicy', AttributeValue: typeof value === 'string' ? value : JSON.stringify(value) })),
        'InvalidParameterException',
        400,
        message,
      );
    await bad({ http: { defaultHealthyRetryPolicy: { numRetries: 101 } } }, 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100');
    await bad({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 0 } } }, 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.minDelayTarget must be greater than or equal to 1');
    await bad({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } } }, /minDelayTarget must be less than or equal to maxDelayTarget/);
    await bad({ http: { defaultHealthyRetryPolicy: { numRetries: 2, numNoDelayRetries: 3 } } }, /numRetries must be greater than or equal to/);
    await bad({ http: { defaultHealthyRetryPolicy: { backoffFunction: 'cubic' } } }, /backoffFunction must be one of/);
    await bad({ http: { defaultHealthyRetryPolicy: { numRetries: 100, minDelayTarget: 3600, maxDelayTarget: 3600 } } }, /total retry time/);
    await bad({ http: { defaultThrottlePolicy: { maxReceivesPerSecond: 0 } } }, /maxReceivesPerSecond must be greater than or equal to 1/);
    await bad('{nope', 'Invalid parameter: DeliveryPolicy: failed to parse JSON.');
    // The whole Content-Type is checked, parameters included: it is sent as a header.
    for (const type of ['text/plain; charset=UTF-8\r\nX-Injected: 1', 'text/plain; charset=\u00fc', 'application/json\n']) {
      await bad({ http: { defaultRequestPolicy: { headerContentType: type } } }, 'Invalid parameter: DeliveryPolicy: http.defaultRequestPolicy.headerContentType is not a supported content type');
    }
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ http: { defaultRequestPolicy: { headerContentType: 'text/plain;\tcharset=UTF-8' } } }) }));
    await rejects(
      sns.send(new CreateTopicCommand({ Name: uniqueName('t'), Attributes: { DeliveryPolicy: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 101 } } }) } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100',
    );

    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/x', ReturnSubscriptionArn: true }));
    await rejects(
      sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ healthyRetryPolicy: { numRetries: -1 } }) })),
      'InvalidParameterException',
      400,
      'Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to 0',
    );
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/y', Attributes: { DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { maxDelayTarget: 3601 } }) } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600',
    );
    // The topic's defaults show through the subscription's effective policy, which its own policy overrides.
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 30 } } }) }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ healthyRetryPolicy: { numRetries: 7 } }) }));
    const effective = JSON.parse((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!['EffectiveDeliveryPolicy']!);
    assert.equal(effective.healthyRetryPolicy.numRetries, 7);
    assert.equal(effective.healthyRetryPolicy.maxDelayTarget, 30);
  });
});

describe('durability', { skip: sqliteRestart }, () => {
  test('a delivery pending a retry survives a restart on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postbox-sns-http-'));
    const s = await newSubscriber();
    try {
      const c1 = new ManualClock(Date.UTC(2026, 0, 1));
      let p = await startTestPostbox({ dataDir: dir, memory: false, clock: c1 });
      let client = snsClient(p.endpoint);
      const topic = (await client.send(new CreateTopicCommand({ Name: 'durable' }))).TopicArn!;
      await client.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url }));
      await s.waitFor(1);
      await client.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: s.json(0)['Token'] }));
      s.respond = (n) => (n === 1 ? 500 : 200);
      const { MessageId } = await client.send(new PublishCommand({ TopicArn: topic, Message: 'survivor' }));
      await s.waitFor(2, 'the failed first attempt');
      await settle();
      client.destroy();
      await p.stop();

      // A new process, later: the retry is still due.
      const c2 = new ManualClock(Date.UTC(2026, 0, 1) + 5_000);
      p = await startTestPostbox({ dataDir: dir, memory: false, clock: c2 });
      client = snsClient(p.endpoint);
      await settle(50);
      assert.equal(s.received.length, 2, 'not before its time');
      c2.advance(15_000);
      await s.waitFor(3, 'the retry after the restart');
      assert.equal(s.received[2]!.headers['x-amz-sns-message-id'], MessageId);
      assert.equal(JSON.parse(s.received[2]!.body).Message, 'survivor');
      client.destroy();
      await p.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an http subscription from the config file, still pending, survives a restart with the same config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postbox-sns-http-'));
    const s = await newSubscriber();
    try {
      const config = {
        topics: [{ name: 'configured', subscriptions: [{ protocol: 'http', endpoint: s.url, attributes: { RawMessageDelivery: 'true' } }] }],
      };
      const first = await startTestPostbox({ dataDir: dir, memory: false, clock: new ManualClock(Date.UTC(2026, 0, 1)), config });
      try {
        await s.waitFor(1, 'the confirmation request');
      } finally {
        await first.stop();
      }
      const p = await startTestPostbox({ dataDir: dir, memory: false, clock: new ManualClock(Date.UTC(2026, 0, 1)), config });
      const client = snsClient(p.endpoint);
      try {
        await s.waitFor(2, 'a fresh confirmation request');
        const topic = s.json(1)['TopicArn'];
        // The same token again: the first, still unexpired, keeps confirming.
        assert.equal(s.json(1)['Token'], s.json(0)['Token']);
        const arn = (await client.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: s.json(1)['Token'] }))).SubscriptionArn!;
        assert.equal((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!['RawMessageDelivery'], 'true');
        await client.send(new PublishCommand({ TopicArn: topic, Message: 'configured and confirmed' }));
        // (A confirmation request the first process was stopped in the middle of may come again before it.)
        for (let i = 0; i < 200 && !s.received.some((r) => r.body === 'configured and confirmed'); i++) await settle(5);
        assert.ok(s.received.some((r) => r.body === 'configured and confirmed'), 'the raw notification');
      } finally {
        client.destroy();
        await p.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stopping does not wait for an endpoint that hangs; the next start delivers at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postbox-sns-http-'));
    const s = await newSubscriber();
    try {
      const c1 = new ManualClock(Date.UTC(2026, 0, 1));
      let p = await startTestPostbox({ dataDir: dir, memory: false, clock: c1 });
      let client = snsClient(p.endpoint);
      const topic = (await client.send(new CreateTopicCommand({ Name: 'hangs' }))).TopicArn!;
      await client.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: s.url }));
      await s.waitFor(1);
      await client.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: s.json(0)['Token'] }));
      s.respond = (n) => (n === 1 ? undefined : 200);
      await client.send(new PublishCommand({ TopicArn: topic, Message: 'eventually' }));
      await s.waitFor(2, 'the attempt that hangs');
      client.destroy();
      const started = performance.now();
      await p.stop();
      assert.ok(performance.now() - started < 5_000, 'stop abandons the hanging POST');

      p = await startTestPostbox({ dataDir: dir, memory: false, clock: new ManualClock(c1.now()) });
      await s.waitFor(3, 'the delivery after the restart');
      assert.equal(JSON.parse(s.received[2]!.body).Message, 'eventually');
      await p.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
