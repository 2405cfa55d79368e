import { AwsError, invalidParameter } from '../../core/errors.js';
import { randomToken } from '../../core/ids.js';
import type { CallContext } from '../../core/service.js';
import type { MoveTaskRecord, QueueRecord } from '../../store/contract.js';
import * as L from '../limits.js';
import { encodeTaskHandle } from '../move-tasks.js';
import { parseQueueArn } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { CancelMessageMoveTaskInput, ListMessageMoveTasksInput, StartMessageMoveTaskInput } from '../types.js';

async function queueByArn(rt: SqsRuntime, param: 'SourceArn' | 'DestinationArn', arn: string | undefined): Promise<QueueRecord> {
  if (!arn) throw new AwsError('MissingParameter', `The request must contain the parameter ${param}.`);
  const key = parseQueueArn(arn);
  if (!key) {
    throw new AwsError(
      'InvalidParameterValue',
      `You must use this format to specify the ${param}: arn:<partition>:<service>:<region>:<account-id>:<resource-id>`,
    );
  }
  const queue = await rt.store.getQueue(key);
  if (!queue) throw new AwsError('ResourceNotFoundException', `The resource that you specified for the ${param} parameter doesn't exist.`);
  return queue;
}

const isActive = (t: MoveTaskRecord) => t.status === 'RUNNING' || t.status === 'CANCELLING';

export async function startMessageMoveTask(rt: SqsRuntime, input: StartMessageMoveTaskInput, _ctx: CallContext) {
  const source = await queueByArn(rt, 'SourceArn', input.SourceArn);
  const sourceArn = input.SourceArn!;
  if ((await rt.store.listDeadLetterSources(sourceArn, undefined, 1)).length === 0) {
    throw new AwsError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
  }
  if (input.DestinationArn !== undefined) {
    const destination = await queueByArn(rt, 'DestinationArn', input.DestinationArn);
    if (destination.id === source.id) {
      throw new AwsError('InvalidParameterValue', 'Source queue arn and destination queue arn cannot be the same.');
    }
    if (destination.fifo !== source.fifo) {
      throw new AwsError('InvalidParameterValue', 'The source queue and destination queue must be of the same queue type.');
    }
  }
  const rate = input.MaxNumberOfMessagesPerSecond;
  if (rate !== undefined && (rate < 1 || rate > L.MOVE_RATE_MAX)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a number that's between 1 and ${L.MOVE_RATE_MAX}.`,
    );
  }
  if ((await rt.store.listMoveTasks(sourceArn, 10)).some(isActive)) {
    throw new AwsError(
      'InvalidParameterValue',
      'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
    );
  }
  const now = rt.clock.now();
  const counts = await rt.store.counts(source.id, now);
  const task: MoveTaskRecord = {
    taskHandle: encodeTaskHandle(randomToken(12), sourceArn),
    sourceArn,
    status: 'RUNNING',
    startedAt: now,
    moved: 0,
    toMove: counts.visible + counts.inflight + counts.delayed,
  };
  if (input.DestinationArn !== undefined) task.destinationArn = input.DestinationArn;
  if (rate !== undefined) task.maxPerSecond = rate;
  await rt.store.saveMoveTask(task);
  rt.kickMoveTasks();
  return { TaskHandle: task.taskHandle };
}

export async function cancelMessageMoveTask(rt: SqsRuntime, input: CancelMessageMoveTaskInput, _ctx: CallContext) {
  const handle = input.TaskHandle;
  if (!handle) throw new AwsError('MissingParameter', 'The request must contain the parameter TaskHandle.');
  let sourceArn: unknown;
  try {
    sourceArn = (JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { sourceArn?: unknown }).sourceArn;
  } catch {
    sourceArn = undefined;
  }
  if (typeof sourceArn !== 'string') throw new AwsError('InvalidParameterValue', 'Value for parameter TaskHandle is invalid.');
  await queueByArn(rt, 'SourceArn', sourceArn);
  // Read-modify-write in the store: a step finishing on another node at the same moment either sees this cancel or
  // has already completed the task, in which case the cancel is refused as AWS refuses it for a finished task.
  let refused: string | undefined;
  const task = await rt.store.updateMoveTask(handle, (current) => {
    refused = current.status === 'RUNNING' ? undefined : current.status;
    return refused ? undefined : { ...current, status: 'CANCELLING' };
  });
  if (!task) throw new AwsError('ResourceNotFoundException', 'Task does not exist.');
  if (refused) throw invalidParameter('TaskHandle', handle, `Task is in status ${refused}.`);
  rt.kickMoveTasks();
  return { ApproximateNumberOfMessagesMoved: task.moved };
}

export async function listMessageMoveTasks(rt: SqsRuntime, input: ListMessageMoveTasksInput, _ctx: CallContext) {
  await queueByArn(rt, 'SourceArn', input.SourceArn);
  const max = input.MaxResults ?? 1;
  if (max < 1 || max > 10) throw invalidParameter('MaxResults', max, 'You must enter a number that\'s between 1 and 10.');
  const tasks = await rt.store.listMoveTasks(input.SourceArn!, max);
  return {
    Results: tasks.map((t) => {
      const r: Record<string, unknown> = {
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        SourceArn: t.sourceArn,
        StartedTimestamp: t.startedAt,
        Status: t.status,
      };
      // AWS shows the handle only while the task runs, and optional fields only when set.
      if (t.status === 'RUNNING') r['TaskHandle'] = t.taskHandle;
      if (t.destinationArn) r['DestinationArn'] = t.destinationArn;
      if (t.maxPerSecond !== undefined) r['MaxNumberOfMessagesPerSecond'] = t.maxPerSecond;
      if (t.failureReason) r['FailureReason'] = t.failureReason;
      return r;
    }),
  };
}
