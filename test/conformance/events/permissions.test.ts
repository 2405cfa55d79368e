import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  ListEventBusesCommand,
  PutPermissionCommand,
  RemovePermissionCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox, uniqueName } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let eb: EventBridgeClient;
const ACCOUNT = '000000000000';
const busArnOf = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;

before(async () => {
  postbox = await startTestPostbox();
  eb = eventsClient(postbox.endpoint);
});
after(async () => {
  eb.destroy();
  await postbox.stop();
});

async function newBus(): Promise<string> {
  const Name = uniqueName('bus');
  await eb.send(new CreateEventBusCommand({ Name }));
  return Name;
}
const policyOf = async (Name: string) => {
  const { Policy } = await eb.send(new DescribeEventBusCommand({ Name }));
  return Policy === undefined ? undefined : JSON.parse(Policy);
};

describe('bus permissions', () => {
  test('PutPermission adds statements that DescribeEventBus returns as the policy', async () => {
    const bus = await newBus();
    assert.equal(await policyOf(bus), undefined);
    await eb.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'acct' }));
    await eb.send(
      new PutPermissionCommand({
        EventBusName: bus,
        Action: 'events:PutEvents',
        Principal: '*',
        StatementId: 'org',
        Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-abc' },
      }),
    );
    assert.deepEqual(await policyOf(bus), {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'acct', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'events:PutEvents', Resource: busArnOf(bus) },
        { Sid: 'org', Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Resource: busArnOf(bus), Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } },
      ],
    });
    // The same StatementId replaces its statement.
    await eb.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '444455556666', StatementId: 'acct' }));
    const policy = await policyOf(bus);
    assert.equal(policy.Statement.length, 2);
    assert.deepEqual(policy.Statement.find((s: any) => s.Sid === 'acct').Principal, { AWS: 'arn:aws:iam::444455556666:root' });
    const listed = await eb.send(new ListEventBusesCommand({ NamePrefix: bus }));
    assert.deepEqual(JSON.parse(listed.EventBuses![0]!.Policy!), policy);
  });

  test('the default bus takes permissions when EventBusName is left out', async () => {
    await eb.send(new PutPermissionCommand({ Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'dflt' }));
    assert.equal((await policyOf('default')).Statement[0].Sid, 'dflt');
    await eb.send(new RemovePermissionCommand({ StatementId: 'dflt' }));
    assert.equal(await policyOf('default'), undefined);
  });

  test('the Policy form replaces the whole policy', async () => {
    const bus = await newBus();
    await eb.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'old' }));
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'all-rules', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['events:PutRule', 'events:PutEvents'], Resource: busArnOf(bus) }],
    };
    await eb.send(new PutPermissionCommand({ EventBusName: bus, Policy: JSON.stringify(doc) }));
    assert.deepEqual(await policyOf(bus), doc);
    await eb.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'all-rules' }));
    assert.equal(await policyOf(bus), undefined);
  });

  test('RemovePermission: one statement, or all of them', async () => {
    const bus = await newBus();
    await rejects(eb.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'x' })), 'ResourceNotFoundException', 400, 'EventBus does not have a policy.');
    for (const sid of ['a', 'b', 'c']) {
      await eb.send(new PutPermissionCommand({ EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: sid }));
    }
    await rejects(
      eb.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'x' })),
      'ResourceNotFoundException',
      400,
      'Statement with the provided id does not exist.',
    );
    await eb.send(new RemovePermissionCommand({ EventBusName: bus, StatementId: 'b' }));
    assert.deepEqual((await policyOf(bus)).Statement.map((s: any) => s.Sid), ['a', 'c']);
    await eb.send(new RemovePermissionCommand({ EventBusName: bus, RemoveAllPermissions: true }));
    assert.equal(await policyOf(bus), undefined);
    await eb.send(new RemovePermissionCommand({ EventBusName: bus, RemoveAllPermissions: true }));
  });

  test('errors', async () => {
    const bus = await newBus();
    const base = { EventBusName: bus, Action: 'events:PutEvents', Principal: '111122223333', StatementId: 's' };
    await rejects(eb.send(new PutPermissionCommand({ ...base, EventBusName: 'missing' })), 'ResourceNotFoundException', 400, 'Event bus missing does not exist.');
    await rejects(eb.send(new PutPermissionCommand({ ...base, Action: 'events:PutRule' })), 'ValidationException', 400, "Provided value in parameter 'action' is not supported.");
    await rejects(eb.send(new PutPermissionCommand({ ...base, Principal: 'someone' })), 'ValidationException', 400, /Principal/);
    await rejects(eb.send(new PutPermissionCommand({ ...base, StatementId: 'has space' })), 'ValidationException', 400, /StatementId/);
    await rejects(
      eb.send(new PutPermissionCommand({ ...base, Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-1' } })),
      'ValidationException',
      400,
      /Condition/,
    );
    await rejects(eb.send(new PutPermissionCommand({ EventBusName: bus, Policy: 'not json' })), 'ValidationException', 400, /Policy/);
    const huge = { Version: '2012-10-17', Statement: Array.from({ length: 200 }, (_, i) => ({ Sid: `s${i}`, Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Resource: busArnOf(bus) })) };
    await rejects(eb.send(new PutPermissionCommand({ EventBusName: bus, Policy: JSON.stringify(huge) })), 'PolicyLengthExceededException', 400);
    assert.equal(await policyOf(bus), undefined, 'a refused policy changes nothing');
  });
});
