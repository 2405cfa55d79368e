import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import * as L from '../limits.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { QueueUrlInput } from '../types.js';

export async function purgeQueue(rt: SqsRuntime, input: QueueUrlInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const now = rt.clock.now();
  const last = rt.purgedAt.get(queue.id);
  if (rt.options.strictDelays && last !== undefined && now - last < L.PURGE_INTERVAL_MS) {
    throw new AwsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
  }
  rt.purgedAt.set(queue.id, now);
  await rt.store.purge(queue.id);
  return {};
}
