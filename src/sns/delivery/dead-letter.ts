/**
 * A subscription's dead-letter queue (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html): the
 * queue its RedrivePolicy's `deadLetterTargetArn` names, read the same way by every delivery that can fail.
 */
import { parseQueueArn } from '../../sqs/queue-ref.js';
import type { QueueRecord, Store } from '../../store/contract.js';
import type { SubscriptionRecord } from '../../store/sns-contract.js';

/** The queue the subscription's RedrivePolicy names; undefined without one, or when it is unreadable or gone. */
export async function deadLetterQueueOf(queues: Store, s: SubscriptionRecord): Promise<QueueRecord | undefined> {
  const policy = s.attributes['RedrivePolicy'];
  if (!policy) return undefined;
  let target: unknown;
  try {
    target = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
  } catch {
    return undefined;
  }
  const key = typeof target === 'string' ? parseQueueArn(target) : undefined;
  return key ? queues.getQueue(key) : undefined;
}
