import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { QueueUrlInput } from '../types.js';

export async function deleteQueue(rt: SqsRuntime, input: QueueUrlInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  await rt.store.deleteQueue(queue.id);
  rt.deletedAt.set(`${queue.accountId}/${queue.region}/${queue.name}`, rt.clock.now());
  rt.purgedAt.delete(queue.id);
  rt.waiters.notify(queue.id);
  return {};
}
