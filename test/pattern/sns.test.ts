// Walks test/pattern/sns-cases.json: each message against its group's filter policy in its scope, and each
// invalid policy against the reason and InvalidParameter message AWS gives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PatternError,
  compile,
  limits,
  matchFlat,
  parseFilterPolicy,
  policyMatches,
  snsEvent,
  snsFilterPolicyMessage,
  type FilterPolicyScope,
  type SnsMessage,
} from '../../src/pattern/index.js';
import { loadCases, type Json } from './cases.js';

interface Group {
  name: string;
  source: string;
  scope: FilterPolicyScope;
  policy: { [key: string]: Json };
  events: [SnsMessage, boolean, string?][];
}
interface Invalid {
  name: string;
  source: string;
  scope: FilterPolicyScope;
  policy: Json;
  error: string;
  snsMessage?: string;
}

const table = loadCases<{ groups: Group[]; invalid: Invalid[] }>('sns-cases.json');

describe('SNS filter policies match as AWS documents', () => {
  for (const group of table.groups) {
    const policy = parseFilterPolicy(group.policy, group.scope);
    group.events.forEach(([message, expected, note], i) => {
      test(`${group.name} #${i + 1}${note ? ` (${note})` : ''}`, () => {
        assert.equal(policyMatches(policy, message), expected, `${JSON.stringify(group.policy)} vs ${JSON.stringify(message)} — ${group.source}`);
        if (policy.pattern !== undefined) {
          // A topic's subscriptions compile into one set; it must agree with the policy alone.
          const event = snsEvent(group.scope, message);
          const ids = event === undefined ? [] : matchFlat(compile([{ id: 'sub', pattern: policy.pattern }]), event);
          assert.deepEqual(ids, expected ? ['sub'] : []);
        }
      });
    });
  }
});

function assertRejected(policy: string | object, scope: FilterPolicyScope, error: string, snsMessage?: string): void {
  assert.throws(
    () => parseFilterPolicy(policy, scope),
    (e: unknown) => {
      assert.ok(e instanceof PatternError, `expected PatternError, got ${String(e)}`);
      assert.ok(e.reason.includes(error), `"${e.reason}" should contain "${error}"`);
      const message = snsFilterPolicyMessage(e);
      assert.ok(message.startsWith('Invalid parameter: '), message);
      if (snsMessage !== undefined) assert.equal(message, snsMessage);
      assert.ok(snsFilterPolicyMessage(e, true).startsWith('Invalid parameter: Attributes Reason: '));
      return true;
    },
  );
}

describe('SNS rejects invalid filter policies with AWS wording', () => {
  for (const c of table.invalid) {
    test(c.name, () => {
      assertRejected(typeof c.policy === 'string' ? c.policy : (c.policy as object), c.scope, c.error, c.snsMessage);
    });
  }
  test('a policy over 256 KB is rejected', () => {
    assertRejected({ a: ['x'.repeat(limits.FILTER_POLICY_MAX_BYTES)] }, 'MessageBody', 'Filter policy is too long');
  });
  test('exactly 150 combinations is allowed, 151 is not', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    assert.ok(parseFilterPolicy({ a: values(15), b: values(10) }).pattern);
    assertRejected({ a: values(151) }, 'MessageAttributes', 'Filter policy is too complex');
  });
  test('the documented nested example counts 72 combinations (3 x 4 x 2 x 3)', () => {
    const policy = { key_a: { key_b: { key_c: ['1', '2', '3', '4'] } }, key_d: { key_e: ['1', '2', '3'] } };
    assert.ok(parseFilterPolicy(policy, 'MessageBody').pattern);
  });
  test('five keys are allowed', () => {
    assert.ok(parseFilterPolicy({ a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'] }).pattern);
  });
});
