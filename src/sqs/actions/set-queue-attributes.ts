import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { validateAttributes } from '../queue-attributes.js';
import { resolveQueue } from '../queue-ref.js';
import { applyEncryptionRules, checkRedriveTarget } from '../queue-rules.js';
import type { SqsRuntime } from '../runtime.js';
import type { SetQueueAttributesInput } from '../types.js';

export async function setQueueAttributes(rt: SqsRuntime, input: SetQueueAttributesInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const requested = input.Attributes ?? {};
  if ('FifoQueue' in requested) {
    // AWS: the queue type is fixed at creation.
    if (!queue.fifo) throw new AwsError('InvalidAttributeName', 'Unknown Attribute FifoQueue.');
    throw new AwsError('InvalidAttributeValue', 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.');
  }
  const given = validateAttributes(requested, queue.fifo, false);
  const attributes = { ...queue.attributes, ...given };
  applyEncryptionRules(attributes, given);
  // An empty string removes an optional attribute (Policy, RedrivePolicy, RedriveAllowPolicy, KmsMasterKeyId).
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  await checkRedriveTarget(rt, attributes, queue.fifo, queue);
  await rt.store.updateQueue({ ...queue, attributes, modifiedAt: rt.clock.now() });
  // A shorter delay or wait may make messages visible sooner than a waiting long poll planned for.
  rt.waiters.notify(queue.id);
  return {};
}
