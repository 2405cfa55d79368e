import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActivateEventSourceCommand,
  CreateEventBusCommand,
  CreatePartnerEventSourceCommand,
  DeactivateEventSourceCommand,
  DeleteEventBusCommand,
  DeletePartnerEventSourceCommand,
  DescribeEventBusCommand,
  DescribeEventSourceCommand,
  DescribePartnerEventSourceCommand,
  ListEventSourcesCommand,
  ListPartnerEventSourceAccountsCommand,
  ListPartnerEventSourcesCommand,
  PutPartnerEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { jsonClient, startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let clock: ManualClock;
/** The customer (the server's default account) and a SaaS partner (a 12-digit access key selects its account). */
let customer: EventBridgeClient;
let partner: EventBridgeClient;
let sqs: SQSClient;
const CUSTOMER = '000000000000';
const PARTNER = '111111111111';
const DAY = 86_400_000;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  customer = eventsClient(postbox.endpoint);
  partner = eventsClient(postbox.endpoint, 'us-east-1', PARTNER);
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  customer.destroy();
  partner.destroy();
  sqs.destroy();
  await postbox.stop();
});

const sourceName = () => `aws.partner/saas.example/${uniqueName('tenant')}/orders`;
const arnOf = (name: string) => `arn:aws:events:us-east-1::event-source/${name}`;

