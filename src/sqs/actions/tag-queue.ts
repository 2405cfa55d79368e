import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import { validateTags } from '../tags.js';
import type { QueueUrlInput, TagQueueInput, UntagQueueInput } from '../types.js';
import { AwsError } from '../../core/errors.js';

export async function tagQueue(rt: SqsRuntime, input: TagQueueInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  if (!input.Tags || Object.keys(input.Tags).length === 0) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter Tags.');
  }
  const tags = { ...queue.tags, ...input.Tags };
  validateTags(tags);
  await rt.store.updateQueue({ ...queue, tags });
  return {};
}

export async function untagQueue(rt: SqsRuntime, input: UntagQueueInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  if (!input.TagKeys || input.TagKeys.length === 0) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter TagKeys.');
  }
  const tags = { ...queue.tags };
  for (const key of input.TagKeys) delete tags[key];
  await rt.store.updateQueue({ ...queue, tags });
  return {};
}

export async function listQueueTags(rt: SqsRuntime, input: QueueUrlInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  return Object.keys(queue.tags).length ? { Tags: queue.tags } : {};
}
