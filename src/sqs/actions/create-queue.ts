import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import * as L from '../limits.js';
import { defaultAttributes, validateAttributes } from '../queue-attributes.js';
import { queueUrl } from '../queue-ref.js';
import { checkRedriveTarget, applyEncryptionRules } from '../queue-rules.js';
import type { SqsRuntime } from '../runtime.js';
import { validateTags } from '../tags.js';
import type { CreateQueueInput } from '../types.js';

export async function createQueue(rt: SqsRuntime, input: CreateQueueInput, ctx: CallContext) {
  const name = input.QueueName;
  if (name === undefined) throw new AwsError('InvalidParameterValue', 'Value for parameter QueueName is invalid. Reason: Must specify a queue name.');
  if (name === '') throw new AwsError('InvalidParameterValue', 'Queue name cannot be empty');
  const requested = input.Attributes ?? {};
  // AWS makes a FIFO queue only when asked with FifoQueue=true, and then the name must end in .fifo.
  const fifo = String(requested['FifoQueue'] ?? '').toLowerCase() === 'true';
  if (fifo) {
    const base = name.endsWith(L.FIFO_SUFFIX) ? name.slice(0, -L.FIFO_SUFFIX.length) : '';
    if (name.length > L.QUEUE_NAME_MAX || !/^[A-Za-z0-9_-]+$/.test(base)) {
      throw new AwsError(
        'InvalidParameterValue',
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
  } else if (!L.QUEUE_NAME_PATTERN.test(name)) {
    throw new AwsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
  const given = validateAttributes(requested, fifo, true);
  if (!fifo) delete given['FifoQueue'];
  const tags = input.tags ?? {};
  validateTags(tags);

  const key = { accountId: ctx.accountId, region: ctx.region, name };
  const existing = await rt.store.getQueue(key);
  if (existing) {
    // Idempotent when every attribute given matches the queue's; tags are not compared (AWS).
    for (const [attr, value] of Object.entries(given)) {
      const current = existing.attributes[attr] ?? '';
      if (current !== value) {
        throw new AwsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${attr}`);
      }
    }
    return { QueueUrl: queueUrl(ctx, existing) };
  }
  const now = rt.clock.now();
  const deletedKey = `${key.accountId}/${key.region}/${name}`;
  const deletedAt = rt.deletedAt.get(deletedKey);
  if (rt.options.strictDelays && deletedAt !== undefined && now - deletedAt < L.DELETED_QUEUE_REUSE_MS) {
    throw new AwsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
  }
  const attributes = { ...defaultAttributes(fifo), ...given };
  applyEncryptionRules(attributes, given);
  for (const [k, v] of Object.entries(attributes)) if (v === '') delete attributes[k];
  await checkRedriveTarget(rt, attributes, fifo, key);
  const { queue } = await rt.store.createQueue({ ...key, fifo, attributes, tags, createdAt: now, modifiedAt: now });
  return { QueueUrl: queueUrl(ctx, queue) };
}
