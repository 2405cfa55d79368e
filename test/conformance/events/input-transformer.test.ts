import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate } from '../../../src/events/target-input.js';
import { evaluateJsonPath, parseJsonPath } from '../../../src/events/json-path.js';

const event = { detail: { id: 'i-1', state: 'RUNNING', n: 3, tags: ['a', 'b'], obj: { k: 'v"q' } }, resources: ['r1', 'r2'] };
const vars = (paths: Record<string, string>) => new Map(Object.entries(paths).map(([k, p]) => [k, evaluateJsonPath(parseJsonPath(p)!, event)]));

/** [template, paths, expected output] — AWS's quoting rules (eb-transform-target-input). */
const CASES: [string, Record<string, string>, string][] = [
  ['{"instance": <id>, "state": [9, <state>, true]}', { id: '$.detail.id', state: '$.detail.state' }, '{"instance": "i-1", "state": [9, "RUNNING", true]}'],
  ['"<id> is in state <state>"', { id: '$.detail.id', state: '$.detail.state' }, '"i-1 is in state RUNNING"'],
  ['<id> is in state <state>', { id: '$.detail.id', state: '$.detail.state' }, 'i-1 is in state RUNNING'],
  ['{"n": <n>, "text": "n=<n>"}', { n: '$.detail.n' }, '{"n": 3, "text": "n=3"}'],
  ['{"tags": <tags>, "first": "<first>"}', { tags: '$.detail.tags', first: '$.detail.tags[0]' }, '{"tags": ["a","b"], "first": "a"}'],
  ['{"o": "<o>"}', { o: '$.detail.obj' }, '{"o": "{\\"k\\":\\"v\\\\\\"q\\"}"}'],
  ['{"k": <k>, "s": "<k>"}', { k: '$.detail.missing' }, '{"k": null, "s": ""}'],
  ['{"all": <all>}', { all: '$.resources[*]' }, '{"all": ["r1","r2"]}'],
  ['<b>bold</b> <id>', { id: '$.detail.id' }, '<b>bold</b> i-1'],
  ['{"esc": "a \\"<id>\\" b"}', { id: '$.detail.id' }, '{"esc": "a \\"i-1\\" b"}'],
];

for (const [template, paths, expected] of CASES) {
  test(`template ${template}`, () => assert.equal(renderTemplate(template, vars(paths)), expected));
}

test('JSON paths: the subset EventBridge evaluates', () => {
  assert.deepEqual(parseJsonPath('$'), []);
  assert.equal(parseJsonPath('detail'), undefined);
  assert.equal(parseJsonPath('$.a..b'), undefined);
  assert.deepEqual(evaluateJsonPath(parseJsonPath('$.detail.tags[1]')!, event), 'b');
  assert.equal(evaluateJsonPath(parseJsonPath('$.detail.nope.deeper')!, event), undefined);
});
