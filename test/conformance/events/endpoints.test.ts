import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEndpointCommand,
  CreateEventBusCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  ListEndpointsCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  UpdateEndpointCommand,
  type CreateEndpointCommandInput,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Postbox } from '../../../src/index.js';
import { jsonClient, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { installSigV4aStandIn, signed } from './sigv4a-stand-in.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let eb: EventBridgeClient;
let sqs: SQSClient;
const ACCOUNT = '000000000000';
const HEALTH_CHECK = 'arn:aws:route53:::healthcheck/0e8e6a2b-1b7b-4cdf-8bb1-4e0f3b5b9d21';

before(async () => {
  installSigV4aStandIn();
  postbox = await startTestPostbox();
  eb = eventsClient(postbox.endpoint);
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  eb.destroy();
  sqs.destroy();
  await postbox.stop();
});

const busArn = (region: string, name: string) => `arn:aws:events:${region}:${ACCOUNT}:event-bus/${name}`;
const roleArn = `arn:aws:iam::${ACCOUNT}:role/replication`;

function request(name: string, bus = 'orders'): CreateEndpointCommandInput {
  return {
    Name: name,
    Description: 'orders, two Regions',
    RoutingConfig: { FailoverConfig: { Primary: { HealthCheck: HEALTH_CHECK }, Secondary: { Route: 'us-west-2' } } },
    ReplicationConfig: { State: 'ENABLED' },
    EventBuses: [{ EventBusArn: busArn('us-east-1', bus) }, { EventBusArn: busArn('us-west-2', bus) }],
    RoleArn: roleArn,
  };
}

describe('global endpoints', () => {
  test('create, describe, list, update and delete', async () => {
    const name = uniqueName('ep');
    const created = await eb.send(new CreateEndpointCommand(request(name)));
    assert.equal(created.Name, name);
    assert.equal(created.Arn, `arn:aws:events:us-east-1:${ACCOUNT}:endpoint/${name}`);
    assert.equal(created.State, 'ACTIVE');
    assert.deepEqual(created.RoutingConfig, request(name).RoutingConfig);
    assert.deepEqual(created.ReplicationConfig, { State: 'ENABLED' });
    assert.deepEqual(created.EventBuses, request(name).EventBuses);
    assert.equal(created.RoleArn, roleArn);

    const described = await eb.send(new DescribeEndpointCommand({ Name: name }));
    assert.match(described.EndpointId!, /^[a-z0-9]+\.[a-z0-9]+$/, 'two host labels, as AWS makes them');
    assert.equal(described.EndpointUrl, `https://${described.EndpointId}.endpoint.events.amazonaws.com`);
    assert.equal(described.Description, 'orders, two Regions');
    assert.equal(described.State, 'ACTIVE');
    assert.ok(described.CreationTime instanceof Date && described.LastModifiedTime instanceof Date);
    assert.equal((await eb.send(new DescribeEndpointCommand({ Name: name, HomeRegion: 'us-east-1' }))).Arn, created.Arn);

    const listed = await eb.send(new ListEndpointsCommand({ NamePrefix: name }));
    assert.deepEqual(listed.Endpoints!.map((e) => [e.Name, e.EndpointId]), [[name, described.EndpointId]]);
    assert.equal((await eb.send(new ListEndpointsCommand({ NamePrefix: name, HomeRegion: 'eu-west-1' }))).Endpoints!.length, 0);

    const updated = await eb.send(new UpdateEndpointCommand({ Name: name, Description: 'changed', ReplicationConfig: { State: 'DISABLED' } }));
    assert.equal(updated.EndpointId, described.EndpointId);
    assert.deepEqual(updated.ReplicationConfig, { State: 'DISABLED' });
    assert.deepEqual(updated.EventBuses, request(name).EventBuses, 'members not given stay');
    assert.equal((await eb.send(new DescribeEndpointCommand({ Name: name }))).Description, 'changed');

    await eb.send(new DeleteEndpointCommand({ Name: name }));
    await rejects(eb.send(new DescribeEndpointCommand({ Name: name })), 'ResourceNotFoundException', 400, `Endpoint ${name} does not exist.`);
    await rejects(eb.send(new DeleteEndpointCommand({ Name: name })), 'ResourceNotFoundException', 400);
  });

  test('ListEndpoints pages with MaxResults', async () => {
    const prefix = uniqueName('page');
    for (const n of ['a', 'b', 'c']) await eb.send(new CreateEndpointCommand(request(`${prefix}-${n}`)));
    const first = await eb.send(new ListEndpointsCommand({ NamePrefix: prefix, MaxResults: 2 }));
    assert.deepEqual(first.Endpoints!.map((e) => e.Name), [`${prefix}-a`, `${prefix}-b`]);
    const rest = await eb.send(new ListEndpointsCommand({ NamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(rest.Endpoints!.map((e) => e.Name), [`${prefix}-c`]);
    assert.equal(rest.NextToken, undefined);
  });

  test('validation, as AWS checks it', async () => {
    const name = uniqueName('ep');
    const base = request(name);
    await rejects(eb.send(new CreateEndpointCommand({ ...base, RoleArn: undefined })), 'ValidationException', 400, /RoleArn/);
    await eb.send(new CreateEndpointCommand({ ...base, Name: uniqueName('norole'), RoleArn: undefined, ReplicationConfig: { State: 'DISABLED' } }));
    await rejects(
      eb.send(new CreateEndpointCommand({ ...base, RoutingConfig: { FailoverConfig: { Primary: { HealthCheck: 'not-a-health-check' }, Secondary: { Route: 'us-west-2' } } } })),
      'ValidationException',
      400,
      /healthCheck/,
    );
    await rejects(
      eb.send(new CreateEndpointCommand({ ...base, EventBuses: [{ EventBusArn: busArn('us-east-1', 'a') }, { EventBusArn: busArn('us-west-2', 'b') }] })),
      'ValidationException',
      400,
      /identical/,
    );
    await rejects(
      eb.send(new CreateEndpointCommand({ ...base, EventBuses: [{ EventBusArn: busArn('us-east-1', 'a') }, { EventBusArn: busArn('us-east-1', 'a') }] })),
      'ValidationException',
      400,
      /different Regions/,
    );
    await rejects(eb.send(new CreateEndpointCommand({ ...base, EventBuses: [{ EventBusArn: busArn('us-east-1', 'a') }] })), 'ValidationException', 400, /eventBuses/);
    await rejects(eb.send(new CreateEndpointCommand({ ...base, RoleArn: 'arn:aws:iam::1:user/x' })), 'ValidationException', 400, /roleArn/);
    await rejects(eb.send(new CreateEndpointCommand({ ...base, Name: 'has space' })), 'ValidationException', 400, /name/);
    await eb.send(new CreateEndpointCommand(base));
    await rejects(eb.send(new CreateEndpointCommand(base)), 'ResourceAlreadyExistsException', 400, `Endpoint ${name} already exists.`);
  });

  test('PutEvents through an EndpointId reaches the primary bus', async () => {
    const bus = uniqueName('bus');
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const queueName = uniqueName('q');
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    await eb.send(new PutRuleCommand({ Name: 'all', EventBusName: bus, EventPattern: '{"source":["shop"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'all', EventBusName: bus, Targets: [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${queueName}` }] }));
    const name = uniqueName('ep');
    await eb.send(new CreateEndpointCommand(request(name, bus)));
    const { EndpointId } = await eb.send(new DescribeEndpointCommand({ Name: name }));

    // The SDK sends these to https://{EndpointId}.endpoint.events.amazonaws.com, or to the client's own endpoint.
    const out = await eb.send(
      new PutEventsCommand({
        EndpointId,
        Entries: [
          { EventBusName: bus, Source: 'shop', DetailType: 'order', Detail: '{"n":1}' },
          { EventBusName: busArn('us-west-2', bus), Source: 'shop', DetailType: 'order', Detail: '{"n":2}' },
          { Source: 'shop', DetailType: 'order', Detail: '{"n":3}' },
          { EventBusName: 'someone-else', Source: 'shop', DetailType: 'order', Detail: '{"n":4}' },
        ],
      }),
    );
    assert.match(signed.at(-1)?.authorization ?? '', /^AWS4-ECDSA-P256-SHA256 Credential=test\/\d{8}\/events\/aws4_request/, 'signed as for a global endpoint');
    assert.equal(out.FailedEntryCount, 1);
    assert.equal(out.Entries![3]!.ErrorCode, 'InvalidArgument');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const events = Messages!.map((m) => JSON.parse(m.Body!));
    assert.deepEqual(events.map((e) => e.detail.n).sort(), [1, 2, 3]);
    for (const e of events) assert.equal(e.region, 'us-east-1');

    await rejects(
      eb.send(new PutEventsCommand({ EndpointId: 'nope.abc', Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{}' }] })),
      'ResourceNotFoundException',
      400,
    );
  });

  test('with replication ENABLED an event also reaches the secondary Region\'s bus, under its own id', async () => {
    const bus = uniqueName('bus');
    const west = eventsClient(postbox.endpoint, 'us-west-2');
    const westSqs = jsonClient(postbox.endpoint, 'us-west-2');
    try {
      // The same bus in both Regions, each with a rule into a queue of its own Region.
      const queues: Record<string, string> = {};
      for (const [region, events, queueClient] of [['us-east-1', eb, sqs], ['us-west-2', west, westSqs]] as const) {
        await events.send(new CreateEventBusCommand({ Name: bus }));
        const queueName = uniqueName('q');
        queues[region] = (await queueClient.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
        await events.send(new PutRuleCommand({ Name: 'all', EventBusName: bus, EventPattern: '{"source":["shop"]}' }));
        await events.send(
          new PutTargetsCommand({ Rule: 'all', EventBusName: bus, Targets: [{ Id: 't', Arn: `arn:aws:sqs:${region}:${ACCOUNT}:${queueName}` }] }),
        );
      }
      const receiveAll = async (client: SQSClient, queueUrl: string) =>
        ((await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? []).map(
          (m) => JSON.parse(m.Body!),
        );

      const name = uniqueName('ep');
      await eb.send(new CreateEndpointCommand(request(name, bus)));
      const { EndpointId } = await eb.send(new DescribeEndpointCommand({ Name: name }));
      const out = await eb.send(new PutEventsCommand({ EndpointId, Entries: [{ EventBusName: bus, Source: 'shop', DetailType: 'order', Detail: '{"n":1}' }] }));
      assert.equal(out.FailedEntryCount, 0);
      const [primary] = await receiveAll(sqs, queues['us-east-1']!);
      const [replica] = await receiveAll(westSqs, queues['us-west-2']!);
      assert.equal(primary.id, out.Entries![0]!.EventId);
      assert.equal(primary.region, 'us-east-1');
      assert.equal(replica.region, 'us-west-2');
      assert.notEqual(replica.id, primary.id);
      assert.deepEqual([replica.source, replica['detail-type'], replica.detail, replica.time], [primary.source, primary['detail-type'], primary.detail, primary.time]);

      await eb.send(new UpdateEndpointCommand({ Name: name, ReplicationConfig: { State: 'DISABLED' } }));
      await eb.send(new PutEventsCommand({ EndpointId, Entries: [{ EventBusName: bus, Source: 'shop', DetailType: 'order', Detail: '{"n":2}' }] }));
      assert.deepEqual((await receiveAll(sqs, queues['us-east-1']!)).map((e) => e.detail.n), [2]);
      assert.deepEqual(await receiveAll(westSqs, queues['us-west-2']!), [], 'no replica once replication is off');
    } finally {
      west.destroy();
      westSqs.destroy();
    }
  });

  test('the access key of a SigV4a request still selects the account', async () => {
    const other = '222233334444';
    const client = eventsClient(postbox.endpoint, 'us-east-1', other);
    try {
      const bus = uniqueName('bus');
      await client.send(new CreateEventBusCommand({ Name: bus }));
      const queueName = uniqueName('q');
      const queueClient = jsonClient(postbox.endpoint, 'us-east-1', other);
      const queueUrl = (await queueClient.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
      await client.send(new PutRuleCommand({ Name: 'all', EventBusName: bus, EventPattern: '{"source":["shop"]}' }));
      await client.send(new PutTargetsCommand({ Rule: 'all', EventBusName: bus, Targets: [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${other}:${queueName}` }] }));
      const name = uniqueName('ep');
      await client.send(
        new CreateEndpointCommand({
          ...request(name, bus),
          EventBuses: [{ EventBusArn: `arn:aws:events:us-east-1:${other}:event-bus/${bus}` }, { EventBusArn: `arn:aws:events:us-west-2:${other}:event-bus/${bus}` }],
          RoleArn: `arn:aws:iam::${other}:role/replication`,
        }),
      );
      const { EndpointId } = await client.send(new DescribeEndpointCommand({ Name: name }));
      // The default account does not see the other account's endpoint.
      await rejects(eb.send(new PutEventsCommand({ EndpointId, Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{}' }] })), 'ResourceNotFoundException', 400);
      const out = await client.send(new PutEventsCommand({ EndpointId, Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{"n":1}' }] }));
      assert.equal(out.FailedEntryCount, 0);
      assert.match(signed.at(-1)!.authorization, new RegExp(`Credential=${other}/`));
      const { Messages } = await queueClient.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
      assert.equal(JSON.parse(Messages![0]!.Body!).account, other);
      queueClient.destroy();
    } finally {
      client.destroy();
    }
  });
});
