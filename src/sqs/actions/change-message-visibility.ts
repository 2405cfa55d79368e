import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import { changeVisibilityByHandle } from '../receipts.js';
import type { SqsRuntime } from '../runtime.js';
import type { ChangeMessageVisibilityInput } from '../types.js';

export async function changeMessageVisibility(rt: SqsRuntime, input: ChangeMessageVisibilityInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  await changeVisibilityByHandle(rt, queue, input.ReceiptHandle, input.VisibilityTimeout);
  return {};
}
