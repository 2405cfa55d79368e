/**
 * Targets beyond SQS, delivered asynchronously and durably: API destinations over HTTP (retried with back-off on an
 * injected clock, dead-lettered with AWS's attributes, OAuth client credentials), SNS topics through SNS's publish
 * path, other event buses, and recorded targets (Lambda) in the delivery log. Endpoints are node:http servers in
 * this process, on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
  type Target,
  type ApiDestinationHttpMethod,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { ManualClock } from '../../../src/core/clock.js';
import type { Postbox } from '../../../src/index.js';
import { jsonClient, onPostgres, settle, startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { snsClient } from '../sns/support.js';
import { eventsClient } from './support.js';

const ACCOUNT = '000000000000';
let postbox: Postbox;
let clock: ManualClock;
let eb: EventBridgeClient;
let sqs: SQSClient;
let sns: SNSClient;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP endpoint in the test: records each request, answers what `answer` says. */
class Endpoint {
  readonly seen: Seen[] = [];
  answer: (req: Seen, n: number) => { status: number; body?: string } = () => ({ status: 200 });
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const seen = { method: req.method!, url: req.url!, headers: req.headers, body };
        this.seen.push(seen);
        const a = this.answer(seen, this.seen.length);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body ?? '{}');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let http: Endpoint;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  eb = eventsClient(postbox.endpoint);
  sqs = jsonClient(postbox.endpoint);
  sns = snsClient(postbox.endpoint);
  http = new Endpoint();
  await http.start();
});
after(async () => {
  eb.destroy();
  sqs.destroy();
  sns.destroy();
  await http.stop();
  await postbox.stop();
});

/** Waits (on wall time, briefly) for the server's asynchronous work to show. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await settle(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function newQueue(): Promise<{ url: string; arn: string }> {
  const name = uniqueName('q');
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  return { url, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}

async function receive(url: string, wait = true): Promise<Message[]> {
  let out: Message[] = [];
  await until(async () => {
    out = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }))).Messages ?? [];
    return out.length > 0 || !wait;
  }, `a message in ${url}`);
  // Taken for good: the injected clock moves past visibility timeouts in these tests.
  for (const m of out) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
  return out;
}

/** A rule on the default bus matching source `source`, with these targets. */
async function ruleWith(source: string, targets: Target[]): Promise<string> {
  const Name = uniqueName('rule');
  const { RuleArn } = await eb.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify({ source: [source] }) }));
  const out = await eb.send(new PutTargetsCommand({ Rule: Name, Targets: targets }));
  assert.equal(out.FailedEntryCount, 0, JSON.stringify(out.FailedEntries));
  return RuleArn!;
}

async function put(source: string, detail: object, EventBusName?: string): Promise<string> {
  const out = await eb.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 'test', Detail: JSON.stringify(detail), ...(EventBusName ? { EventBusName } : {}) }] }));
  assert.equal(out.FailedEntryCount, 0);
  return out.Entries![0]!.EventId!;
}

async function apiKeyDestination(path: string, method: ApiDestinationHttpMethod = 'POST'): Promise<string> {
  const { ConnectionArn } = await eb.send(
    new CreateConnectionCommand({
      Name: uniqueName('conn'),
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'sesame' },
        InvocationHttpParameters: { HeaderParameters: [{ Key: 'x-from-connection', Value: 'c' }], QueryStringParameters: [{ Key: 'conn', Value: '1' }] },
      },
    }),
  );
  const { ApiDestinationArn } = await eb.send(
    new CreateApiDestinationCommand({ Name: uniqueName('dest'), ConnectionArn, InvocationEndpoint: `${http.url}${path}`, HttpMethod: method }),
  );
  return ApiDestinationArn!;
}

/** Lets the worker settle on wall time, then moves the injected clock. */
async function advance(ms: number): Promise<void> {
  await settle(30);
  clock.advance(ms);
}

