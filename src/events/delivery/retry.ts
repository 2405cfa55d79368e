/**
 * A target's RetryPolicy, as EventBridge applies it (eb-rule-retry-policy, API RetryPolicy): by default it retries
 * for 24 hours and up to 185 times "with an exponential back off and jitter", and stops at whichever limit comes
 * first. Postbox's back-off: 1 s after the first failure, doubling to at most 5 minutes between attempts (185
 * attempts at that pace fit in the 24 hours), each delay less a random share of up to half of it (the jitter SNS
 * uses too: src/delivery/jitter.ts). Tests inject the random source, so that they know when the next attempt comes.
 */
import { jitteredDelayMs } from '../../delivery/jitter.js';
import type { Target } from '../types.js';

export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
const FIRST_DELAY_MS = 1_000;
const LONGEST_DELAY_MS = 300_000;

export interface RetryLimits {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeMs: number;
}

export function retryLimits(target: Target): RetryLimits {
  const policy = target.RetryPolicy as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
  return {
    maximumRetryAttempts: policy?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumEventAgeMs: (policy?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000,
  };
}

/** How long after failed attempt `attempt` (1 for the first) the next one comes. */
export function backoffMs(attempt: number): number {
  return Math.min(LONGEST_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 20));
}

export type RetryDecision =
  | { readonly kind: 'retry'; readonly at: number }
  /** Give up; `exhausted` names the RetryPolicy limit reached (EXHAUSTED_RETRY_CONDITION), absent when not retryable. */
  | { readonly kind: 'give-up'; readonly exhausted?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' };

/**
 * After failed attempt `attempt` of an event enqueued at `enqueuedAt`: retry, and when, or give up. `random` (uniform
 * in [0, 1)) sets the jitter; 0 waits the whole back-off.
 */
export function decideRetry(
  limits: RetryLimits,
  retryable: boolean,
  attempt: number,
  enqueuedAt: number,
  now: number,
  random = 0,
): RetryDecision {
  if (!retryable) return { kind: 'give-up' };
  // `attempt` attempts made so far: the first plus attempt - 1 retries.
  if (attempt - 1 >= limits.maximumRetryAttempts) return { kind: 'give-up', exhausted: 'MaximumRetryAttempts' };
  const at = now + jitteredDelayMs(backoffMs(attempt), random);
  if (at - enqueuedAt > limits.maximumEventAgeMs) return { kind: 'give-up', exhausted: 'MaximumEventAgeInSeconds' };
  return { kind: 'retry', at };
}
