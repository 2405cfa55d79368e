/**
 * Dead-letter queues over the AWS Query protocol, driven by @aws-sdk/client-sqs 3.445: RedrivePolicy at receive
 * time, ListDeadLetterSourceQueues, and the message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask). Time moves with a ManualClock; move tasks advance one step per clock second.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from 'sqs-query';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { queryClient, startClockedPostbox, uniqueName } from '../../support/postbox.js';
import { eventually, expectQueryError } from './support.js';

describe('Query protocol: dead-letter queues and message move tasks', () => {
  let postbox: Postbox;
  let clock: ManualClock;
  let sqs: SQSClient;
  before(async () => {
    ({ postbox, clock } = await startClockedPostbox());
    sqs = queryClient(postbox.endpoint);
  });
  after(async () => {
    sqs?.destroy();
    await postbox?.stop();
  });

  const create = async (name: string, attributes?: Record<string, string>) => {
    const QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    return { url: QueueUrl, arn };
  };
  const visible = async (QueueUrl: string) =>
    Number(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes![
        'ApproximateNumberOfMessages'
      ],
    );
  const redriveTo = (arn: string, maxReceiveCount = 1) => ({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }) });

  it('ListDeadLetterSourceQueues lists the queues whose RedrivePolicy targets the queue, with paging', async () => {
    const base = uniqueName('ldl');
    const dlq = await create(`${base}-dlq`);
    const a = await create(`${base}-a`, redriveTo(dlq.arn, 3));
    const b = await create(`${base}-b`, redriveTo(dlq.arn, 3));
    const all = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
    assert.deepEqual([...(all.queueUrls ?? [])].sort(), [a.url, b.url].sort());
    assert.equal(all.NextToken, undefined);

    const page1 = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url, MaxResults: 1 }));
    assert.equal(page1.queueUrls?.length, 1);
    assert.ok(page1.NextToken);
    const page2 = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url, MaxResults: 1, NextToken: page1.NextToken }));
    assert.equal(page2.queueUrls?.length, 1);
    assert.deepEqual([...page1.queueUrls!, ...page2.queueUrls!].sort(), [a.url, b.url].sort());

    const lonely = await create(`${base}-lonely`);
    const none = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: lonely.url }));
    assert.deepEqual(none.queueUrls ?? [], []);
  });

  describe('redrive and move tasks', () => {
    let dlq: { url: string; arn: string };
    let source: { url: string; arn: string };
    let other: { url: string; arn: string };
    const sentIds: string[] = [];

    before(async () => {
      const base = uniqueName('move');
      dlq = await create(`${base}-dlq`);
      source = await create(`${base}-src`, redriveTo(dlq.arn, 1));
      other = await create(`${base}-dest`);
      for (const body of ['m1', 'm2', 'm3']) {
        sentIds.push((await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }))).MessageId!);
      }
    });

    it('moves a message to the dead-letter queue when a receive passes maxReceiveCount', async () => {
      const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      assert.equal(first.Messages?.length, 3);
      const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      assert.equal(second.Messages, undefined, 'the second receive moves them instead of returning them');
      assert.equal(await visible(dlq.url), 3);
      const inDlq = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, AttributeNames: ['All'] }),
      );
      assert.deepEqual(inDlq.Messages?.map((m) => m.MessageId).sort(), [...sentIds].sort());
      for (const m of inDlq.Messages!) assert.equal(m.Attributes?.['DeadLetterQueueSourceArn'], source.arn);
    });

    it('refuses a source that is not a dead-letter queue or does not exist', async () => {
      await expectQueryError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: source.arn })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Source queue must be configured as a Dead Letter Queue.',
      });
      await expectQueryError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `${dlq.arn}-nope` })), {
        name: 'ResourceNotFoundException',
        code: 'ResourceNotFoundException',
        status: 404,
        message: "The resource that you specified for the SourceArn parameter doesn't exist.",
      });
      await expectQueryError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: `${other.arn}-nope` })), {
        code: 'ResourceNotFoundException',
        status: 404,
        message: "The resource that you specified for the DestinationArn parameter doesn't exist.",
      });
      await expectQueryError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 501 })), {
        code: 'InvalidParameterValue',
        status: 400,
      });
      await expectQueryError(sqs.send(new ListMessageMoveTasksCommand({ SourceArn: `${dlq.arn}-nope` })), {
        code: 'ResourceNotFoundException',
        status: 404,
      });
      await expectQueryError(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'not-a-handle' })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'Value for parameter TaskHandle is invalid.',
      });
    });

    it('starts a rate-limited task, lists it while RUNNING, refuses a second one, and cancels it', async () => {
      const startedAt = clock.now();
      const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 1 }));
      assert.ok(TaskHandle);
      const running = await eventually('the first step', async () => {
        const out = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
        const t = out.Results?.[0];
        return t && t.ApproximateNumberOfMessagesMoved === 1 ? t : undefined;
      });
      assert.equal(running.Status, 'RUNNING');
      assert.equal(running.TaskHandle, TaskHandle);
      assert.equal(running.SourceArn, dlq.arn);
      assert.equal(running.DestinationArn, undefined);
      assert.equal(running.MaxNumberOfMessagesPerSecond, 1);
      assert.equal(running.ApproximateNumberOfMessagesToMove, 3);
      assert.equal(running.StartedTimestamp, startedAt, 'StartedTimestamp is epoch milliseconds');

      await expectQueryError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn })), {
        code: 'InvalidParameterValue',
        status: 400,
        message: 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      });

      clock.advance(1_000);
      await eventually('the second step', async () => {
        const t = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results?.[0];
        return t?.ApproximateNumberOfMessagesMoved === 2 ? t : undefined;
      });
      const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      assert.equal(cancelled.ApproximateNumberOfMessagesMoved, 2);
      const done = await eventually('the cancellation', async () => {
        const t = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results?.[0];
        return t?.Status === 'CANCELLED' ? t : undefined;
      });
      assert.equal(done.TaskHandle, undefined, 'the handle is shown only while the task runs');
      // Without a DestinationArn the messages went back to the queue they came from.
      assert.equal(await visible(source.url), 2);
      assert.equal(await visible(dlq.url), 1);
    });

    it('moves the rest to an explicit destination and lists tasks newest first', async () => {
      const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: other.arn }));
      const completed = await eventually('completion', async () => {
        const t = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results?.[0];
        return t?.Status === 'COMPLETED' ? t : undefined;
      });
      assert.equal(completed.DestinationArn, other.arn);
      assert.equal(completed.ApproximateNumberOfMessagesMoved, 1);
      assert.equal(completed.MaxNumberOfMessagesPerSecond, undefined);
      assert.equal(completed.TaskHandle, undefined);
      assert.equal(await visible(other.url), 1);
      assert.equal(await visible(dlq.url), 0);

      const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }));
      assert.deepEqual(listed.Results?.map((t) => t.Status), ['COMPLETED', 'CANCELLED']);
      // A finished task cannot be cancelled.
      await expectQueryError(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })), { code: 'InvalidParameterValue', status: 400 });
    });
  });
});
