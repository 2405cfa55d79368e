import { AwsError, invalidParameter } from '../core/errors.js';
import * as L from './limits.js';
import type { QueueRecord } from '../store/contract.js';
import { decodeReceipt, expiredReceipt, invalidReceipt } from './receipt.js';
import type { SqsRuntime } from './runtime.js';

/** DeleteMessage for one handle; shared by DeleteMessage and DeleteMessageBatch. */
export async function deleteByHandle(rt: SqsRuntime, queue: QueueRecord, handle: string | undefined): Promise<void> {
  if (handle === undefined || handle === '') throw new AwsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  const r = decodeReceipt(handle);
  if (r.queueId !== queue.id) throw invalidReceipt(handle);
  const outcome = await rt.store.deleteMessage(queue.id, r.rowId, r.token, rt.clock.now());
  // AWS: deleting an already-deleted message succeeds; a FIFO queue refuses a handle whose receive has lapsed.
  if (outcome === 'stale') throw expiredReceipt(handle);
}

/** ChangeMessageVisibility for one handle; shared with the batch form. */
export async function changeVisibilityByHandle(
  rt: SqsRuntime,
  queue: QueueRecord,
  handle: string | undefined,
  timeout: number | undefined,
): Promise<void> {
  if (handle === undefined || handle === '') throw new AwsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  if (timeout === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
  if (timeout < 0 || timeout > L.VISIBILITY_TIMEOUT_MAX) {
    throw invalidParameter('VisibilityTimeout', timeout, `VisibilityTimeout must be an integer between 0 and ${L.VISIBILITY_TIMEOUT_MAX}.`);
  }
  const r = decodeReceipt(handle);
  if (r.queueId !== queue.id) throw invalidReceipt(handle);
  const now = rt.clock.now();
  const outcome = await rt.store.changeVisibility(queue.id, r.rowId, r.token, now + timeout * 1000, now);
  if (outcome === 'gone' || outcome === 'stale') {
    throw invalidParameter('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change.');
  }
  if (timeout === 0) rt.waiters.notify(queue.id);
}
