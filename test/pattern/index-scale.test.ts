// The compiled index must keep matching cost independent of the rule count: with 10,000 rules on a bus, an event
// is verified only against the few rules the index proposes, and a match stays well under a millisecond.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, match, parsePattern, type MatchStats } from '../../src/pattern/index.js';

const RULES = 10_000;

function buildRules() {
  const rules = [];
  for (let i = 0; i < RULES; i++) {
    let pattern: object;
    switch (i % 4) {
      case 0:
        pattern = { source: [`app.${i}`], detail: { amount: [{ numeric: ['>', i % 100] }] } };
        break;
      case 1:
        pattern = { 'detail-type': [`Order ${i}`, `Refund ${i}`], detail: { state: [{ 'anything-but': 'draft' }] } };
        break;
      case 2:
        pattern = { detail: { sku: [{ prefix: `sku-${i}-` }] }, $or: [{ region: ['eu-west-1'] }, { region: ['us-east-1'] }] };
        break;
      default:
        pattern = { detail: { customer: { email: [{ suffix: `@tenant${i}.example` }] } } };
    }
    rules.push({ id: `rule-${i}`, pattern: parsePattern(pattern, 'eventbridge') });
  }
  return rules;
}

test('10,000 rules: only candidate rules are verified and a match takes well under 1 ms', () => {
  const started = performance.now();
  const set = compile(buildRules());
  const compileMs = performance.now() - started;
  assert.equal(set.ruleCount, RULES);
  assert.ok(compileMs < 10_000, `compiling took ${compileMs} ms`);

  const event = {
    source: 'app.4000',
    'detail-type': 'Order 4001',
    region: 'eu-west-1',
    detail: { amount: 50, state: 'open', sku: 'sku-4002-blue', customer: { email: 'ann@tenant4003.example' } },
  };
  const stats: MatchStats = { verified: 0 };
  assert.deepEqual(match(set, event, stats), ['rule-4000', 'rule-4001', 'rule-4002', 'rule-4003']);
  // One candidate per rule the event can satisfy (rule-4002 has one branch per region; one is proposed).
  assert.ok(stats.verified <= 5, `verified ${stats.verified} branches`);

  const miss: MatchStats = { verified: 0 };
  assert.deepEqual(match(set, { source: 'nobody', detail: { state: 'open', sku: 'x' } }, miss), []);
  assert.equal(miss.verified, 0, 'an event no rule can match verifies nothing');

  const timings: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    match(set, event);
    timings.push(performance.now() - t0);
  }
  timings.sort((a, b) => a - b);
  const median = timings[timings.length >> 1]!;
  assert.ok(median < 1, `median match ${median.toFixed(4)} ms`);
});
