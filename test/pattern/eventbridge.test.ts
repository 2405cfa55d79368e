// Walks test/pattern/eventbridge-cases.json: every event against its group's pattern, through both TestEventPattern's
// `matches` and a compiled rule set (which must agree), and every invalid pattern against its expected reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternError, compile, eventBridgeMessage, match, matches, parsePattern } from '../../src/pattern/index.js';
import { loadCases, type Json } from './cases.js';

interface Group {
  name: string;
  source: string;
  pattern: { [key: string]: Json };
  events: [Json, boolean, string?][];
}
interface Invalid {
  name: string;
  source: string;
  pattern: Json;
  error: string;
}

const table = loadCases<{ groups: Group[]; invalid: Invalid[] }>('eventbridge-cases.json');

describe('EventBridge patterns match as AWS documents', () => {
  for (const group of table.groups) {
    const pattern = parsePattern(group.pattern, 'eventbridge');
    const set = compile([{ id: group.name, pattern }]);
    group.events.forEach(([event, expected, note], i) => {
      test(`${group.name} #${i + 1}${note ? ` (${note})` : ''}`, () => {
        const direct = matches(pattern, event as object);
        assert.equal(direct, expected, `${JSON.stringify(group.pattern)} vs ${JSON.stringify(event)} — ${group.source}`);
        assert.deepEqual(match(set, event as object), expected ? [group.name] : [], 'the compiled index agrees');
      });
    });
  }
});

describe('EventBridge rejects invalid patterns with AWS wording', () => {
  for (const c of table.invalid) {
    test(c.name, () => {
      const input = typeof c.pattern === 'string' ? c.pattern : (c.pattern as object);
      assert.throws(
        () => parsePattern(input, 'eventbridge'),
        (error: unknown) => {
          assert.ok(error instanceof PatternError, `expected PatternError, got ${String(error)}`);
          assert.ok(error.reason.includes(c.error), `"${error.reason}" should contain "${c.error}" — ${c.source}`);
          assert.ok(eventBridgeMessage(error).startsWith('Event pattern is not valid. Reason: '));
          return true;
        },
      );
    });
  }
});
