import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DescribeArchiveCommand,
  ListArchivesCommand,
  PutEventsCommand,
  UpdateArchiveCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { eventsClient, rejects } from './support.js';

let postbox: Postbox;
let clock: ManualClock;
let eb: EventBridgeClient;
const ACCOUNT = '000000000000';
const busArnOf = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;
const DAY = 86_400_000;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
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
const put = (bus: string, source: string, detail: object) =>
  eb.send(new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: source, DetailType: 't', Detail: JSON.stringify(detail) }] }));

describe('archives', () => {
  test('create, describe, list, update and delete', async () => {
    const bus = await newBus();
    const ArchiveName = uniqueName('arc');
    const created = await eb.send(new CreateArchiveCommand({ ArchiveName, EventSourceArn: busArnOf(bus), Description: 'd', RetentionDays: 7 }));
    assert.equal(created.ArchiveArn, `arn:aws:events:us-east-1:${ACCOUNT}:archive/${ArchiveName}`);
    assert.equal(created.State, 'ENABLED');
    assert.ok(created.CreationTime instanceof Date);

    let described = await eb.send(new DescribeArchiveCommand({ ArchiveName }));
    assert.equal(described.EventSourceArn, busArnOf(bus));
    assert.equal(described.RetentionDays, 7);
    assert.equal(described.EventCount, 0);
    assert.equal(described.SizeBytes, 0);

    await eb.send(new UpdateArchiveCommand({ ArchiveName, Description: 'e', EventPattern: '{"source":["keep"]}' }));
    described = await eb.send(new DescribeArchiveCommand({ ArchiveName }));
    assert.equal(described.Description, 'e');
    assert.equal(described.EventPattern, '{"source":["keep"]}');

    const listed = await eb.send(new ListArchivesCommand({ EventSourceArn: busArnOf(bus) }));
    assert.deepEqual(listed.Archives?.map((a) => a.ArchiveName), [ArchiveName]);
    assert.deepEqual((await eb.send(new ListArchivesCommand({ NamePrefix: ArchiveName, State: 'DISABLED' }))).Archives, []);

    await eb.send(new DeleteArchiveCommand({ ArchiveName }));
    await rejects(eb.send(new DescribeArchiveCommand({ ArchiveName })), 'ResourceNotFoundException', 400, `Archive ${ArchiveName} does not exist.`);
    await rejects(eb.send(new DeleteArchiveCommand({ ArchiveName })), 'ResourceNotFoundException', 400);
  });

  test('errors: duplicate names, unknown buses, bad patterns', async () => {
    const bus = await newBus();
    const ArchiveName = uniqueName('arc');
    await eb.send(new CreateArchiveCommand({ ArchiveName, EventSourceArn: busArnOf(bus) }));
    await rejects(eb.send(new CreateArchiveCommand({ ArchiveName, EventSourceArn: busArnOf(bus) })), 'ResourceAlreadyExistsException', 400, `Archive ${ArchiveName} already exists.`);
    await rejects(eb.send(new CreateArchiveCommand({ ArchiveName: uniqueName('arc'), EventSourceArn: busArnOf('nope') })), 'ResourceNotFoundException', 400, 'Event bus nope does not exist.');
    await rejects(eb.send(new CreateArchiveCommand({ ArchiveName: uniqueName('arc'), EventSourceArn: 'not-an-arn' })), 'ValidationException', 400);
    await rejects(
      eb.send(new CreateArchiveCommand({ ArchiveName: uniqueName('arc'), EventSourceArn: busArnOf(bus), EventPattern: '{"source":"x"}' })),
      'InvalidEventPatternException',
      400,
    );
    await rejects(eb.send(new UpdateArchiveCommand({ ArchiveName: 'missing-archive' })), 'ResourceNotFoundException', 400);
  });

  test('keeps the bus’s events its pattern matches, counts them and their size, and forgets them after retention', async () => {
    const bus = await newBus();
    const all = uniqueName('all');
    const some = uniqueName('some');
    await eb.send(new CreateArchiveCommand({ ArchiveName: all, EventSourceArn: busArnOf(bus), RetentionDays: 1 }));
    await eb.send(new CreateArchiveCommand({ ArchiveName: some, EventSourceArn: busArnOf(bus), EventPattern: '{"source":["keep"]}' }));
    await put(bus, 'keep', { n: 1 });
    await put(bus, 'drop', { n: 2 });
    await put('default', 'keep', { n: 3 }); // another bus: not archived here

    const allStats = await eb.send(new DescribeArchiveCommand({ ArchiveName: all }));
    const someStats = await eb.send(new DescribeArchiveCommand({ ArchiveName: some }));
    assert.equal(allStats.EventCount, 2);
    assert.equal(someStats.EventCount, 1);
    assert.ok(someStats.SizeBytes! > 0 && someStats.SizeBytes! < allStats.SizeBytes!);

    clock.advance(DAY + 1);
    assert.equal((await eb.send(new DescribeArchiveCommand({ ArchiveName: all }))).EventCount, 0);
    assert.equal((await eb.send(new DescribeArchiveCommand({ ArchiveName: some }))).EventCount, 1, 'RetentionDays 0 keeps events for ever');
  });

  test('deleting a bus deletes its archives', async () => {
    const bus = await newBus();
    const ArchiveName = uniqueName('arc');
    await eb.send(new CreateArchiveCommand({ ArchiveName, EventSourceArn: busArnOf(bus) }));
    await eb.send(new DeleteEventBusCommand({ Name: bus }));
    await rejects(eb.send(new DescribeArchiveCommand({ ArchiveName })), 'ResourceNotFoundException', 400);
  });
});
