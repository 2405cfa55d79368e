/**
 * EventBridge's retry schedule for a target (src/events/delivery/retry.ts): exponential back-off, each delay less a
 * random share of up to half of it, within the RetryPolicy's attempt and age limits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, decideRetry } from '../../src/events/delivery/retry.js';

const limits = { maximumRetryAttempts: 185, maximumEventAgeMs: 86_400_000 };

test('without jitter a retry waits its whole back-off: 1 s, doubling, at most 5 minutes', () => {
  assert.deepEqual([1, 2, 3, 9, 10, 50].map(backoffMs), [1_000, 2_000, 4_000, 256_000, 300_000, 300_000]);
  assert.deepEqual(decideRetry(limits, true, 3, 0, 10_000, 0), { kind: 'retry', at: 14_000 });
});

test('jitter takes up to half of the delay off, never adds to it', () => {
  for (const random of [0, 0.25, 0.5, 0.999_999]) {
    const d = decideRetry(limits, true, 10, 0, 1_000_000, random);
    assert.equal(d.kind, 'retry');
    const wait = (d as { at: number }).at - 1_000_000;
    assert.ok(wait <= 300_000 && wait > 150_000, `random ${random}: waited ${wait} ms`);
  }
  assert.equal((decideRetry(limits, true, 1, 0, 0, 0.5) as { at: number }).at, 750);
});

test('retries that failed together spread out', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const times = new Set(Array.from({ length: 50 }, () => (decideRetry(limits, true, 5, 0, 0, random()) as { at: number }).at));
  assert.ok(times.size > 40, `${times.size} distinct retry times of 50`);
});

test('the limits still stop the retries, jitter or not', () => {
  assert.deepEqual(decideRetry({ ...limits, maximumRetryAttempts: 2 }, true, 3, 0, 0, 0.5), { kind: 'give-up', exhausted: 'MaximumRetryAttempts' });
  assert.deepEqual(decideRetry({ ...limits, maximumEventAgeMs: 60_000 }, true, 10, 0, 50_000, 0), {
    kind: 'give-up',
    exhausted: 'MaximumEventAgeInSeconds',
  });
  assert.deepEqual(decideRetry(limits, false, 1, 0, 0, 0), { kind: 'give-up' });
});
