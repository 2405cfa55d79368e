/**
 * The retry schedule of HTTP/S delivery policies (src/sns/delivery/policy.ts): AWS's four phases, each backoff
 * function rising from minDelayTarget to maxDelayTarget, the effective policy's precedence, and status classes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  effectiveHttpPolicy,
  retryDelays,
  type BackoffFunction,
  type RetryPolicy,
} from '../../../src/sns/delivery/policy.js';

const policy = (p: Partial<RetryPolicy>): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, ...p });

describe('delivery policy schedule', () => {
  test("AWS's default: three retries, 20 seconds apart", () => {
    assert.deepEqual(retryDelays(DEFAULT_RETRY_POLICY), [20_000, 20_000, 20_000]);
  });

  test('phases in order: no delay, minimum delay, backoff, maximum delay', () => {
    const p = policy({ numRetries: 8, numNoDelayRetries: 2, numMinDelayRetries: 2, numMaxDelayRetries: 2, minDelayTarget: 1, maxDelayTarget: 9 });
    assert.deepEqual(retryDelays(p), [0, 0, 1_000, 1_000, 5_000, 9_000, 9_000, 9_000]);
  });

  test('every backoff function rises from the minimum to the maximum, never past it', () => {
    for (const backoffFunction of ['linear', 'arithmetic', 'geometric', 'exponential'] as BackoffFunction[]) {
      const delays = retryDelays(policy({ numRetries: 10, minDelayTarget: 2, maxDelayTarget: 60, backoffFunction }));
      assert.equal(delays.length, 10);
      assert.equal(delays.at(-1), 60_000, backoffFunction);
      for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, `${backoffFunction} never shrinks`);
      assert.ok(delays[0]! >= 2_000 && delays[0]! < 60_000, backoffFunction);
    }
    // Slower starters stay lower for longer: linear above arithmetic above exponential half way through.
    const at = (f: BackoffFunction) => retryDelays(policy({ numRetries: 10, minDelayTarget: 2, maxDelayTarget: 60, backoffFunction: f }))[4]!;
    assert.ok(at('linear') > at('arithmetic'));
    assert.ok(at('arithmetic') > at('exponential'));
  });

  test("the subscription's policy overrides the topic's, unless the topic disables overrides", () => {
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 }, defaultRequestPolicy: { headerContentType: 'application/json' } } });
    const sub = JSON.stringify({ healthyRetryPolicy: { numRetries: 1 }, throttlePolicy: { maxReceivesPerSecond: 3 } });
    assert.equal(effectiveHttpPolicy(undefined, undefined).retry.numRetries, 3);
    assert.equal(effectiveHttpPolicy(undefined, undefined).contentType, 'text/plain; charset=UTF-8');
    assert.equal(effectiveHttpPolicy(topic, undefined).retry.numRetries, 5);
    assert.equal(effectiveHttpPolicy(topic, undefined).contentType, 'application/json');
    assert.equal(effectiveHttpPolicy(topic, sub).retry.numRetries, 1);
    assert.equal(effectiveHttpPolicy(topic, sub).maxReceivesPerSecond, 3);
    const locked = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 }, disableSubscriptionOverrides: true } });
    assert.equal(effectiveHttpPolicy(locked, sub).retry.numRetries, 5);
    assert.equal(effectiveHttpPolicy(locked, sub).maxReceivesPerSecond, undefined);
  });

  test('2xx delivers; 5xx and 429 are retried; anything else fails for good', () => {
    assert.deepEqual([200, 201, 204, 299].map(classifyStatus), ['delivered', 'delivered', 'delivered', 'delivered']);
    assert.deepEqual([500, 502, 503, 504, 429].map(classifyStatus), ['retry', 'retry', 'retry', 'retry', 'retry']);
    assert.deepEqual([301, 400, 403, 404, 410].map(classifyStatus), ['failed', 'failed', 'failed', 'failed', 'failed']);
  });
});
