import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { checkBatchEntries, entryError } from '../batch.js';
import * as L from '../limits.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import { fifoOptions, prepareSend, type PreparedSend } from '../send.js';
import type { BatchResultErrorEntry, SendMessageBatchInput, SendMessageBatchRequestEntry } from '../types.js';

/** AWS fails the whole batch (not just the entry) for these FIFO mistakes. */
const WHOLE_BATCH_MESSAGES = [
  'The request must contain the parameter MessageGroupId.',
  'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
];

export async function sendMessageBatch(rt: SqsRuntime, input: SendMessageBatchInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const entries = checkBatchEntries(input.Entries, 'SendMessageBatchRequestEntry') as (SendMessageBatchRequestEntry & { Id: string })[];
  const now = rt.clock.now();
  const failed: BatchResultErrorEntry[] = [];
  const accepted: { id: string; prepared: PreparedSend }[] = [];
  let total = 0;
  for (const entry of entries) {
    try {
      const prepared = prepareSend(queue, entry, ctx, now, true);
      total += prepared.size;
      accepted.push({ id: entry.Id, prepared });
    } catch (err) {
      if (!(err instanceof AwsError) || WHOLE_BATCH_MESSAGES.includes(err.message)) throw err;
      failed.push(entryError(entry.Id, err));
    }
  }
  if (total > L.MESSAGE_SIZE_MAX) {
    throw new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${L.MESSAGE_SIZE_MAX} bytes. You have sent ${total} bytes.`);
  }
  const sent = accepted.length
    ? await rt.store.send(queue, accepted.map((a) => a.prepared.message), fifoOptions(queue))
    : [];
  if (sent.length) rt.waiters.notify(queue.id);
  const successful = accepted.map((a, i) => {
    const s = sent[i]!;
    return {
      Id: a.id,
      MessageId: s.messageId,
      ...a.prepared.result,
      ...(s.sequenceNumber !== undefined ? { SequenceNumber: s.sequenceNumber } : {}),
    };
  });
  return { Successful: successful, Failed: failed };
}
