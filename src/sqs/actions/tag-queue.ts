import type { CallContext } from '../../core/service.js';
import { queueDoesNotExist, resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import { validateTags } from '../tags.js';
import type { QueueUrlInput, TagQueueInput, UntagQueueInput } from '../types.js';
import { AwsError } from '../../core/errors.js';

export async function tagQueue(rt: SqsRuntime, input: TagQueueInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  if (!input.Tags || Object.keys(input.Tags).length === 0) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter Tags.');
  }
  const added = input.Tags;
  validateTags(added);
  // Merged inside the store's transaction: concurrent TagQueue calls each keep the other's tags. The tag count
  // limit applies to the merged set.
  const updated = await rt.store.updateQueue(queue.id, (current) => {
    const tags = { ...current.tags, ...added };
    validateTags(tags);
    return { ...current, tags };
  });
  if (!updated) throw queueDoesNotExist();
  return {};
}

export async function untagQueue(rt: SqsRuntime, input: UntagQueueInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  if (!input.TagKeys || input.TagKeys.length === 0) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter TagKeys.');
  }
  const keys = input.TagKeys;
  const updated = await rt.store.updateQueue(queue.id, (current) => {
    const tags = { ...current.tags };
    for (const key of keys) delete tags[key];
    return { ...current, tags };
  });
  if (!updated) throw queueDoesNotExist();
  return {};
}

export async function listQueueTags(rt: SqsRuntime, input: QueueUrlInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  return Object.keys(queue.tags).length ? { Tags: queue.tags } : {};
}
