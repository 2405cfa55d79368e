import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { validateAttributes } from '../queue-attributes.js';
import { queueDoesNotExist, resolveQueue } from '../queue-ref.js';
import { applyEncryptionRules, checkRedriveTarget } from '../queue-rules.js';
import type { QueueRecord } from '../../store/contract.js';
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
  // The new attributes are computed from the record as it is inside the store's transaction, so that concurrent
  // SetQueueAttributes calls (on this node or another) each keep the other's changes.
  const merge = (current: QueueRecord): Record<string, string> => {
    const attributes = { ...current.attributes, ...given };
    applyEncryptionRules(attributes, given);
    // An empty string removes an optional attribute (Policy, RedrivePolicy, RedriveAllowPolicy, KmsMasterKeyId).
    for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
    return attributes;
  };
  // The dead-letter target is another queue, looked up before the transaction. The RedrivePolicy stored is either
  // this call's (checked here) or the current one (checked by the call that set it), so nothing unchecked lands.
  await checkRedriveTarget(rt, merge(queue), queue.fifo, queue);
  const modifiedAt = rt.clock.now();
  const updated = await rt.store.updateQueue(queue.id, (current) => ({ attributes: merge(current), tags: current.tags, modifiedAt }));
  if (!updated) throw queueDoesNotExist();
  // A shorter delay or wait may make messages visible sooner than a waiting long poll planned for.
  rt.waiters.notify(queue.id);
  return {};
}

