/**
 * `--config FILE` (JSON or YAML): the queues it declares exist at start with their attributes, tags and a
 * RedrivePolicy to a dead-letter queue declared in the same file; a restart with the same file changes nothing, and a
 * restart with an edited file applies the edit.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanup, runCli, startCli, tempDir, type CliProcess, type SpawnOptions } from '../support/process.js';
import { cliClient } from './util.js';

after(cleanup);

interface QueueState {
  url: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

async function queueState(client: SQSClient, name: string): Promise<QueueState> {
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  const a = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  const t = await client.send(new ListQueueTagsCommand({ QueueUrl }));
  return { url: QueueUrl!, attributes: a.Attributes ?? {}, tags: t.Tags ?? {} };
}

/** Starts with `o`, hands a client to `body`, stops cleanly. */
async function session<T>(o: SpawnOptions, region: string, body: (client: SQSClient, s: CliProcess) => Promise<T>): Promise<T> {
  const server = await startCli(o);
  const client = cliClient(server.endpoint, region);
  try {
    const out = await body(client, server);
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, `clean exit (stderr: ${server.stderr()})`);
    return out;
  } finally {
    client.destroy();
    await server.kill9();
  }
}

const redrive = (state: QueueState) => JSON.parse(state.attributes['RedrivePolicy'] ?? 'null') as { deadLetterTargetArn: string; maxReceiveCount: number | string };

