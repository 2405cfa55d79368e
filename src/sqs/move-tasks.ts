import type { MoveDestination, MoveTaskRecord, QueueRecord } from '../store/contract.js';
import * as L from './limits.js';
import { numberAttribute } from './queue-attributes.js';
import { parseQueueArn } from './queue-ref.js';
import type { SqsRuntime } from './runtime.js';

/** How often running move tasks advance, in clock time; each step moves one second's worth of messages. */
export const MOVE_STEP_MS = 1_000;
const CHUNK = 100;

export function destinationOf(queue: QueueRecord): MoveDestination {
  return { queue, retentionMs: numberAttribute(queue, 'MessageRetentionPeriod', L.RETENTION_DEFAULT) * 1000 };
}

/**
 * Advances every active message move task by one step: up to MaxNumberOfMessagesPerSecond messages each, from the
 * dead-letter queue to the destination (or back to each message's source queue). Task state lives in the store, so
 * a restarted server (or the node taking over leadership) carries on; each task advances at most once per step
 * interval, however often steps are kicked and whichever node runs them.
 */
export async function stepMoveTasks(rt: SqsRuntime, options: { onlyNew?: boolean } = {}): Promise<boolean> {
  const tasks = await rt.store.listActiveMoveTasks();
  for (const task of tasks) {
    // An early step (kicked) leaves tasks already under way to the regular rhythm: their next step is due then.
    if (options.onlyNew && task.status === 'RUNNING' && task.steppedAt !== undefined) continue;
    await stepTask(rt, task);
  }
  return tasks.length > 0;
}

async function stepTask(rt: SqsRuntime, task: MoveTaskRecord): Promise<void> {
  task.steppedAt = rt.clock.now();
  if (task.status === 'CANCELLING') {
    const steppedAt = task.steppedAt;
    await rt.store.updateMoveTask(task.taskHandle, (current) =>
      current.status === 'CANCELLING' ? { ...current, status: 'CANCELLED', steppedAt } : undefined,
    );
    return;
  }
  const sourceKey = parseQueueArn(task.sourceArn);
  const source = sourceKey && (await rt.store.getQueue(sourceKey));
  if (!source) return fail(rt, task, 'AWS.SimpleQueueService.NonExistentQueue');
  let fixed: MoveDestination | undefined;
  if (task.destinationArn) {
    const key = parseQueueArn(task.destinationArn);
    const queue = key && (await rt.store.getQueue(key));
    if (!queue) return fail(rt, task, 'AWS.SimpleQueueService.NonExistentQueue');
    fixed = destinationOf(queue);
  }
  let budget = Math.min(task.maxPerSecond ?? L.MOVE_RATE_DEFAULT, Math.max(0, task.toMove - task.moved));
  while (budget > 0) {
    const now = rt.clock.now();
    const limit = Math.min(CHUNK, budget);
    const bySource = new Map<string, MoveDestination>();
    if (!fixed) {
      for (const arn of await rt.store.sourceArnsOfNext(source.id, limit, now)) {
        const key = arn ? parseQueueArn(arn) : undefined;
        const queue = key && (await rt.store.getQueue(key));
        if (queue) bySource.set(arn, destinationOf(queue));
      }
    }
    const resolve = (arn: string | undefined) => fixed ?? bySource.get(arn ?? '');
    const result = await rt.store.moveMessages(source.id, resolve, limit, now);
    task.moved += result.moved;
    budget -= result.moved;
    for (const id of result.destinations) rt.waiters.notify(id);
    if (result.blocked) return fail(rt, task, 'CouldNotDetermineMessageSource');
    if (result.moved < limit) {
      task.status = 'COMPLETED';
      break;
    }
  }
  if (task.moved >= task.toMove) task.status = 'COMPLETED';
  await finishStep(rt, task);
}

/**
 * Stores the step's outcome. CancelMessageMoveTask may have come in (on this node or another) while the step ran:
 * the store's read-modify-write shows it here, and a task the step left RUNNING is then CANCELLED (its progress
 * kept) rather than writing RUNNING over the cancel. A step that finished the task, or failed it, has the last word.
 */
async function finishStep(rt: SqsRuntime, task: MoveTaskRecord): Promise<void> {
  await rt.store.updateMoveTask(task.taskHandle, (current) => {
    if (current.status === 'CANCELLED' || current.status === 'COMPLETED' || current.status === 'FAILED') return undefined;
    if (task.status === 'RUNNING' && current.status === 'CANCELLING') return { ...task, status: 'CANCELLED' };
    return task;
  });
}

async function fail(rt: SqsRuntime, task: MoveTaskRecord, reason: string): Promise<void> {
  await finishStep(rt, { ...task, status: 'FAILED', failureReason: reason });
}

/** Task handles carry the source ARN, since CancelMessageMoveTask names a task by its handle alone. */
export const encodeTaskHandle = (taskId: string, sourceArn: string): string =>
  Buffer.from(JSON.stringify({ taskId, sourceArn })).toString('base64');
