import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  DeletePlatformApplicationCommand,
  GetEndpointAttributesCommand,
  GetPlatformApplicationAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  ListPlatformApplicationsCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  SetPlatformApplicationAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { Postbox } from '../../../src/index.js';
import { onPostgres, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { deliveries } from './recorded-deliveries.js';
import { rejects, snsClient } from './support.js';

/** Restarts on one SQLite data directory; PostgreSQL restarts and node failures: test/cluster/sns-nodes.test.ts. */
const sqliteRestart = onPostgres() && 'restarts a SQLite data directory (PostgreSQL: test/cluster/sns-nodes.test.ts)';

let postbox: Postbox;
let sns: SNSClient;
const ACCOUNT = '000000000000';
const APPLE_TOKEN = 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90';

before(async () => {
  postbox = await startTestPostbox();
  sns = snsClient(postbox.endpoint);
});
after(async () => {
  sns.destroy();
  await postbox.stop();
});

const gcmApp = async (name = uniqueName('app')) =>
  (await sns.send(new CreatePlatformApplicationCommand({ Name: name, Platform: 'GCM', Attributes: { PlatformCredential: 'server-key' } })))
    .PlatformApplicationArn!;
const endpointOf = async (PlatformApplicationArn: string, Token = uniqueName('token'), extra: { CustomUserData?: string; Attributes?: Record<string, string> } = {}) =>
  (await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token, ...extra }))).EndpointArn!;

