/**
 * Subscriptions Postbox records instead of delivering — email, email-json, sms, lambda, firehose, application —
 * accepted as AWS accepts them, with each delivery read back through GET /_postbox/deliveries, its payload as AWS
 * would have sent it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  SubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { verifySnsSignature } from './http-subscriber.js';
import { rejects, snsClient } from './support.js';

let postbox: Postbox;
let clock: ManualClock;
let sns: SNSClient;
const ACCOUNT = '000000000000';

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  sns = snsClient(postbox.endpoint);
});
after(async () => {
  sns.destroy();
  await postbox.stop();
});

interface Delivery {
  id: number;
  service: string;
  accountId: string;
  region: string;
  protocol: string;
  endpoint: string;
  source?: string;
  subject?: string;
  payload: string;
  details?: Record<string, string>;
  recordedAt: number;
}
async function deliveries(endpoint: string): Promise<Delivery[]> {
  const res = await fetch(`${postbox.endpoint}/_postbox/deliveries?service=sns&endpoint=${encodeURIComponent(endpoint)}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
}
async function newTopic(attributes: Record<string, string> = {}): Promise<string> {
  return (await sns.send(new CreateTopicCommand({ Name: uniqueName('t'), Attributes: attributes }))).TopicArn!;
}
const unique = (what: string) => `${uniqueName(what)}`;

describe('email and email-json', () => {
  test('email: the confirmation is recorded with its SubscribeURL; fetching it confirms; notifications carry the footer', async () => {
    const topic = await newTopic({ DisplayName: 'Orders' });
    const address = `${unique('dev')}@example.com`;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: address }));
    assert.equal(SubscriptionArn, 'pending confirmation');
    let topicAttrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
    assert.equal(topicAttrs['SubscriptionsPending'], '1');

    const [confirmation] = await deliveries(address);
    assert.equal(confirmation!.protocol, 'email');
    assert.equal(confirmation!.source, topic);
    assert.equal(confirmation!.accountId, ACCOUNT);
    assert.equal(confirmation!.subject, 'AWS Notification - Subscription Confirmation');
    assert.equal(confirmation!.details!['type'], 'SubscriptionConfirmation');
    const url = confirmation!.details!['subscribeUrl']!;
    assert.equal(url, `${postbox.endpoint}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=${confirmation!.details!['token']}`);
    assert.ok(confirmation!.payload.includes(url), 'the e-mail text holds the link');
    assert.ok(confirmation!.payload.startsWith(`You have chosen to subscribe to the topic: \n${topic}\n`));

    assert.equal((await fetch(url)).status, 200);
    topicAttrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
    assert.equal(topicAttrs['SubscriptionsPending'], '0');
    assert.equal(topicAttrs['SubscriptionsConfirmed'], '1');
    const subArn = confirmation!.details!['subscriptionArn']!;

    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'Order 42 shipped', Subject: 'Shipping' }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'no subject' }));
    const [, mail, plain] = await deliveries(address);
    assert.equal(mail!.subject, 'Shipping');
    assert.equal(mail!.details!['type'], 'Notification');
    assert.equal(mail!.details!['messageId'], MessageId);
    assert.equal(mail!.details!['from'], 'Orders <no-reply@sns.amazonaws.com>');
    assert.equal(
      mail!.payload,
      'Order 42 shipped\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n' +
        `${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subArn}\n\n` +
        'Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support',
    );
    assert.equal(mail!.recordedAt, clock.now());
    assert.equal(plain!.subject, 'AWS Notification Message');
  });

  test('email-json: the confirmation and notifications are the signed JSON documents', async () => {
    const topic = await newTopic();
    const address = `${unique('json')}@example.com`;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email-json', Endpoint: address }));
    const [confirmation] = await deliveries(address);
    const c = JSON.parse(confirmation!.payload);
    assert.equal(c.Type, 'SubscriptionConfirmation');
    assert.equal(c.TopicArn, topic);
    assert.ok(await verifySnsSignature(c));
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: c.Token }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'json please', MessageAttributes: { a: { DataType: 'String', StringValue: '1' } } }));
    const n = JSON.parse((await deliveries(address))[1]!.payload);
    assert.equal(n.Type, 'Notification');
    assert.equal(n.Message, 'json please');
    assert.deepEqual(n.MessageAttributes, { a: { Type: 'String', Value: '1' } });
    assert.equal(n.UnsubscribeURL, `${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);
    assert.ok(await verifySnsSignature(n));
  });

  test('e-mail endpoints must be addresses; raw delivery is not for e-mail', async () => {
    const topic = await newTopic();
    await rejects(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'nobody' })), 'InvalidParameterException', 400, 'Invalid parameter: Email address');
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'a@example.com', Attributes: { RawMessageDelivery: 'true' } })),
      'InvalidParameterException',
      400,
    );
  });
});

describe('protocols confirmed at once', () => {
  test('sms: the message text (its sms entry of a MessageStructure=json publish)', async () => {
    const topic = await newTopic();
    const phone = `+1555${String(Date.now() % 10_000_000).padStart(7, '0')}`;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: phone }));
    assert.ok(SubscriptionArn!.startsWith(`${topic}:`));
    const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(a['PendingConfirmation'], 'false');
    assert.equal(a['ConfirmationWasAuthenticated'], 'true');
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'Your code is 1234' }));
    await sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'long text', sms: 'short' }) }));
    const [one, two] = await deliveries(phone);
    assert.equal(one!.protocol, 'sms');
    assert.equal(one!.payload, 'Your code is 1234');
    assert.equal(two!.payload, 'short');
    await rejects(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: 'call me' })), 'InvalidParameterException', 400);
  });

  test('lambda: the Records/Sns event a function is invoked with', async () => {
    const topic = await newTopic();
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${unique('fn')}`;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: fn }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'invoke me', MessageAttributes: { k: { DataType: 'Number', StringValue: '7' } } }));
    const [record] = await deliveries(fn);
    const event = JSON.parse(record!.payload);
    assert.equal(event.Records.length, 1);
    const r = event.Records[0];
    assert.equal(r.EventSource, 'aws:sns');
    assert.equal(r.EventVersion, '1.0');
    assert.equal(r.EventSubscriptionArn, SubscriptionArn);
    assert.equal(r.Sns.Type, 'Notification');
    assert.equal(r.Sns.MessageId, MessageId);
    assert.equal(r.Sns.TopicArn, topic);
    assert.equal(r.Sns.Subject, null);
    assert.equal(r.Sns.Message, 'invoke me');
    assert.deepEqual(r.Sns.MessageAttributes, { k: { Type: 'Number', Value: '7' } });
    assert.equal(r.Sns.UnsubscribeUrl, `${postbox.endpoint}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);
    // Lambda's spelling (SigningCertUrl), and the same signature as any notification.
    assert.ok(await verifySnsSignature({ ...r.Sns, Subject: undefined, SigningCertURL: r.Sns.SigningCertUrl }));
    await rejects(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: 'my-function' })), 'InvalidParameterException', 400, 'Invalid parameter: Lambda endpoint ARN');
  });

  test("firehose: needs SubscriptionRoleArn; records AWS's compact unsigned record, or the bare message when raw", async () => {
    const topic = await newTopic();
    const stream = `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/${unique('s')}`;
    const raw = `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/${unique('raw')}`;
    const role = `arn:aws:iam::${ACCOUNT}:role/sns-firehose`;
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'firehose', Endpoint: stream })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: SubscriptionRoleArn is required for firehose subscriptions',
    );
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'firehose', Endpoint: stream, Attributes: { SubscriptionRoleArn: role } }));
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'firehose', Endpoint: raw, Attributes: { SubscriptionRoleArn: role, RawMessageDelivery: 'true' } }));
    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn: topic, Message: 'to the stream', Subject: 'S', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }),
    );
    const payload = (await deliveries(stream))[0]!.payload;
    // AWS's Firehose record (firehose-archived-message-format-S3): compact JSON, no Signature, no SigningCertURL.
    assert.doesNotMatch(payload, /\n/);
    const n = JSON.parse(payload);
    assert.deepEqual(Object.keys(n), ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'UnsubscribeURL', 'MessageAttributes']);
    assert.equal(n.Type, 'Notification');
    assert.equal(n.MessageId, MessageId);
    assert.equal(n.TopicArn, topic);
    assert.equal(n.Subject, 'S');
    assert.equal(n.Message, 'to the stream');
    assert.match(n.UnsubscribeURL, /\?Action=Unsubscribe&SubscriptionArn=/);
    assert.deepEqual(n.MessageAttributes, { k: { Type: 'String', Value: 'v' } });
    assert.equal((await deliveries(raw))[0]!.payload, 'to the stream');
    await rejects(
      sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'firehose', Endpoint: 'stream', Attributes: { SubscriptionRoleArn: role } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Firehose endpoint ARN',
    );
  });

  test("application: the platform's entry of a MessageStructure=json publish, else the default", async () => {
    const topic = await newTopic();
    const gcm = `arn:aws:sns:us-east-1:${ACCOUNT}:endpoint/GCM/app-${unique('a')}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
    const apns = `arn:aws:sns:us-east-1:${ACCOUNT}:endpoint/APNS/app-${unique('b')}/1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'application', Endpoint: gcm }));
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'application', Endpoint: apns }));
    const gcmPayload = JSON.stringify({ notification: { title: 'hi' } });
    await sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'plain', GCM: gcmPayload }) }));
    assert.equal((await deliveries(gcm))[0]!.payload, gcmPayload);
    assert.equal((await deliveries(apns))[0]!.payload, 'plain');
    await rejects(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'application', Endpoint: 'device' })), 'InvalidParameterException', 400, 'Invalid parameter: Application endpoint ARN');
  });

  test('filter policies apply to recorded protocols as to queues', async () => {
    const topic = await newTopic();
    const phone = '+15550001111';
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: phone, Attributes: { FilterPolicy: JSON.stringify({ urgent: ['yes'] }) } }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'ignore', MessageAttributes: { urgent: { DataType: 'String', StringValue: 'no' } } }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'wake up', MessageAttributes: { urgent: { DataType: 'String', StringValue: 'yes' } } }));
    const got = (await deliveries(phone)).filter((d) => d.source === topic);
    assert.deepEqual(got.map((d) => d.payload), ['wake up']);
  });
});
