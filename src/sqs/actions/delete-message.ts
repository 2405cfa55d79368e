import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import { deleteByHandles } from '../receipts.js';
import type { SqsRuntime } from '../runtime.js';
import type { DeleteMessageInput } from '../types.js';

export async function deleteMessage(rt: SqsRuntime, input: DeleteMessageInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const [error] = await deleteByHandles(rt, queue, [{ handle: input.ReceiptHandle }]);
  if (error) throw error;
  return {};
}