describe('API destinations', () => {
  test('an endpoint that fails, then recovers: retried with back-off until it answers 2xx', async () => {
    const path = '/orders/*/items';
    const arn = await apiKeyDestination(path, 'PUT');
    const seen = () => http.seen.filter((s) => s.url.startsWith('/orders/'));
    http.answer = (req) => (req.url.startsWith('/orders/') && seen().length <= 2 ? { status: 500 } : { status: 200 });
    const ruleArn = await ruleWith('recovering', [
      {
        Id: 'api',
        Arn: arn,
        HttpParameters: { PathParameterValues: ['$.detail.order'], HeaderParameters: { 'x-from-target': 't' }, QueryStringParameters: { target: 'yes' } },
        InputTransformer: { InputPathsMap: { order: '$.detail.order' }, InputTemplate: '{"order": <order>, "rule": "<aws.events.rule-name>"}' },
        RetryPolicy: { MaximumRetryAttempts: 5 },
      },
    ]);
    await put('recovering', { order: 'o-17' });
    await until(() => seen().length === 1, 'the first attempt');
    await advance(999);
    assert.equal(seen().length, 1, 'no retry before the back-off');
    await advance(1);
    await until(() => seen().length === 2, 'the second attempt, 1 s later');
    await advance(2_000);
    await until(() => seen().length === 3, 'the third attempt, 2 s after the second');
    await advance(600_000);
    await settle(50);
    assert.equal(seen().length, 3, 'delivered: no more attempts');

    const req = seen()[2]!;
    assert.equal(req.method, 'PUT');
    const url = new URL(req.url, http.url);
    assert.equal(url.pathname, '/orders/o-17/items');
    assert.equal(url.searchParams.get('target'), 'yes');
    assert.equal(url.searchParams.get('conn'), '1');
    assert.equal(req.headers['x-api-key'], 'sesame');
    assert.equal(req.headers['x-from-target'], 't');
    assert.equal(req.headers['x-from-connection'], 'c');
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req.body), { order: 'o-17', rule: ruleArn.split('/').pop() });
  });

  test('an endpoint that always fails: after MaximumRetryAttempts the event is in the DLQ with AWS attributes', async () => {
    const dlq = await newQueue();
    const arn = await apiKeyDestination('/down');
    http.answer = (req) => (req.url.startsWith('/down') ? { status: 503 } : { status: 200 });
    const ruleArn = await ruleWith('failing', [{ Id: 'down', Arn: arn, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: dlq.arn } }]);
    const eventId = await put('failing', { n: 1 });
    const attempts = () => http.seen.filter((s) => s.url.startsWith('/down')).length;
    await until(() => attempts() === 1, 'the first attempt');
    await advance(1_000);
    await until(() => attempts() === 2, 'the first retry');
    await advance(2_000);
    await until(() => attempts() === 3, 'the second retry');
    const [m] = await receive(dlq.url);
    assert.equal(attempts(), 3, 'one attempt and two retries');
    const event = JSON.parse(m!.Body!);
    assert.equal(event.id, eventId);
    assert.deepEqual(event.detail, { n: 1 });
    const attrs = Object.fromEntries(Object.entries(m!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    assert.deepEqual(Object.keys(attrs).sort(), ['ERROR_CODE', 'ERROR_MESSAGE', 'EXHAUSTED_RETRY_CONDITION', 'RETRY_ATTEMPTS', 'RULE_ARN', 'TARGET_ARN']);
    assert.equal(attrs['RULE_ARN'], ruleArn);
    assert.equal(attrs['TARGET_ARN'], arn);
    assert.equal(attrs['EXHAUSTED_RETRY_CONDITION'], 'MaximumRetryAttempts');
    assert.equal(attrs['RETRY_ATTEMPTS'], '2');
    assert.equal(attrs['ERROR_CODE'], 'SDK_CLIENT_ERROR');
    assert.match(attrs['ERROR_MESSAGE']!, /503/);
  });

  test('MaximumEventAgeInSeconds ends the retries too; a 4xx answer is not retried', async () => {
    const dlq = await newQueue();
    const down = await apiKeyDestination('/aging');
    const refused = await apiKeyDestination('/refused');
    http.answer = (req) => (req.url.startsWith('/aging') ? { status: 502 } : req.url.startsWith('/refused') ? { status: 400 } : { status: 200 });
    await ruleWith('aging', [
      { Id: 'aging', Arn: down, RetryPolicy: { MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: dlq.arn } },
      { Id: 'refused', Arn: refused, DeadLetterConfig: { Arn: dlq.arn } },
    ]);
    await put('aging', {});
    const [first] = await receive(dlq.url);
    assert.equal(first!.MessageAttributes!['ERROR_CODE']!.StringValue, 'SDK_CLIENT_ERROR');
    assert.equal(first!.MessageAttributes!['RETRY_ATTEMPTS']!.StringValue, '0', 'a 400 goes to the DLQ at once');
    assert.equal(first!.MessageAttributes!['EXHAUSTED_RETRY_CONDITION'], undefined);
    assert.equal(http.seen.filter((s) => s.url.startsWith('/refused')).length, 1);
    // Attempts at 0, 1, 3, 7, 15 and 31 s; the next would be at 63 s, past the 60 s the policy allows. Each step
    // waits for the attempt before it, so a slower engine (PostgreSQL, a busy machine) is not outrun by the clock.
    const aging = () => http.seen.filter((s) => s.url.startsWith('/aging')).length;
    for (const [k, step] of [1_000, 2_000, 4_000, 8_000, 16_000].entries()) {
      await until(() => aging() >= k + 1, `attempt ${k + 1}`);
      await advance(step);
    }
    const [second] = await receive(dlq.url);
    assert.equal(second!.MessageAttributes!['EXHAUSTED_RETRY_CONDITION']!.StringValue, 'MaximumEventAgeInSeconds');
    assert.equal(second!.MessageAttributes!['RETRY_ATTEMPTS']!.StringValue, '5');
    assert.equal(http.seen.filter((s) => s.url.startsWith('/aging')).length, 6);
  });

  test('OAuth client credentials: a token from the authorization endpoint, cached, fetched again after a 401', async () => {
    let issued = 0;
    let accepted = 'tok-1';
    const tokenRequests: Seen[] = [];
    http.answer = (req) => {
      if (req.url.startsWith('/oauth/token')) {
        tokenRequests.push(req);
        return { status: 200, body: JSON.stringify({ access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: 3600 }) };
      }
      if (req.url.startsWith('/secured')) return req.headers.authorization === `Bearer ${accepted}` ? { status: 200 } : { status: 401 };
      return { status: 200 };
    };
    const { ConnectionArn } = await eb.send(
      new CreateConnectionCommand({
        Name: uniqueName('oauth'),
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: 'client-1', ClientSecret: 'shh' },
            AuthorizationEndpoint: `${http.url}/oauth/token`,
            HttpMethod: 'POST',
            OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'events' }] },
          },
        },
      }),
    );
    const { ApiDestinationArn } = await eb.send(
      new CreateApiDestinationCommand({ Name: uniqueName('secured'), ConnectionArn, InvocationEndpoint: `${http.url}/secured`, HttpMethod: 'POST' }),
    );
    await ruleWith('oauth', [{ Id: 'api', Arn: ApiDestinationArn!, RetryPolicy: { MaximumRetryAttempts: 0 } }]);
    const delivered = () => http.seen.filter((s) => s.url.startsWith('/secured') && s.headers.authorization === `Bearer ${accepted}`).length;

    await put('oauth', { n: 1 });
    await until(() => delivered() === 1, 'the first call');
    assert.equal(tokenRequests.length, 1);
    const tokenRequest = tokenRequests[0]!;
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.headers.authorization, `Basic ${Buffer.from('client-1:shh').toString('base64')}`);
    const form = new URLSearchParams(tokenRequest.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'events');

    await put('oauth', { n: 2 });
    await until(() => delivered() === 2, 'the second call, with the cached token');
    assert.equal(tokenRequests.length, 1);

    // The endpoint stops taking tok-1: the call answers 401, Postbox fetches tok-2 and calls again.
    accepted = 'tok-2';
    await put('oauth', { n: 3 });
    await until(() => delivered() === 1, 'the call with the new token');
    assert.equal(tokenRequests.length, 2);
  });
});

