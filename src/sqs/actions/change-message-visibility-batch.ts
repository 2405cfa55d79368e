import type { CallContext } from '../../core/service.js';
import { batchResult, checkBatchEntries } from '../batch.js';
import { resolveQueue } from '../queue-ref.js';
import { changeVisibilityByHandles } from '../receipts.js';
import type { SqsRuntime } from '../runtime.js';
import type { BatchEntry, BatchInput } from '../types.js';

export async function changeMessageVisibilityBatch(rt: SqsRuntime, input: BatchInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const entries = checkBatchEntries(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry') as (BatchEntry & { Id: string })[];
  const outcomes = await changeVisibilityByHandles(rt, queue, entries.map((e) => ({ handle: e.ReceiptHandle, timeout: e.VisibilityTimeout })));
  return batchResult(entries, outcomes);
}
