import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { ALL_QUEUE_ATTRIBUTES, needsCounts, renderAttributes } from '../queue-attributes.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { GetQueueAttributesInput } from '../types.js';

export async function getQueueAttributes(rt: SqsRuntime, input: GetQueueAttributesInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const names = new Set(input.AttributeNames ?? []);
  for (const n of names) {
    if (n !== 'All' && !ALL_QUEUE_ATTRIBUTES.has(n)) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  }
  // AWS: with no names the answer is empty.
  if (names.size === 0) return {};
  const counts = needsCounts(names) ? await rt.store.counts(queue.id, rt.clock.now()) : undefined;
  const attributes = renderAttributes(queue, names, counts);
  return Object.keys(attributes).length ? { Attributes: attributes } : {};
}
