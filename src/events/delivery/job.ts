/**
 * A delivery job: one event for one target of one rule, kept in the internal queue `events-deliveries` (see
 * src/delivery/internal-queue.ts) until the target took it or EventBridge gave up on it. Everything an attempt
 * needs is in the job, so an attempt reads nothing that may have changed since the event was routed — as on AWS,
 * where an invocation carries the target configuration it was routed with.
 */
import type { EventEnvelope } from '../envelope.js';
import type { Target } from '../types.js';

export const DELIVERY_QUEUE = 'events-deliveries';

export interface DeliveryJob {
  readonly ruleArn: string;
  /** The account and region of the rule (the sender, for SNS and bus targets). */
  readonly accountId: string;
  readonly region: string;
  /** The target as PutTargets stored it: Arn, RetryPolicy, DeadLetterConfig, HttpParameters, SqsParameters… */
  readonly target: Target;
  /** The event as routed (what a bus target receives and what a dead-letter queue gets). */
  readonly event: EventEnvelope;
  /** What the target receives: the event shaped by Input / InputPath / InputTransformer. */
  readonly input: string;
  /** The Host clients reach Postbox at, for URLs in SNS envelopes. */
  readonly host: string;
  /** Bus-to-bus hops the event made before this job (absent: none), to stop rules that forward in a circle. */
  readonly hops?: number;
}

/** Bus-to-bus hops after which an event is not forwarded again. */
export const MAX_BUS_HOPS = 8;

/** Why an attempt failed, in the words a dead-letter message carries (ERROR_CODE, ERROR_MESSAGE). */
export interface DeliveryFailure {
  readonly code: string;
  readonly message: string;
  /** False for failures that retrying cannot cure (no such resource, a 4xx answer): dead-lettered at once. */
  readonly retryable: boolean;
}

export const failure = (code: string, message: string, retryable: boolean): DeliveryFailure => ({ code, message, retryable });
