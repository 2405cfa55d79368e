/**
 * Jitter for delivery retries, shared by SNS and EventBridge. Both say they jitter their retries — SNS (sns-message-
 * delivery-retries): "Amazon SNS applies jittering to delivery retries"; EventBridge (eb-rule-retry-policy): it
 * retries "with an exponential back off and jitter" — and both point at the AWS Architecture Blog's "Exponential
 * Backoff and Jitter", without saying which of its schemes or how much. Postbox uses its "equal jitter": keep half
 * the delay and draw the other half at random, so that retries of many deliveries that failed together (an endpoint
 * that was down) spread out instead of arriving at once, while each still waits at least half its delay. Only
 * downwards: a policy's longest wait stays its longest, and a schedule checked against a total stays within it.
 */

/** The share of a retry's delay that jitter may take off. */
export const JITTER_SHARE = 0.5;

/**
 * A retry's delay with jitter: `delayMs` less up to JITTER_SHARE of it, `random` (uniform in [0, 1), injected so
 * that tests can fix it) deciding how much. Immediate retries (0) stay immediate.
 */
export function jitteredDelayMs(delayMs: number, random: number): number {
  return delayMs - Math.floor(delayMs * JITTER_SHARE * Math.min(Math.max(random, 0), 1));
}
