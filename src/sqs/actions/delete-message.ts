import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import { deleteByHandle } from '../receipts.js';
import type { SqsRuntime } from '../runtime.js';
import type { DeleteMessageInput } from '../types.js';

export async function deleteMessage(rt: SqsRuntime, input: DeleteMessageInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  await deleteByHandle(rt, queue, input.ReceiptHandle);
  return {};
}
