import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import { changeVisibilityByHandles } from '../receipts.js';
import type { SqsRuntime } from '../runtime.js';
import type { ChangeMessageVisibilityInput } from '../types.js';

export async function changeMessageVisibility(rt: SqsRuntime, input: ChangeMessageVisibilityInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const [error] = await changeVisibilityByHandles(rt, queue, [{ handle: input.ReceiptHandle, timeout: input.VisibilityTimeout }]);
  if (error) throw error;
  return {};
}