describe('platform applications', () => {
  test('CreatePlatformApplication answers app/<PLATFORM>/<name>; Get shows Enabled and settings, never the credentials', async () => {
    const name = uniqueName('app');
    const arn = await gcmApp(name);
    assert.equal(arn, `arn:aws:sns:us-east-1:${ACCOUNT}:app/GCM/${name}`);
    const attrs = (await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn }))).Attributes!;
    assert.deepEqual(attrs, { Enabled: 'true', AuthenticationMethod: 'Key' });

    const apns = (
      await sns.send(
        new CreatePlatformApplicationCommand({
          Name: name,
          Platform: 'APNS',
          Attributes: { PlatformPrincipal: '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----', PlatformCredential: 'key', SuccessFeedbackSampleRate: '50' },
        }),
      )
    ).PlatformApplicationArn!;
    assert.equal(apns, `arn:aws:sns:us-east-1:${ACCOUNT}:app/APNS/${name}`);
    assert.deepEqual((await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: apns }))).Attributes, {
      Enabled: 'true',
      SuccessFeedbackSampleRate: '50',
      AuthenticationMethod: 'Certificate',
    });
  });

  test('every platform with its credentials; the ones it lacks are refused as AWS refuses them', async () => {
    for (const Platform of ['ADM', 'APNS_SANDBOX', 'BAIDU', 'MPNS', 'WNS']) {
      const arn = (
        await sns.send(
          new CreatePlatformApplicationCommand({
            Name: uniqueName('p'),
            Platform,
            // An APNS principal that is a certificate means certificate authentication (no team or bundle id needed).
            Attributes: { PlatformPrincipal: Platform === 'APNS_SANDBOX' ? '-----BEGIN CERTIFICATE-----' : 'principal', PlatformCredential: 'secret' },
          }),
        )
      ).PlatformApplicationArn!;
      assert.match(arn, new RegExp(`:app/${Platform}/`));
    }
    const create = (Platform: string, Attributes: Record<string, string> | undefined, Name = 'ok-name') =>
      sns.send(new CreatePlatformApplicationCommand({ Name, Platform, Attributes: Attributes as Record<string, string> }));
    await rejects(create('ADM', { PlatformPrincipal: 'id' }), 'InvalidParameterException', 400, 'Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential');
    await rejects(create('WNS', { PlatformCredential: 's' }), 'InvalidParameterException', 400, 'Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal');
    await rejects(
      create('APNS', { SuccessFeedbackSampleRate: '10' }),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: PlatformPrincipal and PlatformCredential attributes required',
    );
    // An empty map is not sent at all over the Query protocol: the required member is missing.
    await rejects(create('APNS', {}), 'ValidationError', 400, /Value null at 'attributes'/);
    await rejects(create('GCM', { PlatformPrincipal: 'x' }), 'InvalidParameterException', 400, 'Invalid parameter: Attributes Reason: PlatformCredential attribute required');
    // APNS token authentication (a signing key ID, not a certificate) also needs the team and bundle ids.
    await rejects(
      create('APNS', { PlatformPrincipal: 'ABC123DEFG', PlatformCredential: 'signing-key' }),
      'InvalidParameterException',
      400,
      /ApplePlatformTeamID attribute required/,
    );
    const token = (
      await create('APNS', { PlatformPrincipal: 'ABC123DEFG', PlatformCredential: 'k', ApplePlatformTeamID: 'TEAM', ApplePlatformBundleID: 'com.example' }, uniqueName('p'))
    ).PlatformApplicationArn!;
    assert.equal((await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: token }))).Attributes!['AuthenticationMethod'], 'Token');

    await rejects(create('FCM', { PlatformCredential: 'k' }), 'InvalidParameterException', 400, 'Invalid parameter: Platform Reason: FCM is not supported');
    await rejects(create('GCM', { PlatformCredential: 'k' }, 'bad name'), 'InvalidParameterException', 400, /^Invalid parameter: bad name Reason: must contain only characters/);
    await rejects(create('GCM', { PlatformCredential: 'k' }, ''), 'InvalidParameterException', 400, 'Invalid parameter:  Reason: cannot be empty');
    await rejects(create('GCM', { PlatformCredential: 'k' }, 'x'.repeat(257)), 'InvalidParameterException', 400, /Reason: must be at most 256 characters long$/);
    await rejects(create('GCM', undefined), 'ValidationError', 400, /Value null at 'attributes'/);
    await rejects(create('GCM', { PlatformCredential: 'k', Bogus: '1' }), 'InvalidParameterException', 400, 'Invalid parameter: Attributes Reason: Invalid attribute name: Bogus');
    await rejects(create('GCM', { PlatformCredential: 'k', EventEndpointCreated: 'not-an-arn' }), 'InvalidParameterException', 400, /EventEndpointCreated: must be a topic ARN/);
    await rejects(create('GCM', { PlatformCredential: 'k', SuccessFeedbackSampleRate: '101' }), 'InvalidParameterException', 400, /SuccessFeedbackSampleRate/);
  });

  test('SetPlatformApplicationAttributes merges, checks, and an empty value clears an optional attribute', async () => {
    const arn = await gcmApp();
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:events`;
    await sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn, Attributes: { EventEndpointCreated: topic, PlatformCredential: 'new-key' } }));
    let attrs = (await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn }))).Attributes!;
    assert.equal(attrs['EventEndpointCreated'], topic);
    assert.equal(attrs['PlatformCredential'], undefined);
    await sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn, Attributes: { EventEndpointCreated: '' } }));
    attrs = (await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn }))).Attributes!;
    assert.equal(attrs['EventEndpointCreated'], undefined);
    await rejects(
      sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn, Attributes: { Nope: 'x' } })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: Invalid attribute name: Nope',
    );
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:app/GCM/${uniqueName('none')}`;
    await rejects(sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: missing, Attributes: { Enabled: 'true' } })), 'NotFoundException', 404, 'PlatformApplication does not exist');
    await rejects(sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: missing })), 'NotFoundException', 404, 'PlatformApplication does not exist');
    await rejects(
      sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: `arn:aws:sns:us-east-1:${ACCOUNT}:app/GCM` })),
      'InvalidParameterException',
      400,
      'Invalid parameter: PlatformApplicationArn Reason: Wrong number of slashes in relative portion of the ARN.',
    );
    await rejects(
      sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: 'nonsense' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: PlatformApplicationArn Reason: An ARN must have at least 6 elements, not 1',
    );
  });

  test('ListPlatformApplications pages by 100 with NextToken; other regions see none of them', async () => {
    const other = await startTestPostbox();
    const client = snsClient(other.endpoint);
    try {
      const created: string[] = [];
      for (let i = 0; i < 105; i++) {
        created.push(
          (await client.send(new CreatePlatformApplicationCommand({ Name: `app-${String(i).padStart(3, '0')}`, Platform: 'GCM', Attributes: { PlatformCredential: 'k' } })))
            .PlatformApplicationArn!,
        );
      }
      const first = await client.send(new ListPlatformApplicationsCommand({}));
      assert.equal(first.PlatformApplications!.length, 100);
      assert.ok(first.NextToken);
      assert.deepEqual(first.PlatformApplications![0]!.Attributes, { Enabled: 'true', AuthenticationMethod: 'Key' });
      const second = await client.send(new ListPlatformApplicationsCommand({ NextToken: first.NextToken }));
      assert.equal(second.PlatformApplications!.length, 5);
      assert.equal(second.NextToken, undefined);
      assert.deepEqual([...first.PlatformApplications!, ...second.PlatformApplications!].map((a) => a.PlatformApplicationArn), created.sort());
      const west = snsClient(other.endpoint, 'us-west-2');
      assert.deepEqual((await west.send(new ListPlatformApplicationsCommand({}))).PlatformApplications ?? [], []);
      west.destroy();
      await rejects(client.send(new ListPlatformApplicationsCommand({ NextToken: '!!' })), 'InvalidParameterException', 400, 'Invalid parameter: NextToken');
    } finally {
      client.destroy();
      await other.stop();
    }
  });

  test('DeletePlatformApplication is idempotent and removes its endpoints', async () => {
    const app = await gcmApp();
    const endpoint = await endpointOf(app);
    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: app }));
    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: app }));
    await rejects(sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpoint })), 'NotFoundException', 404, 'Endpoint does not exist');
    await rejects(sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: app })), 'NotFoundException', 404, 'PlatformApplication does not exist');
  });
});

