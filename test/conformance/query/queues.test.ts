/**
 * Queue management over the AWS Query protocol, driven by @aws-sdk/client-sqs 3.445 (form bodies, XML answers):
 * CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes, PurgeQueue, tags and permissions,
 * and the NonExistentQueue error of every action that names a queue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from 'sqs-query';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { queryClient, startClockedPostbox, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { expectQueryError, nonExistentQueue } from './support.js';

/** The attribute set AWS returns for `All` on a standard queue (recorded against AWS, §6). */
const STANDARD_ALL = [
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
];

describe('Query protocol: queues', () => {
  let postbox: Postbox;
  let sqs: SQSClient;
  before(async () => {
    postbox = await startTestPostbox();
    sqs = queryClient(postbox.endpoint);
  });
  after(async () => {
    sqs?.destroy();
    await postbox?.stop();
  });

  const attributes = async (QueueUrl: string, names: string[] = ['All']) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: names as any }))).Attributes;

  describe('CreateQueue', () => {
    it('creates a queue with attributes and tags and answers its URL', async () => {
      const name = uniqueName('create');
      const out = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { VisibilityTimeout: '45', MessageRetentionPeriod: '3600', DelaySeconds: '0', ReceiveMessageWaitTimeSeconds: '0' },
          tags: { team: 'core', empty: '' },
        }),
      );
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.QueueUrl, `${postbox.endpoint}/000000000000/${name}`);
      const attrs = await attributes(out.QueueUrl!);
      assert.deepEqual(Object.keys(attrs!).sort(), STANDARD_ALL);
      assert.equal(attrs!['VisibilityTimeout'], '45');
      assert.equal(attrs!['MessageRetentionPeriod'], '3600');
      assert.equal(attrs!['DelaySeconds'], '0');
      assert.equal(attrs!['MaximumMessageSize'], '1048576');
      assert.equal(attrs!['SqsManagedSseEnabled'], 'true');
      assert.equal(attrs!['QueueArn'], `arn:aws:sqs:us-east-1:000000000000:${name}`);
      assert.equal(attrs!['ApproximateNumberOfMessages'], '0');
      // Queue timestamps are epoch seconds (message timestamps are milliseconds).
      const created = Number(attrs!['CreatedTimestamp']);
      assert.ok(Math.abs(created - Date.now() / 1000) < 120, `CreatedTimestamp ${created} is in seconds`);
      const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl: out.QueueUrl }));
      assert.deepEqual(tags.Tags, { team: 'core', empty: '' });
    });

    it('is idempotent: same attributes, no attributes, or different tags answer the same URL', async () => {
      const name = uniqueName('idem');
      const first = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '10' }, tags: { a: '1' } }));
      const same = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '10' } }));
      const none = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const otherTags = await sqs.send(new CreateQueueCommand({ QueueName: name, tags: { b: '2' } }));
      assert.equal(same.QueueUrl, first.QueueUrl);
      assert.equal(none.QueueUrl, first.QueueUrl);
      assert.equal(otherTags.QueueUrl, first.QueueUrl);
      // Default values spelled out are not a difference either.
      const defaults = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '0' } }));
      assert.equal(defaults.QueueUrl, first.QueueUrl);
    });

    it('fails with QueueAlreadyExists when an attribute differs', async () => {
      const name = uniqueName('exists');
      await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '1' } }));
      await expectQueryError(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '2' } })), {
        name: 'QueueNameExists',
        code: 'QueueAlreadyExists',
        status: 400,
        message: 'A queue already exists with the same name and a different value for attribute DelaySeconds',
      });
    });

    it('rejects bad names, unknown attributes and bad attribute values', async () => {
      await expectQueryError(sqs.send(new CreateQueueCommand({ QueueName: 'has space' })), {
        name: 'InvalidParameterValue',
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      });
      await expectQueryError(sqs.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })), {
        code: 'InvalidParameterValue',
        status: 400,
      });
      await expectQueryError(sqs.send(new CreateQueueCommand({ QueueName: uniqueName('attr'), Attributes: { Bogus: '1' } as any })), {
        name: 'InvalidAttributeName',
        code: 'InvalidAttributeName',
        status: 400,
        message: 'Unknown Attribute Bogus.',
      });
      await expectQueryError(
        sqs.send(new CreateQueueCommand({ QueueName: uniqueName('attr'), Attributes: { VisibilityTimeout: '43201' } })),
        { code: 'InvalidAttributeValue', status: 400, message: 'Invalid value for the parameter VisibilityTimeout.' },
      );
      // FifoQueue on a name without .fifo.
      await expectQueryError(sqs.send(new CreateQueueCommand({ QueueName: uniqueName('nofifo'), Attributes: { FifoQueue: 'true' } })), {
        code: 'InvalidParameterValue',
        status: 400,
      });
    });

    it('creates a FIFO queue whose attributes add the FIFO set', async () => {
      const name = `${uniqueName('fifo')}.fifo`;
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
      );
      const attrs = await attributes(QueueUrl!);
      assert.deepEqual(
        Object.keys(attrs!).sort(),
        [...STANDARD_ALL, 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoQueue', 'FifoThroughputLimit'].sort(),
      );
      assert.equal(attrs!['FifoQueue'], 'true');
      assert.equal(attrs!['ContentBasedDeduplication'], 'true');
      assert.equal(attrs!['DeduplicationScope'], 'queue');
      assert.equal(attrs!['FifoThroughputLimit'], 'perQueue');
    });
  });

  describe('GetQueueUrl', () => {
    it('finds a queue by name, also with QueueOwnerAWSAccountId', async () => {
      const name = uniqueName('url');
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const got = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      assert.equal(got.QueueUrl, QueueUrl);
      const owned = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: '000000000000' }));
      assert.equal(owned.QueueUrl, QueueUrl);
    });

    it('answers AWS.SimpleQueueService.NonExistentQueue (400) for an unknown name', async () => {
      const err = await expectQueryError(sqs.send(new GetQueueUrlCommand({ QueueName: uniqueName('missing') })), nonExistentQueue);
      assert.equal(err.Error.Type, 'Sender');
      assert.equal(err.$fault, 'client');
    });
  });

  describe('ListQueues', () => {
    let prefix: string;
    let urls: string[];
    before(async () => {
      prefix = uniqueName('list');
      urls = [];
      for (const suffix of ['a', 'b', 'c', 'd', 'e']) {
        urls.push((await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${suffix}` }))).QueueUrl!);
      }
      await sqs.send(new CreateQueueCommand({ QueueName: `${prefix.toUpperCase()}-upper` }));
    });

    it('filters by a case-sensitive prefix and gives no NextToken without MaxResults', async () => {
      const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
      assert.deepEqual([...(out.QueueUrls ?? [])].sort(), [...urls].sort());
      assert.equal(out.NextToken, undefined);
    });

    it('pages with MaxResults and NextToken', async () => {
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken }));
        assert.ok((out.QueueUrls ?? []).length <= 2);
        seen.push(...(out.QueueUrls ?? []));
        NextToken = out.NextToken;
        pages++;
      } while (NextToken && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), [...urls].sort());
    });

    it('answers no QueueUrls for a prefix that matches nothing', async () => {
      const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: uniqueName('nothing-here') }));
      assert.equal(out.QueueUrls, undefined);
    });

    it('rejects MaxResults outside 1..1000 and a bad NextToken', async () => {
      await expectQueryError(sqs.send(new ListQueuesCommand({ MaxResults: 0 })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.',
      });
      await expectQueryError(sqs.send(new ListQueuesCommand({ MaxResults: 1001 })), { code: 'InvalidParameterValue', status: 400 });
      await expectQueryError(sqs.send(new ListQueuesCommand({ MaxResults: 1, NextToken: 'garbage!!' })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Invalid or expired next token.',
      });
    });
  });

  describe('DeleteQueue', () => {
    it('deletes a queue; afterwards it does not exist', async () => {
      const name = uniqueName('delete');
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const out = await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      await expectQueryError(sqs.send(new GetQueueUrlCommand({ QueueName: name })), nonExistentQueue);
      // client-sqs 3.445 does not model QueueDoesNotExist for DeleteQueue, so e.name is the Query code there.
      await expectQueryError(sqs.send(new DeleteQueueCommand({ QueueUrl })), { ...nonExistentQueue, name: 'AWS.SimpleQueueService.NonExistentQueue' });
      const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
      assert.equal(listed.QueueUrls, undefined);
    });
  });

  describe('GetQueueAttributes / SetQueueAttributes', () => {
    it('answers nothing without names, only the names asked for, and rejects unknown names', async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('gqa') }));
      const none = await sqs.send(new GetQueueAttributesCommand({ QueueUrl }));
      assert.deepEqual(none.Attributes ?? {}, {});
      const some = await attributes(QueueUrl!, ['VisibilityTimeout', 'QueueArn']);
      assert.deepEqual(Object.keys(some!).sort(), ['QueueArn', 'VisibilityTimeout']);
      assert.equal(some!['VisibilityTimeout'], '30');
      // Optional attributes that are not set are simply absent.
      const policy = await attributes(QueueUrl!, ['Policy']);
      assert.deepEqual(policy ?? {}, {});
      await expectQueryError(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Bogus' as any] })), {
        name: 'InvalidAttributeName',
        code: 'InvalidAttributeName',
        status: 400,
        message: 'Unknown Attribute Bogus.',
      });
    });

    it('sets attributes, sets and removes a Policy, and rejects bad values and FifoQueue', async () => {
      const name = uniqueName('sqa');
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '60', DelaySeconds: '5' } }));
      const attrs = await attributes(QueueUrl!);
      assert.equal(attrs!['VisibilityTimeout'], '60');
      assert.equal(attrs!['DelaySeconds'], '5');

      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'a<b>&"c"', Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: attrs!['QueueArn'] }],
      });
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } }));
      // The Policy JSON round-trips exactly through XML escaping.
      assert.equal((await attributes(QueueUrl!, ['Policy']))!['Policy'], policy);
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: '' } }));
      assert.equal((await attributes(QueueUrl!))!['Policy'], undefined);

      await expectQueryError(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '-1' } })), {
        code: 'InvalidAttributeValue',
        status: 400,
        message: 'Invalid value for the parameter VisibilityTimeout.',
      });
      await expectQueryError(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: 'true' } })), {
        name: 'InvalidAttributeName',
        code: 'InvalidAttributeName',
        status: 400,
        message: 'Unknown Attribute FifoQueue.',
      });
      await expectQueryError(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { QueueArn: 'x' } as any })), {
        code: 'InvalidAttributeName',
        status: 400,
        message: 'Unknown Attribute QueueArn.',
      });
    });

    it('takes a RedrivePolicy naming an existing queue and rejects one naming nothing', async () => {
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('rp-dlq') }));
      const dlqArn = (await attributes(dlq.QueueUrl!, ['QueueArn']))!['QueueArn']!;
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('rp-src') }));
      await sqs.send(
        new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) } }),
      );
      const rp = JSON.parse((await attributes(QueueUrl!, ['RedrivePolicy']))!['RedrivePolicy']!);
      assert.deepEqual(rp, { deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
      const bad = '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}';
      await expectQueryError(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: bad } })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: `Value ${bad} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.`,
      });
    });
  });

  describe('PurgeQueue', () => {
    it('deletes every message', async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('purge') }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'two' }));
      assert.equal((await attributes(QueueUrl!, ['ApproximateNumberOfMessages']))!['ApproximateNumberOfMessages'], '2');
      const out = await sqs.send(new PurgeQueueCommand({ QueueUrl }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal((await attributes(QueueUrl!, ['ApproximateNumberOfMessages']))!['ApproximateNumberOfMessages'], '0');
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
      assert.equal(received.Messages, undefined);
    });
  });

  describe('TagQueue / UntagQueue / ListQueueTags', () => {
    it('adds, overwrites, removes and lists tags', async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('tags') }));
      assert.equal((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, undefined);
      await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { a: '1', b: '2', 'path/with:chars': 'x y' } }));
      await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { a: 'one' } }));
      assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { a: 'one', b: '2', 'path/with:chars': 'x y' });
      await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['b', 'never-set'] }));
      assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { a: 'one', 'path/with:chars': 'x y' });
      await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['a', 'path/with:chars'] }));
      assert.equal((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, undefined);
    });
  });

  describe('AddPermission / RemovePermission', () => {
    it('writes AWS-shaped statements into Policy and removes them by label', async () => {
      const name = uniqueName('perm');
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const arn = `arn:aws:sqs:us-east-1:000000000000:${name}`;
      await sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'one', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
      await sqs.send(
        new AddPermissionCommand({
          QueueUrl,
          Label: 'two',
          AWSAccountIds: ['111122223333', '444455556666'],
          Actions: ['ReceiveMessage', 'DeleteMessage'],
        }),
      );
      const policy = JSON.parse((await attributes(QueueUrl!, ['Policy']))!['Policy']!);
      assert.equal(policy.Version, '2008-10-17');
      assert.equal(policy.Id, `${arn}/SQSDefaultPolicy`);
      assert.deepEqual(policy.Statement, [
        { Sid: 'one', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'SQS:SendMessage', Resource: arn },
        {
          Sid: 'two',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'] },
          Action: ['SQS:ReceiveMessage', 'SQS:DeleteMessage'],
          Resource: arn,
        },
      ]);

      await expectQueryError(
        sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'one', AWSAccountIds: ['111122223333'], Actions: ['*'] })),
        { code: 'InvalidParameterValue', status: 400, message: 'Value one for parameter Label is invalid. Reason: Already exists.' },
      );
      await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'one' }));
      const left = JSON.parse((await attributes(QueueUrl!, ['Policy']))!['Policy']!);
      assert.deepEqual(left.Statement.map((s: { Sid: string }) => s.Sid), ['two']);
      await expectQueryError(sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'one' })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: "Value one for parameter Label is invalid. Reason: can't find label.",
      });
      // Removing the last statement removes the Policy attribute.
      await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'two' }));
      assert.equal((await attributes(QueueUrl!))!['Policy'], undefined);
    });
  });

  describe('every action on a queue that does not exist', () => {
    it('answers AWS.SimpleQueueService.NonExistentQueue, 400, with the Query wording', async (t) => {
      const QueueUrl = `${postbox.endpoint}/000000000000/${uniqueName('ghost')}`;
      const handle = Buffer.from('x').toString('base64');
      const calls: [string, () => Promise<unknown>][] = [
        ['GetQueueAttributes', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))],
        ['SetQueueAttributes', () => sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '1' } }))],
        ['DeleteQueue', () => sqs.send(new DeleteQueueCommand({ QueueUrl }))],
        ['PurgeQueue', () => sqs.send(new PurgeQueueCommand({ QueueUrl }))],
        ['SendMessage', () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }))],
        ['SendMessageBatch', () => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }] }))],
        ['ReceiveMessage', () => sqs.send(new ReceiveMessageCommand({ QueueUrl }))],
        ['DeleteMessage', () => sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle }))],
        ['DeleteMessageBatch', () => sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', ReceiptHandle: handle }] }))],
        ['ChangeMessageVisibility', () => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 1 }))],
        [
          'ChangeMessageVisibilityBatch',
          () => sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [{ Id: 'a', ReceiptHandle: handle, VisibilityTimeout: 1 }] })),
        ],
        ['TagQueue', () => sqs.send(new TagQueueCommand({ QueueUrl, Tags: { a: 'b' } }))],
        ['UntagQueue', () => sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['a'] }))],
        ['ListQueueTags', () => sqs.send(new ListQueueTagsCommand({ QueueUrl }))],
        ['ListDeadLetterSourceQueues', () => sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl }))],
        ['AddPermission', () => sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'l', AWSAccountIds: ['111122223333'], Actions: ['*'] }))],
        ['RemovePermission', () => sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'l' }))],
      ];
      for (const [action, call] of calls) {
        await t.test(action, async () => {
          await expectQueryError(call(), { code: nonExistentQueue.code, status: 400, message: nonExistentQueue.message! });
        });
      }
    });
  });
});

describe('Query protocol: AWS 60-second rules (strictDelays, ManualClock)', () => {
  let postbox: Postbox;
  let clock: ManualClock;
  let sqs: SQSClient;
  before(async () => {
    ({ postbox, clock } = await startClockedPostbox({ strictDelays: true }));
    sqs = queryClient(postbox.endpoint);
  });
  after(async () => {
    sqs?.destroy();
    await postbox?.stop();
  });

  it('a second PurgeQueue within 60 s is PurgeQueueInProgress (403)', async () => {
    const name = uniqueName('purge60');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    await expectQueryError(sqs.send(new PurgeQueueCommand({ QueueUrl })), {
      name: 'PurgeQueueInProgress',
      code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
      message: `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
    });
    clock.advance(60_000);
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  });

  it('re-creating a queue within 60 s of deleting it is QueueDeletedRecently', async () => {
    const name = uniqueName('deleted60');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await expectQueryError(sqs.send(new CreateQueueCommand({ QueueName: name })), {
      name: 'QueueDeletedRecently',
      code: 'AWS.SimpleQueueService.QueueDeletedRecently',
      status: 400,
      message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
    });
    clock.advance(60_000);
    const again = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal(again.QueueUrl, QueueUrl);
  });
});