describe('--config JSON', () => {
  const dir = tempDir('postbox-config-json-');
  const data = join(dir, 'data');
  const file = join(dir, 'postbox.json');
  const account = '111122223333';
  const dlqArn = `arn:aws:sqs:us-east-1:${account}:orders-dlq`;
  const config = (visibility: number, tags: Record<string, string>) => ({
    queues: [
      // Listed before its dead-letter queue on purpose: the file's order must not matter.
      {
        name: 'orders',
        attributes: {
          VisibilityTimeout: visibility,
          DelaySeconds: 2,
          MessageRetentionPeriod: 86400,
          RedrivePolicy: { deadLetterTargetArn: dlqArn, maxReceiveCount: 3 },
        },
        tags,
      },
      { name: 'orders-dlq', attributes: { MessageRetentionPeriod: 1209600 } },
      { name: 'events.fifo', attributes: { ContentBasedDeduplication: true } },
    ],
  });
  const opts: SpawnOptions = { cwd: dir, args: ['--port', '0', '--data', data, '--account', account, '--config', file] };
  let created: { orders: QueueState; dlq: QueueState; fifo: QueueState } | undefined;

  test('first start creates the queues, attributes, tags and the redrive to the DLQ', async () => {
    writeFileSync(file, JSON.stringify(config(45, { team: 'payments', env: 'test' }), null, 2));
    created = await session(opts, 'us-east-1', async (client) => {
      const { QueueUrls } = await client.send(new ListQueuesCommand({}));
      assert.deepEqual(QueueUrls?.map((u) => new URL(u).pathname).sort(), [`/${account}/events.fifo`, `/${account}/orders`, `/${account}/orders-dlq`]);

      const orders = await queueState(client, 'orders');
      assert.equal(orders.attributes['VisibilityTimeout'], '45');
      assert.equal(orders.attributes['DelaySeconds'], '2');
      assert.equal(orders.attributes['MessageRetentionPeriod'], '86400');
      assert.deepEqual(orders.tags, { team: 'payments', env: 'test' });
      const policy = redrive(orders);
      assert.equal(policy.deadLetterTargetArn, dlqArn);
      assert.equal(Number(policy.maxReceiveCount), 3);

      const dlq = await queueState(client, 'orders-dlq');
      assert.equal(dlq.attributes['QueueArn'], dlqArn);
      assert.equal(dlq.attributes['MessageRetentionPeriod'], '1209600');
      const sources = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
      assert.deepEqual(sources.queueUrls?.map((u) => u.split('/').pop()), ['orders']);

      const fifo = await queueState(client, 'events.fifo');
      assert.equal(fifo.attributes['FifoQueue'], 'true');
      assert.equal(fifo.attributes['ContentBasedDeduplication'], 'true');

      // The redrive policy works: the fourth receive moves the message to the dead-letter queue.
      await client.send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'poison', DelaySeconds: 0 }));
      for (let i = 0; i < 3; i++) {
        const r = await client.send(new ReceiveMessageCommand({ QueueUrl: orders.url, VisibilityTimeout: 0 }));
        assert.equal(r.Messages?.[0]?.Body, 'poison', `receive ${i + 1}`);
      }
      assert.equal((await client.send(new ReceiveMessageCommand({ QueueUrl: orders.url }))).Messages, undefined);
      const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, VisibilityTimeout: 0 }));
      assert.equal(dead.Messages?.[0]?.Body, 'poison');

      // Something to find after the restarts.
      await client.send(new SendMessageCommand({ QueueUrl: fifo.url, MessageBody: 'kept', MessageGroupId: 'g' }));
      return { orders, dlq, fifo };
    });
  });

  test('a restart with the same file is a no-op: same queues, attributes, tags, messages', async () => {
    assert.ok(created, 'depends on the first test');
    await session(opts, 'us-east-1', async (client) => {
      const { QueueUrls } = await client.send(new ListQueuesCommand({}));
      assert.equal(QueueUrls?.length, 3);
      for (const [name, before] of [['orders', created!.orders], ['orders-dlq', created!.dlq], ['events.fifo', created!.fifo]] as const) {
        const now = await queueState(client, name);
        const strip = (a: Record<string, string>) =>
          Object.fromEntries(Object.entries(a).filter(([k]) => !k.startsWith('Approximate') && k !== 'LastModifiedTimestamp'));
        assert.deepEqual(strip(now.attributes), strip(before.attributes), `${name} attributes`);
        assert.deepEqual(now.tags, before.tags, `${name} tags`);
      }
      const dlq = await queueState(client, 'orders-dlq');
      assert.equal(dlq.attributes['ApproximateNumberOfMessages'], '1', 'the dead-lettered message is still there');
      const fifo = await queueState(client, 'events.fifo');
      assert.equal(fifo.attributes['ApproximateNumberOfMessages'], '1', 'the FIFO message is still there');
    });
  });

  test('a restart with an edited file applies the change', async () => {
    assert.ok(created, 'depends on the first test');
    writeFileSync(file, JSON.stringify(config(60, { team: 'payments', env: 'prod', tier: 'gold' }), null, 2));
    await session(opts, 'us-east-1', async (client) => {
      const orders = await queueState(client, 'orders');
      assert.equal(orders.attributes['VisibilityTimeout'], '60', 'the changed attribute is applied');
      assert.equal(orders.attributes['DelaySeconds'], '2');
      assert.equal(orders.attributes['CreatedTimestamp'], created!.orders.attributes['CreatedTimestamp'], 'the same queue, not a new one');
      assert.deepEqual(orders.tags, { team: 'payments', env: 'prod', tier: 'gold' });
      assert.equal(redrive(orders).deadLetterTargetArn, dlqArn);
      const fifo = await queueState(client, 'events.fifo');
      assert.equal(fifo.attributes['ApproximateNumberOfMessages'], '1');
    });
  });
});

