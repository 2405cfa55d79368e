/**
 * Delivery jobs are durable: an event whose API destination was down when Postbox stopped is delivered by the next
 * Postbox on the same data directory, as its next retry — the attempt count carried over. And the bus-policy check
 * that cross-account bus targets rely on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateApiDestinationCommand, CreateConnectionCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ManualClock } from '../../../src/core/clock.js';
import { busPolicyAllows } from '../../../src/events/delivery/deliveries.js';
import { onPostgres, settle, startTestPostbox } from '../../support/postbox.js';
import { eventsClient } from './support.js';

const T0 = Date.UTC(2026, 0, 1);

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await settle(10);
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('a delivery job pending at stop is retried by the next Postbox on the same data', { skip: onPostgres() && 'SQLite data-directory restart: runs in the first pass; the PostgreSQL pass would start SQLite again' }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'postbox-delivery-'));
  const statuses: number[] = [];
  let up = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      statuses.push(up ? 200 : 503);
      res.writeHead(up ? 200 : 503).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    const first = await startTestPostbox({ dataDir, memory: false, clock: new ManualClock(T0) });
    const eb = eventsClient(first.endpoint);
    try {
      const { ConnectionArn } = await eb.send(
        new CreateConnectionCommand({ Name: 'c', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } } }),
      );
      const { ApiDestinationArn } = await eb.send(new CreateApiDestinationCommand({ Name: 'hook', ConnectionArn, InvocationEndpoint: url, HttpMethod: 'POST' }));
      await eb.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["durable"]}' }));
      await eb.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'api', Arn: ApiDestinationArn! }] }));
      await eb.send(new PutEventsCommand({ Entries: [{ Source: 'durable', DetailType: 't', Detail: '{}' }] }));
      await until(() => statuses.length === 1, 'the first, failing attempt');
    } finally {
      eb.destroy();
      await first.stop();
    }
    up = true;
    // Back two seconds later: the retry due one second after the failure is made at once.
    const second = await startTestPostbox({ dataDir, memory: false, clock: new ManualClock(T0 + 2_000) });
    try {
      await until(() => statuses.length === 2, 'the retry after the restart');
      await settle(50);
      assert.deepEqual(statuses, [503, 200]);
    } finally {
      await second.stop();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a bus policy lets another account put events when it allows events:PutEvents to that account', () => {
  const policy = (principal: unknown, action: unknown = 'events:PutEvents', effect = 'Allow') =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 's', Effect: effect, Principal: principal, Action: action, Resource: 'arn' }] });
  assert.equal(busPolicyAllows({}, '111111111111'), false);
  assert.equal(busPolicyAllows({ policy: policy({ AWS: '111111111111' }) }, '111111111111'), true);
  assert.equal(busPolicyAllows({ policy: policy({ AWS: 'arn:aws:iam::111111111111:root' }) }, '111111111111'), true);
  assert.equal(busPolicyAllows({ policy: policy('*') }, '111111111111'), true);
  assert.equal(busPolicyAllows({ policy: policy({ AWS: ['222222222222'] }) }, '111111111111'), false);
  assert.equal(busPolicyAllows({ policy: policy({ AWS: '111111111111' }, 'events:DescribeRule') }, '111111111111'), false);
  assert.equal(busPolicyAllows({ policy: policy({ AWS: '111111111111' }, 'events:PutEvents', 'Deny') }, '111111111111'), false);
  assert.equal(busPolicyAllows({ policy: 'not json' }, '111111111111'), false);
  // An explicit Deny wins.
  const both = JSON.stringify({
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'events:PutEvents' },
      { Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: 'events:*' },
    ],
  });
  assert.equal(busPolicyAllows({ policy: both }, '111111111111'), false);
  assert.equal(busPolicyAllows({ policy: both }, '222222222222'), true);
});
