import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  AddPermissionCommand,
  RemovePermissionCommand,
  ListDeadLetterSourceQueuesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Postbox } from '../../../src/index.js';
import { jsonClient, startTestPostbox, uniqueName } from '../../support/postbox.js';

let postbox: Postbox;
let sqs: SQSClient;

before(async () => {
  postbox = await startTestPostbox();
  sqs = jsonClient(postbox.endpoint);
});
after(async () => {
  sqs.destroy();
  await postbox.stop();
});

async function rejects(p: Promise<unknown>, name: string, status: number, message?: RegExp) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('CreateQueue', () => {
  test('answers a URL on the host the client used, with account and name', async () => {
    const name = uniqueName();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const port = new URL(postbox.endpoint).port;
    assert.equal(QueueUrl, `http://127.0.0.1:${port}/000000000000/${name}`);
  });

  test('is idempotent with the same attributes and refuses different ones', async () => {
    const name = uniqueName();
    const a = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '40' } }));
    const b = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '40' } }));
    const c = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal(a.QueueUrl, b.QueueUrl);
    assert.equal(a.QueueUrl, c.QueueUrl);
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '41' } })),
      'QueueNameExists',
      400,
      /different value for attribute VisibilityTimeout/,
    );
  });

  test('rejects bad names and attribute values as AWS does', async () => {
    await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'bad name' })), 'InvalidParameterValue', 400);
    await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })), 'InvalidParameterValue', 400);
    await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'plain.fifo' })), 'InvalidParameterValue', 400);
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: 'nofifo', Attributes: { FifoQueue: 'true' } })),
      'InvalidParameterValue',
      400,
      /must end with \.fifo/,
    );
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { DelaySeconds: '901' } })),
      'InvalidAttributeValue',
      400,
    );
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { MessageRetentionPeriod: '59' } })),
      'InvalidAttributeValue',
      400,
    );
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { Bogus: '1' } as any })),
      'InvalidAttributeName',
      400,
      /Unknown Attribute Bogus/,
    );
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { ContentBasedDeduplication: 'true' } })),
      'InvalidAttributeName',
      400,
    );
  });

  test('FIFO queues get FIFO defaults; standard queues never show FifoQueue', async () => {
    const fifo = await sqs.send(new CreateQueueCommand({ QueueName: `${uniqueName()}.fifo`, Attributes: { FifoQueue: 'true' } }));
    const std = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName() }));
    const f = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: fifo.QueueUrl, AttributeNames: ['All'] }));
    const s = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: std.QueueUrl, AttributeNames: ['All'] }));
    assert.equal(f.Attributes?.FifoQueue, 'true');
    assert.equal(f.Attributes?.ContentBasedDeduplication, 'false');
    assert.equal(f.Attributes?.DeduplicationScope, 'queue');
    assert.equal(f.Attributes?.FifoThroughputLimit, 'perQueue');
    assert.equal(s.Attributes?.FifoQueue, undefined);
    assert.deepEqual(Object.keys(s.Attributes!).sort(), [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesDelayed',
      'ApproximateNumberOfMessagesNotVisible',
      'CreatedTimestamp',
      'DelaySeconds',
      'LastModifiedTimestamp',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'QueueArn',
      'ReceiveMessageWaitTimeSeconds',
      'SqsManagedSseEnabled',
      'VisibilityTimeout',
    ]);
    assert.equal(s.Attributes?.MaximumMessageSize, '1048576');
  });

  test('tags given at creation are listed', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), tags: { team: 'orders', env: 'dev' } }));
    const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
    assert.deepEqual(Tags, { team: 'orders', env: 'dev' });
  });
});

describe('GetQueueUrl, ListQueues, DeleteQueue', () => {
  test('GetQueueUrl finds a queue and reports a missing one', async () => {
    const name = uniqueName();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, QueueUrl);
    await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope-nope' })), 'QueueDoesNotExist', 400, /does not exist/);
  });

  test('ListQueues filters by prefix and pages with MaxResults/NextToken', async () => {
    const prefix = uniqueName('list');
    const names = ['a', 'b', 'c', 'd', 'e'].map((s) => `${prefix}-${s}`);
    for (const n of names) await sqs.send(new CreateQueueCommand({ QueueName: n }));
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    assert.equal(all.QueueUrls?.length, 5);
    assert.equal(all.NextToken, undefined);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: token }));
      seen.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(seen.map((u) => u.split('/').pop()), names);
    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'does-not-match-anything' }));
    assert.equal(none.QueueUrls, undefined);
    await rejects(sqs.send(new ListQueuesCommand({ MaxResults: 1001 })), 'InvalidParameterValue', 400);
  });

  test('DeleteQueue removes the queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName() }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await rejects(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })), 'QueueDoesNotExist', 400);
    await rejects(sqs.send(new DeleteQueueCommand({ QueueUrl })), 'QueueDoesNotExist', 400);
  });

  test('regions are isolated; a 12-digit access key selects the account', async () => {
    const name = uniqueName();
    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const west = jsonClient(postbox.endpoint, 'us-west-2');
    await rejects(west.send(new GetQueueUrlCommand({ QueueName: name })), 'QueueDoesNotExist', 400);
    const { QueueUrl } = await west.send(new CreateQueueCommand({ QueueName: name }));
    const attrs = await west.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    assert.equal(attrs.Attributes?.QueueArn, `arn:aws:sqs:us-west-2:000000000000:${name}`);
    west.destroy();
    const other = jsonClient(postbox.endpoint, 'us-east-1', '111122223333');
    const created = await other.send(new CreateQueueCommand({ QueueName: name }));
    assert.match(created.QueueUrl!, /\/111122223333\//);
    other.destroy();
  });
});

