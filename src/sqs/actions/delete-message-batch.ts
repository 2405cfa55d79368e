import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { checkBatchEntries, entryError } from '../batch.js';
import { resolveQueue } from '../queue-ref.js';
import { deleteByHandle } from '../receipts.js';
import type { SqsRuntime } from '../runtime.js';
import type { BatchInput, BatchResultErrorEntry } from '../types.js';

export async function deleteMessageBatch(rt: SqsRuntime, input: BatchInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const entries = checkBatchEntries(input.Entries, 'DeleteMessageBatchRequestEntry');
  const successful: { Id: string }[] = [];
  const failed: BatchResultErrorEntry[] = [];
  for (const entry of entries as (typeof entries[number] & { ReceiptHandle?: string })[]) {
    try {
      await deleteByHandle(rt, queue, entry.ReceiptHandle);
      successful.push({ Id: entry.Id });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      failed.push(entryError(entry.Id, err));
    }
  }
  return { Successful: successful, Failed: failed };
}
