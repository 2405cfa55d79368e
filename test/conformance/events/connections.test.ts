/**
 * Connections and API destinations: create, describe, update, list, deauthorize, delete — secrets never returned —
 * and the errors AWS answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeauthorizeConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let eb: EventBridgeClient;

before(async () => {
  postbox = await startTestPostbox();
  eb = eventsClient(postbox.endpoint);
});
after(async () => {
  eb.destroy();
  await postbox.stop();
});

describe('connections', () => {
  test('create, describe without secrets, update, deauthorize, list, delete', async () => {
    const created = await eb.send(
      new CreateConnectionCommand({
        Name: 'shop-api',
        Description: 'the shop',
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'top-secret' },
          InvocationHttpParameters: {
            HeaderParameters: [
              { Key: 'x-plain', Value: 'shown' },
              { Key: 'x-hidden', Value: 'not-shown', IsValueSecret: true },
            ],
          },
        },
      }),
    );
    assert.match(created.ConnectionArn!, /^arn:aws:events:us-east-1:000000000000:connection\/shop-api\/[0-9a-f-]{36}$/);
    assert.equal(created.ConnectionState, 'AUTHORIZED');
    assert.ok(created.CreationTime instanceof Date);

    const described = await eb.send(new DescribeConnectionCommand({ Name: 'shop-api' }));
    assert.equal(described.ConnectionArn, created.ConnectionArn);
    assert.equal(described.Description, 'the shop');
    assert.equal(described.AuthorizationType, 'API_KEY');
    assert.match(described.SecretArn!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection\/shop-api\//);
    assert.deepEqual(described.AuthParameters?.ApiKeyAuthParameters, { ApiKeyName: 'x-api-key' });
    assert.deepEqual(described.AuthParameters?.InvocationHttpParameters?.HeaderParameters, [
      { Key: 'x-plain', Value: 'shown' },
      { Key: 'x-hidden', IsValueSecret: true },
    ]);
    assert.ok(!JSON.stringify(described).includes('top-secret'));
    assert.ok(!JSON.stringify(described).includes('not-shown'));

    await eb.send(
      new CreateConnectionCommand({
        Name: 'partner-basic',
        AuthorizationType: 'BASIC',
        AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p4ss' } },
      }),
    );
    const basic = await eb.send(new DescribeConnectionCommand({ Name: 'partner-basic' }));
    assert.deepEqual(basic.AuthParameters?.BasicAuthParameters, { Username: 'u' });

    const deauthorized = await eb.send(new DeauthorizeConnectionCommand({ Name: 'partner-basic' }));
    assert.equal(deauthorized.ConnectionState, 'DEAUTHORIZING');
    assert.equal((await eb.send(new DescribeConnectionCommand({ Name: 'partner-basic' }))).ConnectionState, 'DEAUTHORIZED');
    const onlyDeauthorized = await eb.send(new ListConnectionsCommand({ ConnectionState: 'DEAUTHORIZED' }));
    assert.deepEqual(onlyDeauthorized.Connections?.map((c) => c.Name), ['partner-basic']);

    // Updating authorizes again; members left out stay as they were.
    const updated = await eb.send(new UpdateConnectionCommand({ Name: 'partner-basic', AuthParameters: { BasicAuthParameters: { Password: 'new' } } }));
    assert.equal(updated.ConnectionState, 'AUTHORIZED');
    assert.deepEqual((await eb.send(new DescribeConnectionCommand({ Name: 'partner-basic' }))).AuthParameters?.BasicAuthParameters, { Username: 'u' });

    const all = await eb.send(new ListConnectionsCommand({}));
    assert.deepEqual(all.Connections?.map((c) => [c.Name, c.AuthorizationType, c.ConnectionState]), [
      ['partner-basic', 'BASIC', 'AUTHORIZED'],
      ['shop-api', 'API_KEY', 'AUTHORIZED'],
    ]);
    const paged = await eb.send(new ListConnectionsCommand({ Limit: 1 }));
    assert.equal(paged.Connections?.length, 1);
    const rest = await eb.send(new ListConnectionsCommand({ Limit: 1, NextToken: paged.NextToken }));
    assert.deepEqual(rest.Connections?.map((c) => c.Name), ['shop-api']);
    assert.equal(rest.NextToken, undefined);
    assert.deepEqual((await eb.send(new ListConnectionsCommand({ NamePrefix: 'shop' }))).Connections?.map((c) => c.Name), ['shop-api']);

    const deleted = await eb.send(new DeleteConnectionCommand({ Name: 'partner-basic' }));
    assert.equal(deleted.ConnectionState, 'DELETING');
    await rejects(eb.send(new DescribeConnectionCommand({ Name: 'partner-basic' })), 'ResourceNotFoundException', 400, "Connection 'partner-basic' does not exist.");
  });

  test('errors: duplicate names, missing or wrong auth parameters, unknown names', async () => {
    const params = { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } };
    await eb.send(new CreateConnectionCommand({ Name: 'dup', AuthorizationType: 'API_KEY', AuthParameters: params }));
    await rejects(eb.send(new CreateConnectionCommand({ Name: 'dup', AuthorizationType: 'API_KEY', AuthParameters: params })), 'ResourceAlreadyExistsException', 400);
    await rejects(eb.send(new CreateConnectionCommand({ Name: 'x', AuthorizationType: 'BASIC', AuthParameters: params })), 'ValidationException', 400, /BasicAuthParameters/);
    await rejects(eb.send(new CreateConnectionCommand({ Name: 'x', AuthorizationType: 'DIGEST' as never, AuthParameters: params })), 'ValidationException', 400, /enum value set/);
    await rejects(eb.send(new CreateConnectionCommand({ Name: 'bad name', AuthorizationType: 'API_KEY', AuthParameters: params })), 'ValidationException', 400, /regular expression/);
    await rejects(
      eb.send(
        new CreateConnectionCommand({
          Name: 'oauth',
          AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
          AuthParameters: { OAuthParameters: { ClientParameters: { ClientID: 'c', ClientSecret: 's' }, AuthorizationEndpoint: 'not a url', HttpMethod: 'POST' } },
        }),
      ),
      'ValidationException',
      400,
    );
    for (const send of [
      () => eb.send(new DescribeConnectionCommand({ Name: 'nope' })),
      () => eb.send(new UpdateConnectionCommand({ Name: 'nope' })),
      () => eb.send(new DeleteConnectionCommand({ Name: 'nope' })),
      () => eb.send(new DeauthorizeConnectionCommand({ Name: 'nope' })),
    ]) {
      await rejects(send(), 'ResourceNotFoundException', 400, "Connection 'nope' does not exist.");
    }
    await eb.send(new DeleteConnectionCommand({ Name: 'dup' }));
  });
});

describe('API destinations', () => {
  test('create, describe, update, list by connection, delete; errors', async () => {
    const { ConnectionArn } = await eb.send(
      new CreateConnectionCommand({ Name: 'dest-conn', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } } }),
    );
    const created = await eb.send(
      new CreateApiDestinationCommand({ Name: 'orders', ConnectionArn, InvocationEndpoint: 'https://example.com/orders/*', HttpMethod: 'POST', InvocationRateLimitPerSecond: 10 }),
    );
    assert.match(created.ApiDestinationArn!, /^arn:aws:events:us-east-1:000000000000:api-destination\/orders\/[0-9a-f-]{36}$/);
    assert.equal(created.ApiDestinationState, 'ACTIVE');
    const described = await eb.send(new DescribeApiDestinationCommand({ Name: 'orders' }));
    assert.equal(described.ConnectionArn, ConnectionArn);
    assert.equal(described.InvocationEndpoint, 'https://example.com/orders/*');
    assert.equal(described.HttpMethod, 'POST');
    assert.equal(described.InvocationRateLimitPerSecond, 10);

    await eb.send(new UpdateApiDestinationCommand({ Name: 'orders', HttpMethod: 'PUT', Description: 'now PUT' }));
    const updated = await eb.send(new DescribeApiDestinationCommand({ Name: 'orders' }));
    assert.equal(updated.HttpMethod, 'PUT');
    assert.equal(updated.Description, 'now PUT');
    assert.equal(updated.InvocationEndpoint, 'https://example.com/orders/*');

    const { ConnectionArn: other } = await eb.send(
      new CreateConnectionCommand({ Name: 'other-conn', AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } } }),
    );
    await eb.send(new CreateApiDestinationCommand({ Name: 'billing', ConnectionArn: other, InvocationEndpoint: 'https://example.com/bill', HttpMethod: 'GET' }));
    assert.deepEqual((await eb.send(new ListApiDestinationsCommand({}))).ApiDestinations?.map((d) => d.Name), ['billing', 'orders']);
    assert.deepEqual((await eb.send(new ListApiDestinationsCommand({ ConnectionArn }))).ApiDestinations?.map((d) => d.Name), ['orders']);
    assert.deepEqual((await eb.send(new ListApiDestinationsCommand({ NamePrefix: 'bil' }))).ApiDestinations?.map((d) => d.HttpMethod), ['GET']);

    await rejects(
      eb.send(new CreateApiDestinationCommand({ Name: 'orders', ConnectionArn, InvocationEndpoint: 'https://example.com', HttpMethod: 'POST' })),
      'ResourceAlreadyExistsException',
      400,
    );
    await rejects(
      eb.send(new CreateApiDestinationCommand({ Name: 'x', ConnectionArn: ConnectionArn!.replace(/[0-9a-f]{8}-/, '00000000-'), InvocationEndpoint: 'https://example.com', HttpMethod: 'POST' })),
      'ResourceNotFoundException',
      400,
    );
    await rejects(
      eb.send(new CreateApiDestinationCommand({ Name: 'x', ConnectionArn, InvocationEndpoint: 'https://example.com', HttpMethod: 'TRACE' as never })),
      'ValidationException',
      400,
      /enum value set/,
    );
    await rejects(
      eb.send(new CreateApiDestinationCommand({ Name: 'x', ConnectionArn, InvocationEndpoint: 'ftp://example.com', HttpMethod: 'POST' })),
      'ValidationException',
      400,
    );
    await rejects(eb.send(new CreateApiDestinationCommand({ Name: 'x', ConnectionArn: 'arn:nope', InvocationEndpoint: 'https://e.com', HttpMethod: 'POST' })), 'ValidationException', 400);

    await eb.send(new DeleteApiDestinationCommand({ Name: 'orders' }));
    for (const send of [
      () => eb.send(new DescribeApiDestinationCommand({ Name: 'orders' })),
      () => eb.send(new UpdateApiDestinationCommand({ Name: 'orders' })),
      () => eb.send(new DeleteApiDestinationCommand({ Name: 'orders' })),
    ]) {
      await rejects(send(), 'ResourceNotFoundException', 400, "An api-destination 'orders' does not exist.");
    }
  });
});