describe('Queue attributes', () => {
  test('SetQueueAttributes changes values and LastModifiedTimestamp; read-only ones are refused', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName() }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '120', DelaySeconds: '5' } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'DelaySeconds'] }));
    assert.deepEqual(Attributes, { VisibilityTimeout: '120', DelaySeconds: '5' });
    await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { QueueArn: 'x' } as any })), 'InvalidAttributeName', 400);
    await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: 'true' } })), 'InvalidAttributeName', 400);
    await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } })), 'InvalidAttributeValue', 400);
    await rejects(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Nope' as any] })), 'InvalidAttributeName', 400);
  });

  test('GetQueueAttributes without names answers nothing', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName() }));
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl }));
    assert.equal(out.Attributes, undefined);
  });

  test('RedrivePolicy must name an existing queue of the same type; DLQ sources are listed', async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('dlq') }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const policy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
    const src = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('src'), Attributes: { RedrivePolicy: policy } }));
    const got = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src.QueueUrl, AttributeNames: ['RedrivePolicy'] }));
    assert.deepEqual(JSON.parse(got.Attributes!.RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
    assert.deepEqual(sources.queueUrls, [src.QueueUrl]);
    const missing = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing-dlq', maxReceiveCount: 3 });
    await rejects(sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { RedrivePolicy: missing } })), 'InvalidParameterValue', 400);
    const badCount = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 });
    await rejects(sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { RedrivePolicy: badCount } })), 'InvalidParameterValue', 400);
    // An empty string removes the policy.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: src.QueueUrl, Attributes: { RedrivePolicy: '' } }));
    const after = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
    assert.deepEqual(after.queueUrls, []);
  });

  test('RedriveAllowPolicy decides which sources may use a dead-letter queue', async () => {
    const deny = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('deny'), Attributes: { RedriveAllowPolicy: '{"redrivePermission":"denyAll"}' } }));
    const denyArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deny.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: denyArn, maxReceiveCount: 1 }) } })),
      'InvalidParameterValue',
      400,
    );
    const allowedName = uniqueName('allowed');
    const allowedArn = `arn:aws:sqs:us-east-1:000000000000:${allowedName}`;
    const by = await sqs.send(
      new CreateQueueCommand({
        QueueName: uniqueName('by'),
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [allowedArn] }) },
      }),
    );
    const byArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: by.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const policy = JSON.stringify({ deadLetterTargetArn: byArn, maxReceiveCount: 1 });
    await sqs.send(new CreateQueueCommand({ QueueName: allowedName, Attributes: { RedrivePolicy: policy } }));
    await rejects(sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { RedrivePolicy: policy } })), 'InvalidParameterValue', 400);
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { RedriveAllowPolicy: '{"redrivePermission":"sometimes"}' } })),
      'InvalidParameterValue',
      400,
    );
  });

  test('a KMS key turns SSE-SQS off; both at once is refused', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { KmsMasterKeyId: 'alias/aws/sqs' } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(Attributes?.KmsMasterKeyId, 'alias/aws/sqs');
    assert.equal(Attributes?.SqsManagedSseEnabled, 'false');
    assert.equal(Attributes?.KmsDataKeyReusePeriodSeconds, '300');
    await rejects(
      sqs.send(new CreateQueueCommand({ QueueName: uniqueName(), Attributes: { KmsMasterKeyId: 'k', SqsManagedSseEnabled: 'true' } })),
      'InvalidAttributeName',
      400,
    );
  });
});

describe('Tags and permissions', () => {
  test('TagQueue, UntagQueue, ListQueueTags', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName() }));
    assert.equal((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, undefined);
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { a: '1', b: '2' } }));
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { b: '3' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['a', 'missing'] }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { b: '3' });
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await rejects(sqs.send(new TagQueueCommand({ QueueUrl, Tags: many })), 'InvalidParameterValue', 400);
  });

  test('AddPermission writes a policy statement; RemovePermission takes it out', async () => {
    const name = uniqueName();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'p1', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
    const policy = JSON.parse(Attributes!.Policy!);
    assert.equal(policy.Statement[0].Sid, 'p1');
    assert.equal(policy.Statement[0].Principal.AWS, 'arn:aws:iam::111122223333:root');
    assert.equal(policy.Statement[0].Action, 'SQS:SendMessage');
    assert.equal(policy.Statement[0].Resource, `arn:aws:sqs:us-east-1:000000000000:${name}`);
    await rejects(
      sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'p1', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] })),
      'InvalidParameterValue',
      400,
      /Already exists/,
    );
    await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'p1' }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
    assert.equal(after.Attributes?.Policy, undefined);
    await rejects(sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'p1' })), 'InvalidParameterValue', 400);
  });
});
