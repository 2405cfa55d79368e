import type { CallContext } from '../../core/service.js';
import { resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import { fifoOptions, prepareSend } from '../send.js';
import type { SendMessageInput, SendMessageResult } from '../types.js';

export async function sendMessage(rt: SqsRuntime, input: SendMessageInput, ctx: CallContext): Promise<SendMessageResult> {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const prepared = prepareSend(queue, input, ctx, rt.clock.now(), false);
  const [sent] = await rt.store.send(queue, [prepared.message], fifoOptions(queue));
  rt.waiters.notify(queue.id);
  const out: SendMessageResult = { ...prepared.result, MessageId: sent!.messageId };
  if (sent!.sequenceNumber !== undefined) out.SequenceNumber = sent!.sequenceNumber;
  return out;
}
