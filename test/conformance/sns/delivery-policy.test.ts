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
  jitteredDelayMs,
  retryDelays,
  retrySchedule,
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

  test('jitter: each delayed retry waits between half its delay and all of it, as its random draw decides', () => {
    const p = policy({ numRetries: 8, numNoDelayRetries: 2, numMinDelayRetries: 2, numMaxDelayRetries: 2, minDelayTarget: 1, maxDelayTarget: 9 });
    const draws = [0.5, 0, 0.999999, 0.25, 0.75, 0.1];
    let drawn = 0;
    // Nominal: [0, 0, 1000, 1000, 5000, 9000, 9000, 9000]; each delayed one loses draw × half of it.
    assert.deepEqual(retrySchedule(p, () => draws[drawn++]!), [0, 0, 750, 1_000, 2_501, 7_875, 5_625, 8_550]);
    assert.equal(drawn, 6, 'immediate retries draw nothing and stay immediate');
    assert.deepEqual(retrySchedule(p, () => 0), retryDelays(p), 'a draw of 0 keeps the policy schedule exactly');
    assert.equal(jitteredDelayMs(20_000, 0.5), 15_000);
  });

  test('jitter never lengthens a delay or the schedule, and spreads retries of deliveries that failed together', () => {
    // A fixed-seed generator (a 32-bit LCG) stands in for Math.random: the same numbers every run.
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (const backoffFunction of ['linear', 'arithmetic', 'geometric', 'exponential'] as BackoffFunction[]) {
      const p = policy({ numRetries: 40, numNoDelayRetries: 3, numMinDelayRetries: 2, numMaxDelayRetries: 20, minDelayTarget: 1, maxDelayTarget: 60, backoffFunction });
      const nominal = retryDelays(p);
      for (let run = 0; run < 50; run++) {
        const jittered = retrySchedule(p, random);
        jittered.forEach((d, i) => assert.ok(d <= nominal[i]! && d >= nominal[i]! / 2, `${backoffFunction} retry ${i + 1}: ${d} of ${nominal[i]}`));
        assert.ok(jittered.reduce((a, b) => a + b, 0) <= 3_600_000);
      }
    }
    // 1,000 deliveries to one endpoint fail at once: under AWS's default policy their first retries fall all over
    // the 10 to 20 seconds after, not on one instant.
    const firstRetries = Array.from({ length: 1_000 }, () => retrySchedule(DEFAULT_RETRY_POLICY, random)[0]!);
    const seconds = new Set(firstRetries.map((d) => Math.floor(d / 1_000)));
    assert.deepEqual([...seconds].sort((a, b) => a - b), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.ok(firstRetries.every((d) => d > 10_000 && d <= 20_000));
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