describe('partner event sources', () => {
  test('a source is PENDING for the customer until its partner bus exists, then ACTIVE', async () => {
    const Name = sourceName();
    const created = await partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
    assert.equal(created.EventSourceArn, arnOf(Name));
    assert.deepEqual(await partner.send(new DescribePartnerEventSourceCommand({ Name })).then((r) => [r.Arn, r.Name]), [arnOf(Name), Name]);

    let seen = await customer.send(new DescribeEventSourceCommand({ Name }));
    assert.equal(seen.State, 'PENDING');
    assert.equal(seen.CreatedBy, 'saas.example');
    assert.equal(seen.Arn, arnOf(Name));
    assert.equal(seen.ExpirationTime!.getTime(), clock.now() + 14 * DAY);
    assert.ok(seen.CreationTime instanceof Date);

    const bus = await customer.send(new CreateEventBusCommand({ Name, EventSourceName: Name }));
    assert.equal(bus.EventBusArn, `arn:aws:events:us-east-1:${CUSTOMER}:event-bus/${Name}`);
    assert.equal((await customer.send(new DescribeEventBusCommand({ Name }))).Name, Name);
    seen = await customer.send(new DescribeEventSourceCommand({ Name }));
    assert.equal(seen.State, 'ACTIVE');
    assert.equal(seen.ExpirationTime, undefined);

    const accounts = await partner.send(new ListPartnerEventSourceAccountsCommand({ EventSourceName: Name }));
    assert.deepEqual(accounts.PartnerEventSourceAccounts!.map((a) => [a.Account, a.State]), [[CUSTOMER, 'ACTIVE']]);
    const listed = await customer.send(new ListEventSourcesCommand({ NamePrefix: Name }));
    assert.deepEqual(listed.EventSources!.map((s) => [s.Name, s.State]), [[Name, 'ACTIVE']]);
    const partnerList = await partner.send(new ListPartnerEventSourcesCommand({ NamePrefix: 'aws.partner/saas.example/' }));
    assert.ok(partnerList.PartnerEventSources!.some((s) => s.Name === Name && s.Arn === arnOf(Name)));
  });

  test('PutPartnerEvents reaches the customer partner bus while the source is ACTIVE', async () => {
    const Name = sourceName();
    await partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
    const entry = { Source: Name, DetailType: 'order placed', Detail: '{"n":1}' };
    // No bus yet: accepted, delivered nowhere.
    assert.equal((await partner.send(new PutPartnerEventsCommand({ Entries: [entry] }))).FailedEntryCount, 0);

    await customer.send(new CreateEventBusCommand({ Name, EventSourceName: Name }));
    const queueName = uniqueName('q');
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    await customer.send(new PutRuleCommand({ Name: 'all', EventBusName: Name, EventPattern: JSON.stringify({ source: [Name] }) }));
    await customer.send(new PutTargetsCommand({ Rule: 'all', EventBusName: Name, Targets: [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${CUSTOMER}:${queueName}` }] }));

    const out = await partner.send(
      new PutPartnerEventsCommand({
        Entries: [
          { ...entry, Detail: '{"n":2}' },
          { Source: 'aws.partner/saas.example/not-mine/x', DetailType: 'x', Detail: '{}' },
          { Source: Name, DetailType: 'x', Detail: 'not json' },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 2);
    assert.equal(out.Entries![1]!.ErrorCode, 'NotAuthorizedForSourceException');
    assert.equal(out.Entries![2]!.ErrorCode, 'MalformedDetail');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    assert.equal(Messages!.length, 1);
    const event = JSON.parse(Messages![0]!.Body!);
    assert.deepEqual([event.id, event.source, event['detail-type'], event.account, event.detail], [out.Entries![0]!.EventId, Name, 'order placed', CUSTOMER, { n: 2 }]);

    // Deactivated: PENDING, events dropped; activated again: delivered.
    await customer.send(new DeactivateEventSourceCommand({ Name }));
    assert.equal((await customer.send(new DescribeEventSourceCommand({ Name }))).State, 'PENDING');
    await rejects(customer.send(new DeactivateEventSourceCommand({ Name })), 'InvalidStateException', 400);
    await partner.send(new PutPartnerEventsCommand({ Entries: [{ ...entry, Detail: '{"n":3}' }] }));
    await customer.send(new ActivateEventSourceCommand({ Name }));
    await rejects(customer.send(new ActivateEventSourceCommand({ Name })), 'InvalidStateException', 400);
    await partner.send(new PutPartnerEventsCommand({ Entries: [{ ...entry, Detail: '{"n":4}' }] }));
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    assert.deepEqual(after.Messages!.map((m) => JSON.parse(m.Body!).detail.n), [4]);
  });

  test('deleting: the source goes DELETED for a customer with the bus, and the bus deletion lets it go', async () => {
    const Name = sourceName();
    await partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
    await customer.send(new CreateEventBusCommand({ Name, EventSourceName: Name }));
    await partner.send(new DeletePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
    assert.equal((await customer.send(new DescribeEventSourceCommand({ Name }))).State, 'DELETED');
    await rejects(partner.send(new DescribePartnerEventSourceCommand({ Name })), 'ResourceNotFoundException', 400, `Event source ${Name} does not exist.`);
    await customer.send(new DeleteEventBusCommand({ Name }));
    await rejects(customer.send(new DescribeEventSourceCommand({ Name })), 'ResourceNotFoundException', 400);
    // Deleting what is not there succeeds (AWS declares no not-found error for it).
    await partner.send(new DeletePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
  });

  test('a source left PENDING for two weeks is deleted', async () => {
    const Name = sourceName();
    await partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
    clock.advance(14 * DAY + 1000);
    await rejects(customer.send(new DescribeEventSourceCommand({ Name })), 'ResourceNotFoundException', 400);
    await rejects(customer.send(new CreateEventBusCommand({ Name, EventSourceName: Name })), 'ResourceNotFoundException', 400, `Event source ${Name} does not exist.`);
    // It can be offered again.
    await partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
  });

  test('errors', async () => {
    const Name = sourceName();
    await rejects(partner.send(new CreatePartnerEventSourceCommand({ Name: 'not-partner/x/y', Account: CUSTOMER })), 'ValidationException', 400, /name/);
    await rejects(partner.send(new CreatePartnerEventSourceCommand({ Name, Account: '12' })), 'ValidationException', 400, /account/);
    await partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER }));
    await rejects(partner.send(new CreatePartnerEventSourceCommand({ Name, Account: CUSTOMER })), 'ResourceAlreadyExistsException', 400, `Event source ${Name} already exists.`);
    await rejects(customer.send(new CreateEventBusCommand({ Name })), 'ValidationException', 400);
    await rejects(customer.send(new CreateEventBusCommand({ Name: 'aws.partner/other/x/y', EventSourceName: Name })), 'ValidationException', 400);
    const unknown = sourceName();
    await rejects(customer.send(new CreateEventBusCommand({ Name: unknown, EventSourceName: unknown })), 'ResourceNotFoundException', 400);
    // The source is offered to the customer, not to the partner's own account.
    await rejects(partner.send(new CreateEventBusCommand({ Name, EventSourceName: Name })), 'ResourceNotFoundException', 400);
    await rejects(customer.send(new DescribeEventSourceCommand({ Name: unknown })), 'ResourceNotFoundException', 400);
    await rejects(partner.send(new ListPartnerEventSourceAccountsCommand({ EventSourceName: unknown })), 'ResourceNotFoundException', 400);
    await customer.send(new CreateEventBusCommand({ Name, EventSourceName: Name }));
    await rejects(customer.send(new CreateEventBusCommand({ Name, EventSourceName: Name })), 'ResourceAlreadyExistsException', 400);
  });
});
