import type { RuleRecord } from '../store/events-contract.js';
import { isoSeconds, type EventEnvelope } from './envelope.js';
import { evaluateJsonPath, parseJsonPath } from './json-path.js';
import type { Target } from './types.js';

/** Variables EventBridge defines itself; InputPathsMap may not reuse these names (eb-transform-target-input). */
export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;

/** These two are inserted as raw JSON wherever they stand: AWS does not escape them ("use as a JSON value only"). */
const RAW_JSON_VARIABLES = new Set(['aws.events.event', 'aws.events.event.json']);

/**
 * What a target receives for an event (Target.Input / InputPath / InputTransformer, at most one of them): undefined
 * when the input path finds nothing in the event.
 */
export function targetInput(target: Target, event: EventEnvelope, rule: RuleRecord, ingestedAt: number): string | undefined {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const value = evaluateJsonPath(parseJsonPath(target.InputPath) ?? [], event);
    return value === undefined ? undefined : JSON.stringify(value);
  }
  if (target.InputTransformer?.InputTemplate !== undefined) {
    const variables = new Map<string, unknown>();
    for (const [name, path] of Object.entries(target.InputTransformer.InputPathsMap ?? {})) {
      variables.set(name, evaluateJsonPath(parseJsonPath(path) ?? [], event));
    }
    const { detail: _detail, ...withoutDetail } = event;
    variables.set('aws.events.rule-arn', rule.arn);
    variables.set('aws.events.rule-name', rule.name);
    variables.set('aws.events.event.ingestion-time', isoSeconds(ingestedAt));
    variables.set('aws.events.event', withoutDetail);
    variables.set('aws.events.event.json', event);
    return renderTemplate(target.InputTransformer.InputTemplate, variables);
  }
  return JSON.stringify(event);
}

/**
 * Fills an InputTemplate's `<name>` placeholders, as AWS's quoting rules have it:
 * - a JSON template (one that starts with `{`, `[` or `"`): a placeholder inside a JSON string takes the value's
 *   text, escaped for that string (`"<instance> is <state>"`); outside a string it takes the value as JSON, so a
 *   string value arrives quoted (`{"instance": <instance>}` gives `{"instance": "i-123"}`); a variable the event
 *   has no value for is `""` inside a string and `null` outside;
 * - any other template is plain text: placeholders take the value's text (strings unquoted), missing ones nothing.
 * `<aws.events.event>` and `<aws.events.event.json>` are always inserted as raw JSON. Placeholders naming no
 * variable stay as written.
 */
export function renderTemplate(template: string, variables: ReadonlyMap<string, unknown>): string {
  const json = /^\s*[{["]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (end > i && variables.has(name)) {
        out += placeholderText(variables.get(name), RAW_JSON_VARIABLES.has(name) ? 'raw' : !json ? 'text' : inString ? 'string' : 'value');
        i = end;
        continue;
      }
    }
    if (json) {
      if (c === '\\' && inString) {
        out += c + (template[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inString = !inString;
    }
    out += c;
  }
  return out;
}

function placeholderText(value: unknown, context: 'raw' | 'text' | 'string' | 'value'): string {
  switch (context) {
    case 'raw':
      return JSON.stringify(value ?? null);
    case 'value':
      return value === undefined ? 'null' : JSON.stringify(value);
    case 'text':
      return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    case 'string': {
      if (value === undefined) return '';
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return JSON.stringify(text).slice(1, -1);
    }
  }
}