describe('platform endpoints', () => {
  test('CreatePlatformEndpoint answers endpoint/<PLATFORM>/<app>/<uuid>; Get shows Enabled, Token, CustomUserData', async () => {
    const name = uniqueName('app');
    const app = await gcmApp(name);
    const arn = await endpointOf(app, 'device-1', { CustomUserData: 'user 42' });
    assert.match(arn, new RegExp(`^arn:aws:sns:us-east-1:${ACCOUNT}:endpoint/GCM/${name}/[0-9a-f-]{36}$`));
    assert.deepEqual((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: arn }))).Attributes, {
      CustomUserData: 'user 42',
      Enabled: 'true',
      Token: 'device-1',
    });
  });

  test('the same token and attributes answer the same endpoint; other attributes are refused with its ARN', async () => {
    const app = await gcmApp();
    const arn = await endpointOf(app, 'device-x', { CustomUserData: 'a' });
    assert.equal(await endpointOf(app, 'device-x', { CustomUserData: 'a' }), arn);
    // The attribute wins over the parameter, as AWS documents.
    assert.equal(await endpointOf(app, 'device-x', { CustomUserData: 'zzz', Attributes: { CustomUserData: 'a' } }), arn);
    await rejects(
      endpointOf(app, 'device-x', { CustomUserData: 'b' }),
      'InvalidParameterException',
      400,
      `Invalid parameter: Token Reason: Endpoint ${arn} already exists with the same Token, but different attributes.`,
    );
    await sns.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Enabled: 'false' } }));
    await rejects(endpointOf(app, 'device-x', { CustomUserData: 'a' }), 'InvalidParameterException', 400, /already exists with the same Token/);
    // Another application may hold the same token.
    assert.notEqual(await endpointOf(await gcmApp(), 'device-x'), arn);
  });

  test('APNS tokens must be hexadecimal and are kept in lowercase; Baidu endpoints need ChannelId and UserId', async () => {
    const apns = (
      await sns.send(new CreatePlatformApplicationCommand({ Name: uniqueName('ios'), Platform: 'APNS_SANDBOX', Attributes: { PlatformPrincipal: '-----BEGIN CERTIFICATE-----', PlatformCredential: 'k' } }))
    ).PlatformApplicationArn!;
    const arn = await endpointOf(apns, APPLE_TOKEN);
    assert.equal((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: arn }))).Attributes!['Token'], APPLE_TOKEN.toLowerCase());
    assert.equal(await endpointOf(apns, APPLE_TOKEN.toLowerCase()), arn);
    await rejects(endpointOf(apns, 'not hex'), 'InvalidParameterException', 400, 'Invalid parameter: Token Reason: iOS device tokens must be no more than 400 hexadecimal characters');

    const baidu = (
      await sns.send(new CreatePlatformApplicationCommand({ Name: uniqueName('bd'), Platform: 'BAIDU', Attributes: { PlatformPrincipal: 'api', PlatformCredential: 'secret' } }))
    ).PlatformApplicationArn!;
    await rejects(endpointOf(baidu, 'chan-1'), 'InvalidParameterException', 400, /ChannelId attribute required/);
    const b = await endpointOf(baidu, 'chan-1', { Attributes: { ChannelId: 'chan-1', UserId: 'u1' } });
    assert.deepEqual((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: b }))).Attributes, { ChannelId: 'chan-1', UserId: 'u1', Enabled: 'true', Token: 'chan-1' });
  });

  test('endpoint attributes are validated; unknown applications and endpoints are NotFound', async () => {
    const app = await gcmApp();
    const arn = await endpointOf(app);
    await rejects(endpointOf(app, uniqueName('t'), { Attributes: { Colour: 'red' } }), 'InvalidParameterException', 400, 'Invalid parameter: Attributes Reason: Invalid attribute name: Colour');
    await rejects(
      endpointOf(app, uniqueName('t'), { CustomUserData: 'x'.repeat(2049) }),
      'InvalidParameterException',
      400,
      'Invalid parameter: Attributes Reason: Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding',
    );
    await rejects(endpointOf(app, ''), 'InvalidParameterException', 400, 'Invalid parameter: Token Reason: cannot be empty');
    await rejects(sns.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Enabled: 'maybe' } })), 'InvalidParameterException', 400, /Enabled: must be true or false/);
    await rejects(sns.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: undefined as never })), 'ValidationError', 400);
    const gone = `arn:aws:sns:us-east-1:${ACCOUNT}:app/GCM/${uniqueName('gone')}`;
    await rejects(endpointOf(gone), 'NotFoundException', 404, 'PlatformApplication does not exist');
    const missing = arn.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000');
    await rejects(sns.send(new GetEndpointAttributesCommand({ EndpointArn: missing })), 'NotFoundException', 404, 'Endpoint does not exist');
    await rejects(sns.send(new SetEndpointAttributesCommand({ EndpointArn: missing, Attributes: { Enabled: 'true' } })), 'NotFoundException', 404, 'Endpoint does not exist');
    await rejects(
      sns.send(new GetEndpointAttributesCommand({ EndpointArn: `arn:aws:sns:us-east-1:${ACCOUNT}:endpoint/GCM/x` })),
      'InvalidParameterException',
      400,
      'Invalid parameter: EndpointArn Reason: Wrong number of slashes in relative portion of the ARN.',
    );
  });

  test('SetEndpointAttributes changes Token, Enabled and CustomUserData; DeleteEndpoint is idempotent', async () => {
    const app = await gcmApp();
    const arn = await endpointOf(app, 'old-token');
    await sns.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Token: 'new-token', Enabled: 'FALSE', CustomUserData: 'note' } }));
    assert.deepEqual((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: arn }))).Attributes, { Enabled: 'false', CustomUserData: 'note', Token: 'new-token' });
    await sns.send(new DeleteEndpointCommand({ EndpointArn: arn }));
    await sns.send(new DeleteEndpointCommand({ EndpointArn: arn }));
    await rejects(sns.send(new GetEndpointAttributesCommand({ EndpointArn: arn })), 'NotFoundException', 404);
    await rejects(sns.send(new DeleteEndpointCommand({ EndpointArn: 'arn:aws:sns' })), 'InvalidParameterException', 400, /An ARN must have at least 6 elements/);
  });

  test('ListEndpointsByPlatformApplication pages by 100 with NextToken', async () => {
    const app = await gcmApp();
    const created: string[] = [];
    for (let i = 0; i < 102; i++) created.push(await endpointOf(app, `tok-${i}`));
    const first = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: app }));
    assert.equal(first.Endpoints!.length, 100);
    assert.ok(first.NextToken);
    const second = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: app, NextToken: first.NextToken }));
    assert.equal(second.Endpoints!.length, 2);
    assert.equal(second.NextToken, undefined);
    const all = [...first.Endpoints!, ...second.Endpoints!];
    assert.deepEqual(all.map((e) => e.EndpointArn), created.sort());
    assert.equal(all.find((e) => e.EndpointArn === created[0])!.Attributes!['Enabled'], 'true');
  });
});

