import { invalidParameter } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { QueueRecord, ReceiveOptions, StoredMessage } from '../../store/contract.js';
import * as L from '../limits.js';
import { checkFifoId } from '../message-input.js';
import { numberAttribute, redrivePolicyOf } from '../queue-attributes.js';
import { parseQueueArn, queueArn, resolveQueue } from '../queue-ref.js';
import { encodeReceipt } from '../receipt.js';
import { renderMessage } from '../render-message.js';
import type { SqsRuntime } from '../runtime.js';
import type { Message, ReceiveMessageInput } from '../types.js';

export async function receiveMessage(rt: SqsRuntime, input: ReceiveMessageInput, ctx: CallContext): Promise<{ Messages?: Message[] }> {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const max = input.MaxNumberOfMessages ?? 1;
  if (max < 1 || max > L.RECEIVE_MAX_MESSAGES) {
    throw invalidParameter('MaxNumberOfMessages', max, `Must be between 1 and ${L.RECEIVE_MAX_MESSAGES}, if provided.`);
  }
  const visibility = input.VisibilityTimeout ?? numberAttribute(queue, 'VisibilityTimeout', L.VISIBILITY_TIMEOUT_DEFAULT);
  if (visibility < 0 || visibility > L.VISIBILITY_TIMEOUT_MAX) {
    throw invalidParameter('VisibilityTimeout', visibility, `Must be >= 0 and <= ${L.VISIBILITY_TIMEOUT_MAX}, if provided.`);
  }
  const waitSeconds = input.WaitTimeSeconds ?? numberAttribute(queue, 'ReceiveMessageWaitTimeSeconds', 0);
  if (waitSeconds < 0 || waitSeconds > L.WAIT_TIME_SECONDS_MAX) {
    throw invalidParameter('WaitTimeSeconds', waitSeconds, `Must be >= 0 and <= ${L.WAIT_TIME_SECONDS_MAX}, if provided.`);
  }
  // AWS ignores ReceiveRequestAttemptId on standard queues.
  const attemptId = queue.fifo ? input.ReceiveRequestAttemptId : undefined;
  if (attemptId !== undefined) checkFifoId('ReceiveRequestAttemptId', attemptId);

  const options: ReceiveOptions = { max, visibilityTimeoutMs: visibility * 1000, now: 0 };
  if (attemptId !== undefined) options.attemptId = attemptId;
  const redrive = await redriveFor(rt, queue);
  let movedToDeadLetter = false;
  if (redrive) options.redrive = { ...redrive, onMoved: () => (movedToDeadLetter = true) };

  const deadline = rt.clock.now() + waitSeconds * 1000;
  let taken: StoredMessage[];
  for (;;) {
    const version = rt.waiters.version(queue.id);
    options.now = rt.clock.now();
    taken = await rt.store.receive(queue, options);
    // Messages past maxReceiveCount moved to the dead-letter queue: wake its long polls (only then: two queues that
    // dead-letter into each other must not wake each other's pollers forever).
    if (movedToDeadLetter) {
      movedToDeadLetter = false;
      rt.waiters.notify(options.redrive!.deadLetterQueue.id);
    }
    if (taken.length || options.now >= deadline || rt.waiters.isClosing) break;
    // Sleep until a send wakes us, the next delayed or in-flight message turns visible, or the wait ends.
    const next = await rt.store.nextVisibleAt(queue.id, options.now);
    const until = next === undefined ? deadline : Math.min(deadline, next);
    await rt.waiters.wait(queue.id, version, until - rt.clock.now());
  }
  if (taken.length === 0) return {};

  const systemNames =
    input.AttributeNames?.length || input.MessageSystemAttributeNames?.length
      ? new Set([...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])])
      : NO_NAMES;
  const attributeNames = input.MessageAttributeNames ?? [];
  const messages: Message[] = new Array(taken.length);
  for (let i = 0; i < taken.length; i++) {
    const m = taken[i]!;
    messages[i] = renderMessage(m, encodeReceipt(queue.id, m.rowId, m.receiptToken!), systemNames, attributeNames);
  }
  return { Messages: messages };
}

/** Most receives ask for no attributes: they share one empty set rather than build their own. */
const NO_NAMES: ReadonlySet<string> = new Set();

/** The dead-letter queue this queue's RedrivePolicy names, if it exists now. */
async function redriveFor(rt: SqsRuntime, queue: QueueRecord): Promise<ReceiveOptions['redrive']> {
  const policy = redrivePolicyOf(queue);
  if (!policy) return undefined;
  const key = parseQueueArn(policy.deadLetterTargetArn);
  const dlq = key && (await rt.store.getQueue(key));
  if (!dlq) return undefined;
  return {
    maxReceiveCount: policy.maxReceiveCount,
    deadLetterQueue: dlq,
    sourceArn: queueArn(queue),
    retentionMs: numberAttribute(dlq, 'MessageRetentionPeriod', L.RETENTION_DEFAULT) * 1000,
  };
}
