import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { checkBatchEntries, entryError } from '../batch.js';
import * as L from '../limits.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import { fifoOptions, newBodyMemo, prepareSend, type PreparedSend } from '../send.js';
import type { NewMessage } from '../../store/contract.js';
import type { BatchResultErrorEntry, SendMessageBatchInput, SendMessageBatchRequestEntry, SendMessageResult } from '../types.js';

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
  const ids: string[] = [];
  const prepared: PreparedSend[] = [];
  const memo = newBodyMemo();
  let total = 0;
  for (const entry of entries) {
    try {
      const p = prepareSend(queue, entry, ctx, now, true, memo);
      total += p.size;
      ids.push(entry.Id);
      prepared.push(p);
    } catch (err) {
      if (!(err instanceof AwsError) || WHOLE_BATCH_MESSAGES.includes(err.message)) throw err;
      failed.push(entryError(entry.Id, err));
    }
  }
  if (total > L.MESSAGE_SIZE_MAX) {
    throw new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${L.MESSAGE_SIZE_MAX} bytes. You have sent ${total} bytes.`);
  }
  const messages: NewMessage[] = new Array(prepared.length);
  for (let i = 0; i < prepared.length; i++) messages[i] = prepared[i]!.message;
  const sent = messages.length ? await rt.store.send(queue, messages, fifoOptions(queue)) : [];
  if (sent.length) rt.waiters.notify(queue.id);
  // Built member by member (no spreads) in the order AWS writes them: this runs for every message sent.
  const successful: SendMessageBatchResultEntry[] = new Array(prepared.length);
  for (let i = 0; i < prepared.length; i++) {
    const s = sent[i]!;
    const result = prepared[i]!.result;
    const out: SendMessageBatchResultEntry = { Id: ids[i]!, MessageId: s.messageId, MD5OfMessageBody: result.MD5OfMessageBody };
    if (result.MD5OfMessageAttributes !== undefined) out.MD5OfMessageAttributes = result.MD5OfMessageAttributes;
    if (result.MD5OfMessageSystemAttributes !== undefined) out.MD5OfMessageSystemAttributes = result.MD5OfMessageSystemAttributes;
    if (s.sequenceNumber !== undefined) out.SequenceNumber = s.sequenceNumber;
    successful[i] = out;
  }
  return { Successful: successful, Failed: failed };
}

type SendMessageBatchResultEntry = SendMessageResult & { Id: string };