describe('--config YAML (by POSTBOX_CONFIG), in a non-default region', () => {
  const dir = tempDir('postbox-config-yaml-');
  const data = join(dir, 'data');
  const file = join(dir, 'postbox.yaml');
  const yaml = (maxReceiveCount: number, retention: number) => `# queues for the YAML test
queues:
  - name: jobs
    attributes:
      VisibilityTimeout: 30
      ReceiveMessageWaitTimeSeconds: 5
      RedrivePolicy:
        deadLetterTargetArn: arn:aws:sqs:eu-west-1:000000000000:jobs-dlq
        maxReceiveCount: ${maxReceiveCount}
    tags:
      owner: batch
  - name: jobs-dlq
    attributes:
      MessageRetentionPeriod: ${retention}
  - name: jobs.fifo
    attributes:
      FifoQueue: true
      DeduplicationScope: messageGroup
      FifoThroughputLimit: perMessageGroupId
`;
  const opts: SpawnOptions = { cwd: dir, args: ['--port', '0', '--data', data, '--region', 'eu-west-1'], env: { POSTBOX_CONFIG: file } };
  let createdAt: string | undefined;

  test('first start creates what the YAML declares, in the server region', async () => {
    writeFileSync(file, yaml(4, 345600));
    createdAt = await session(opts, 'eu-west-1', async (client) => {
      const jobs = await queueState(client, 'jobs');
      assert.equal(jobs.attributes['QueueArn'], 'arn:aws:sqs:eu-west-1:000000000000:jobs');
      assert.equal(jobs.attributes['VisibilityTimeout'], '30');
      assert.equal(jobs.attributes['ReceiveMessageWaitTimeSeconds'], '5');
      assert.deepEqual(jobs.tags, { owner: 'batch' });
      assert.deepEqual(redrive(jobs) && { ...redrive(jobs), maxReceiveCount: Number(redrive(jobs).maxReceiveCount) }, {
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:jobs-dlq',
        maxReceiveCount: 4,
      });
      const dlq = await queueState(client, 'jobs-dlq');
      assert.equal(dlq.attributes['MessageRetentionPeriod'], '345600');
      const fifo = await queueState(client, 'jobs.fifo');
      assert.equal(fifo.attributes['FifoQueue'], 'true');
      assert.equal(fifo.attributes['DeduplicationScope'], 'messageGroup');
      assert.equal(fifo.attributes['FifoThroughputLimit'], 'perMessageGroupId');
      await client.send(new SendMessageCommand({ QueueUrl: jobs.url, MessageBody: 'survives' }));
      return jobs.attributes['CreatedTimestamp'];
    });
    // The queues are in eu-west-1, not in the default region of clients.
    await session(opts, 'us-east-1', async (client) => {
      await assert.rejects(client.send(new GetQueueUrlCommand({ QueueName: 'jobs' })), { name: 'QueueDoesNotExist' });
    });
  });

  test('restart with the same YAML, then with an edited one', async () => {
    assert.ok(createdAt, 'depends on the first test');
    await session(opts, 'eu-west-1', async (client) => {
      const jobs = await queueState(client, 'jobs');
      assert.equal(jobs.attributes['CreatedTimestamp'], createdAt);
      assert.equal(Number(redrive(jobs).maxReceiveCount), 4);
      assert.equal(jobs.attributes['ApproximateNumberOfMessages'], '1');
      const { QueueUrls } = await client.send(new ListQueuesCommand({}));
      assert.equal(QueueUrls?.length, 3);
    });
    writeFileSync(file, yaml(7, 604800));
    await session(opts, 'eu-west-1', async (client) => {
      const jobs = await queueState(client, 'jobs');
      assert.equal(jobs.attributes['CreatedTimestamp'], createdAt);
      assert.equal(Number(redrive(jobs).maxReceiveCount), 7, 'the edited RedrivePolicy is applied');
      assert.equal((await queueState(client, 'jobs-dlq')).attributes['MessageRetentionPeriod'], '604800');
      assert.equal(jobs.attributes['ApproximateNumberOfMessages'], '1');
    });
  });
});

describe('a bad --config file stops the start with a message naming the problem', () => {
  const cases: { name: string; file: string; text: string | undefined; message: RegExp }[] = [
    { name: 'a file that does not exist', file: 'missing.json', text: undefined, message: /ENOENT|no such file/ },
    { name: 'JSON that does not parse', file: 'broken.json', text: '{"queues": [', message: /JSON|Unexpected|Expected/ },
    { name: 'queues that are not a list', file: 'notalist.yaml', text: 'queues:\n  name: x\n', message: /"queues" must be a list/ },
    { name: 'a queue without a name', file: 'noname.json', text: '{"queues":[{"attributes":{}}]}', message: /needs a "name"/ },
    {
      name: 'an attribute out of range',
      file: 'range.json',
      text: '{"queues":[{"name":"q","attributes":{"VisibilityTimeout":99999}}]}',
      message: /VisibilityTimeout/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = tempDir();
      const path = join(dir, c.file);
      if (c.text !== undefined) writeFileSync(path, c.text);
      const r = await runCli({ args: ['--port', '0', '--data', join(dir, 'data'), '--config', path], loopback: true, cwd: dir });
      assert.notEqual(r.code, 0, 'exits non-zero');
      assert.equal(r.signal, null);
      assert.doesNotMatch(r.stdout, /Ready\./);
      assert.match(r.stderr, c.message);
    });
  }
});