describe('publish to a platform endpoint', () => {
  test('records the push in the delivery log and answers a MessageId', async () => {
    const app = await gcmApp();
    const arn = await endpointOf(app, 'fcm-token-1');
    const { MessageId } = await sns.send(new PublishCommand({ TargetArn: arn, Message: 'Your order shipped', Subject: 'Orders' }));
    assert.match(MessageId!, /^[0-9a-f-]{36}$/);
    const [d, ...rest] = await deliveries(postbox, { endpoint: arn });
    assert.equal(rest.length, 0);
    assert.equal(d!.service, 'sns');
    assert.equal(d!.protocol, 'application');
    assert.equal(d!.payload, 'Your order shipped');
    assert.equal(d!.subject, 'Orders');
    assert.deepEqual(d!.details, { kind: 'Notification', messageId: MessageId, platform: 'GCM', platformApplicationArn: app, token: 'fcm-token-1' });
  });

  test('MessageStructure=json sends the platform’s own message, else the default', async () => {
    const gcm = await endpointOf(await gcmApp());
    const apnsApp = (
      await sns.send(new CreatePlatformApplicationCommand({ Name: uniqueName('ios'), Platform: 'APNS', Attributes: { PlatformPrincipal: '-----BEGIN CERTIFICATE-----', PlatformCredential: 'k' } }))
    ).PlatformApplicationArn!;
    const apns = await endpointOf(apnsApp, APPLE_TOKEN);
    const gcmPayload = JSON.stringify({ notification: { title: 'Hi', body: 'Order shipped' } });
    const Message = JSON.stringify({ default: 'Order shipped', GCM: gcmPayload });
    await sns.send(new PublishCommand({ TargetArn: gcm, Message, MessageStructure: 'json' }));
    await sns.send(new PublishCommand({ TargetArn: apns, Message, MessageStructure: 'json' }));
    assert.equal((await deliveries(postbox, { endpoint: gcm }))[0]!.payload, gcmPayload);
    assert.equal((await deliveries(postbox, { endpoint: apns }))[0]!.payload, 'Order shipped');
    await rejects(
      sns.send(new PublishCommand({ TargetArn: gcm, Message: JSON.stringify({ GCM: 'x' }), MessageStructure: 'json' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
    await rejects(sns.send(new PublishCommand({ TargetArn: gcm, Message: '' })), 'InvalidParameterException', 400, 'Invalid parameter: Empty message');
  });

  test('a disabled endpoint answers EndpointDisabled, a disabled application PlatformApplicationDisabled; nothing is recorded', async () => {
    const app = await gcmApp();
    const arn = await endpointOf(app);
    await sns.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Enabled: 'false' } }));
    await rejects(sns.send(new PublishCommand({ TargetArn: arn, Message: 'x' })), 'EndpointDisabledException', 400, 'Endpoint is disabled');
    await sns.send(new SetEndpointAttributesCommand({ EndpointArn: arn, Attributes: { Enabled: 'true' } }));
    await sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: app, Attributes: { Enabled: 'false' } }));
    await rejects(sns.send(new PublishCommand({ TargetArn: arn, Message: 'x' })), 'PlatformApplicationDisabledException', 400);
    assert.deepEqual(await deliveries(postbox, { endpoint: arn }), []);
  });

  test('an endpoint that does not exist is InvalidParameter, as AWS answers it', async () => {
    const arn = `arn:aws:sns:us-east-1:${ACCOUNT}:endpoint/GCM/${uniqueName('app')}/00000000-0000-0000-0000-000000000000`;
    await rejects(
      sns.send(new PublishCommand({ TargetArn: arn, Message: 'x' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified',
    );
  });
});

test('another account or region cannot reach an application or endpoint: not found, and deleting leaves it', async () => {
  const app = await gcmApp();
  const endpoint = await endpointOf(app);
  const others = [snsClient(postbox.endpoint, 'us-east-1', '111122223333'), snsClient(postbox.endpoint, 'eu-west-1')];
  try {
    for (const other of others) {
      await rejects(other.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: app })), 'NotFoundException', 404);
      await rejects(other.send(new GetEndpointAttributesCommand({ EndpointArn: endpoint })), 'NotFoundException', 404);
      await rejects(other.send(new PublishCommand({ TargetArn: endpoint, Message: 'x' })), 'InvalidParameterException', 400, /No endpoint found/);
      await other.send(new DeleteEndpointCommand({ EndpointArn: endpoint }));
      await other.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: app }));
    }
    assert.equal((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: endpoint }))).Attributes!['Enabled'], 'true');
  } finally {
    for (const other of others) other.destroy();
  }
});

test('applications and endpoints survive a restart', { skip: sqliteRestart }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'postbox-platform-'));
  try {
    let box = await startTestPostbox({ dataDir: dir, memory: false });
    let client = snsClient(box.endpoint);
    const app = (await client.send(new CreatePlatformApplicationCommand({ Name: 'kept', Platform: 'GCM', Attributes: { PlatformCredential: 'k' } }))).PlatformApplicationArn!;
    const endpoint = (await client.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: app, Token: 'tok', CustomUserData: 'u' }))).EndpointArn!;
    client.destroy();
    await box.stop();
    box = await startTestPostbox({ dataDir: dir, memory: false });
    client = snsClient(box.endpoint);
    assert.deepEqual((await client.send(new GetEndpointAttributesCommand({ EndpointArn: endpoint }))).Attributes, { CustomUserData: 'u', Enabled: 'true', Token: 'tok' });
    assert.equal((await client.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: app, Token: 'tok', CustomUserData: 'u' }))).EndpointArn, endpoint);
    client.destroy();
    await box.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
