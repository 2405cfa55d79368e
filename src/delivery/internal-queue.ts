/**
 * Internal queues: ordinary queues of the store that no client can reach, used by Postbox itself to hold work that
 * must survive a restart — deliveries to HTTP endpoints and other targets that are retried until they succeed or
 * give up. Keeping that work in queues gives it every guarantee queues already have: it is committed with the
 * request that caused it, a worker that dies mid-attempt releases it when its visibility timeout passes, and with
 * the PostgreSQL engine several nodes share it without taking the same job twice (SKIP LOCKED).
 *
 * They live in the account `postbox`, which no request can name (AWS account ids are twelve digits), so they never
 * show in ListQueues and no client can send to, receive from or delete them.
 */
import type { NewMessage, QueueRecord, Store } from '../store/contract.js';
import { newMessageId } from '../core/ids.js';
import { md5Hex } from '../sqs/md5.js';
import { defaultAttributes } from '../sqs/queue-attributes.js';

export const INTERNAL_ACCOUNT = 'postbox';

/** The longest retention a queue has (14 days): no pending job is dropped for age before its own policy drops it. */
const RETENTION_MS = 14 * 24 * 3600 * 1000;

/** The internal queue `name` of a region, created on first use. */
export async function internalQueue(store: Store, region: string, name: string, now: number): Promise<QueueRecord> {
  const existing = await store.getQueue({ accountId: INTERNAL_ACCOUNT, region, name });
  if (existing) return existing;
  const attributes = { ...defaultAttributes(false), MessageRetentionPeriod: String(RETENTION_MS / 1000) };
  const { queue } = await store.createQueue({
    accountId: INTERNAL_ACCOUNT,
    region,
    name,
    fifo: false,
    attributes,
    tags: {},
    createdAt: now,
    modifiedAt: now,
  });
  return queue;
}

/** A job as a queue message: the job's JSON is the body; it becomes visible `delayMs` after `now`. */
export function jobMessage(job: unknown, now: number, delayMs = 0): NewMessage {
  const body = JSON.stringify(job);
  return {
    messageId: newMessageId(),
    body,
    md5OfBody: md5Hex(body),
    senderId: INTERNAL_ACCOUNT,
    sentAt: now,
    visibleAt: now + delayMs,
    expiresAt: now + RETENTION_MS,
  };
}

/** A job re-queued for its next attempt: the attempt number and first enqueue time travel with it (worker.ts). */
export interface RetryEnvelope<J> {
  readonly postboxRetry: { readonly attempt: number; readonly enqueuedAt: number };
  readonly job: J;
}

/** The message of attempt `attempt` of a job first enqueued at `enqueuedAt`, due at `at`; it expires with the job. */
export function retryMessage(job: unknown, attempt: number, enqueuedAt: number, at: number, now: number): NewMessage {
  const envelope: RetryEnvelope<unknown> = { postboxRetry: { attempt, enqueuedAt }, job };
  const body = JSON.stringify(envelope);
  return {
    messageId: newMessageId(),
    body,
    md5OfBody: md5Hex(body),
    senderId: INTERNAL_ACCOUNT,
    sentAt: now,
    visibleAt: at,
    expiresAt: enqueuedAt + RETENTION_MS,
  };
}