describe('other targets', () => {
  test('an SNS topic target publishes through SNS: its SQS subscription gets the notification', async () => {
    const q = await newQueue();
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('topic') }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
    // A filtered subscription that this event does not match gets nothing.
    const filtered = await newQueue();
    await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: filtered.arn, Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: '{"detail":{"n":[2]}}' } }),
    );
    await ruleWith('to-sns', [{ Id: 'topic', Arn: TopicArn! }]);
    const eventId = await put('to-sns', { n: 1 });
    const [m] = await receive(q.url);
    const notification = JSON.parse(m!.Body!);
    assert.equal(notification.Type, 'Notification');
    assert.equal(notification.TopicArn, TopicArn);
    assert.equal(JSON.parse(notification.Message).id, eventId);
    assert.ok(notification.Signature);
    assert.deepEqual(await receive(filtered.url, false), []);
  });

  test('an event bus target: the event reaches the other bus and its rules, unchanged', async () => {
    const q = await newQueue();
    const bus = uniqueName('bus');
    const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: bus }));
    const Name = uniqueName('on-bus');
    await eb.send(new PutRuleCommand({ Name, EventBusName: bus, EventPattern: '{"source":["forwarded"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: Name, EventBusName: bus, Targets: [{ Id: 'q', Arn: q.arn }] }));
    await ruleWith('forwarded', [{ Id: 'bus', Arn: EventBusArn! }]);
    const eventId = await put('forwarded', { hop: 1 });
    const [m] = await receive(q.url);
    const event = JSON.parse(m!.Body!);
    assert.equal(event.id, eventId);
    assert.equal(event.source, 'forwarded');
    assert.deepEqual(event.detail, { hop: 1 });
  });

  test('a rule that forwards to its own bus: the loop stops after eight hops, in the DLQ', async () => {
    const dlq = await newQueue();
    const q = await newQueue();
    const bus = uniqueName('loop');
    const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: bus }));
    const Name = uniqueName('circle');
    await eb.send(new PutRuleCommand({ Name, EventBusName: bus, EventPattern: '{"source":["looping"]}' }));
    await eb.send(
      new PutTargetsCommand({ Rule: Name, EventBusName: bus, Targets: [{ Id: 'self', Arn: EventBusArn!, DeadLetterConfig: { Arn: dlq.arn } }, { Id: 'q', Arn: q.arn }] }),
    );
    await put('looping', {}, bus);
    const [dead] = await receive(dlq.url);
    assert.equal(dead!.MessageAttributes!['ERROR_CODE']!.StringValue, 'LOOP_DETECTED');
    // The queue on the bus saw the event on each of its nine passes (the PutEvents one and eight forwarded).
    const seen: Message[] = [];
    await until(async () => {
      seen.push(...(await receive(q.url, false)));
      return seen.length >= 9;
    }, 'nine passes');
    await settle(50);
    seen.push(...(await receive(q.url, false)));
    assert.equal(seen.length, 9);
  });

  test('a bus of another account without a policy allowing it: not delivered, dead-lettered without retries', async () => {
    const dlq = await newQueue();
    const other = eventsClient(postbox.endpoint, 'us-east-1', '111111111111');
    const { EventBusArn } = await other.send(new CreateEventBusCommand({ Name: uniqueName('theirs') }));
    other.destroy();
    await ruleWith('cross-account', [{ Id: 'bus', Arn: EventBusArn!, DeadLetterConfig: { Arn: dlq.arn } }]);
    await put('cross-account', {});
    const [m] = await receive(dlq.url);
    assert.equal(m!.MessageAttributes!['ERROR_CODE']!.StringValue, 'NO_PERMISSIONS');
    assert.equal(m!.MessageAttributes!['RETRY_ATTEMPTS']!.StringValue, '0');
  });

  test('a queue that does not exist: the event goes to the DLQ at once (no resource, no retries)', async () => {
    const dlq = await newQueue();
    const missing = `arn:aws:sqs:us-east-1:${ACCOUNT}:${uniqueName('missing')}`;
    const ruleArn = await ruleWith('no-queue', [{ Id: 'gone', Arn: missing, DeadLetterConfig: { Arn: dlq.arn } }]);
    await put('no-queue', {});
    const [m] = await receive(dlq.url);
    assert.equal(m!.MessageAttributes!['ERROR_CODE']!.StringValue, 'NO_RESOURCE');
    assert.equal(m!.MessageAttributes!['TARGET_ARN']!.StringValue, missing);
    assert.equal(m!.MessageAttributes!['RULE_ARN']!.StringValue, ruleArn);
  });

  test('a Lambda target is recorded in the delivery log with the transformed input', async () => {
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${uniqueName('fn')}`;
    const ruleArn = await ruleWith('to-lambda', [{ Id: 'fn', Arn: fn, InputPath: '$.detail' }]);
    const eventId = await put('to-lambda', { order: 42 });
    let records: any[] = [];
    await until(async () => {
      const res = await fetch(`${postbox.endpoint}/_postbox/deliveries?service=events&endpoint=${encodeURIComponent(fn)}`);
      records = ((await res.json()) as { deliveries: any[] }).deliveries;
      return records.length > 0;
    }, 'the recorded invocation');
    assert.equal(records.length, 1);
    assert.equal(records[0].protocol, 'lambda');
    assert.equal(records[0].source, ruleArn);
    assert.deepEqual(JSON.parse(records[0].payload), { order: 42 });
    assert.equal(records[0].details.eventId, eventId);
  });
});
