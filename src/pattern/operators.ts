/**
 * One element of a field's value array → a Matcher. Operator names, the forms each accepts per dialect and the
 * error texts follow event-ruler (whose messages EventBridge and SNS return verbatim) and the operator tables of
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html and
 * https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html.
 */
import { parseCidr } from './cidr.js';
import { fail } from './errors.js';
import { javaDouble, numericRules } from './numeric.js';
import type { Dialect, Exclusion, JsonValue, Matcher, NumericBound } from './types.js';
import { parseWildcard } from './wildcard.js';

/** Operator names that may not be field names inside `$or` (event-ruler's RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
export const RESERVED_OPERATOR_NAMES: ReadonlySet<string> = new Set([
  'anything-but',
  'cidr',
  'equals-ignore-case',
  'exactly',
  'exists',
  'numeric',
  'prefix',
  'suffix',
  'wildcard',
]);

const isObject = (v: JsonValue): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** How event-ruler's parser prints a token in messages: strings without quotes. */
const tokenText = (v: JsonValue | undefined): string =>
  v === undefined ? ']' : typeof v === 'string' ? v : Array.isArray(v) ? '[' : isObject(v) ? '{' : String(v);

export function readValue(element: JsonValue, dialect: Dialect): Matcher {
  if (typeof element === 'string' || typeof element === 'boolean' || element === null) {
    return { kind: 'exact', value: element };
  }
  if (typeof element === 'number') return { kind: 'number', value: element };
  if (Array.isArray(element)) return fail('Match value must be String, number, true, false, or null');
  return readMatchExpression(element, dialect);
}

function readMatchExpression(expression: { [key: string]: JsonValue }, dialect: Dialect): Matcher {
  const keys = Object.keys(expression);
  if (keys.length === 0) fail('Match expression name not found');
  const op = keys[0]!;
  const operand = expression[op]!;
  if (keys.length > 1) {
    // event-ruler reports extra keys after `numeric` and `anything-but` with its numeric wording.
    fail(op === 'numeric' || op === 'anything-but' ? 'Too many elements in numeric expression' : 'Only one key allowed in match expression');
  }
  switch (op) {
    case 'prefix':
    case 'suffix':
      return readAffix(op, operand, dialect);
    case 'equals-ignore-case':
      if (typeof operand !== 'string') fail('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', value: operand as string };
    case 'wildcard':
      // SNS filter policies have no wildcard operator.
      if (dialect !== 'eventbridge') fail(`Unrecognized match type ${op}`);
      if (typeof operand !== 'string') fail('wildcard match pattern must be a string');
      return { kind: 'wildcard', pattern: parseWildcard(operand as string) };
    case 'exists':
      if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', exists: operand as boolean };
    case 'cidr': {
      // event-ruler reports a non-string CIDR with its prefix wording.
      if (typeof operand !== 'string') fail('prefix match pattern must be a string');
      const range = parseCidr(operand as string);
      return { kind: 'cidr', source: operand as string, ...range };
    }
    case 'numeric':
      if (!Array.isArray(operand)) fail('Value of numeric must be an array.');
      return readNumeric(operand as JsonValue[], dialect);
    case 'anything-but':
      return { kind: 'anything-but', exclusion: readExclusion(operand, dialect) };
    default:
      return fail(`Unrecognized match type ${op}`);
  }
}

function readAffix(op: 'prefix' | 'suffix', operand: JsonValue, dialect: Dialect): Matcher {
  if (typeof operand === 'string') return { kind: op, value: operand, ignoreCase: false };
  // {"prefix": {"equals-ignore-case": "EventB"}} — EventBridge only.
  if (dialect === 'eventbridge' && isObject(operand)) {
    const inner = Object.keys(operand);
    if (inner.length !== 1) fail('Only one key allowed in match expression');
    if (inner[0] !== 'equals-ignore-case') fail(`Unsupported ${op} pattern: ${inner[0]}`);
    const value = operand['equals-ignore-case'];
    if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string');
    return { kind: op, value: value as string, ignoreCase: true };
  }
  return fail(`${op} match pattern must be a string`);
}

function readExclusion(operand: JsonValue, dialect: Dialect): Exclusion {
  if (typeof operand === 'string') return { op: 'strings', values: [operand] };
  if (typeof operand === 'number') return { op: 'numbers', values: [operand] };
  if (Array.isArray(operand)) {
    const strings = operand.filter((v): v is string => typeof v === 'string');
    const numbers = operand.filter((v): v is number => typeof v === 'number');
    if (strings.length + numbers.length !== operand.length) fail('Inside anything but list, start|null|boolean is not supported.');
    if ((strings.length > 0) === (numbers.length > 0)) {
      fail('Inside anything but list, either all values are number or string, mixed type is not supported');
    }
    return strings.length > 0 ? { op: 'strings', values: strings } : { op: 'numbers', values: numbers };
  }
  if (!isObject(operand)) return fail('Value of anything-but must be an array or single string/number value.');
  const keys = Object.keys(operand);
  if (keys.length === 0) fail('Anything-But expression name not found');
  const op = keys[0]!;
  const allowed = dialect === 'eventbridge' ? ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] : ['prefix', 'suffix'];
  if (!allowed.includes(op)) fail(`Unsupported anything-but pattern: ${op}`);
  if (keys.length > 1) fail('Only one key allowed in match expression');
  const inner = operand[op]!;
  // EventBridge also takes a list of strings for each form; SNS only a single string.
  const list = typeof inner === 'string' ? [inner] : dialect === 'eventbridge' && Array.isArray(inner) ? inner : undefined;
  const strings = list?.every((v): v is string => typeof v === 'string') ? (list as string[]) : undefined;
  if (op === 'equals-ignore-case') {
    if (strings === undefined || strings.length === 0) {
      fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
    }
    return { op, values: strings! };
  }
  if (op === 'wildcard') {
    if (strings === undefined || strings.length === 0) fail('wildcard match pattern must be a string');
    return { op, values: strings!.map(parseWildcard) };
  }
  if (strings === undefined || strings.length === 0) fail('prefix/suffix match pattern must be a string');
  if (strings!.some((s) => s === '')) fail('Null prefix/suffix not allowed');
  return { op: op as 'prefix' | 'suffix', values: strings! };
}

function readNumeric(terms: readonly JsonValue[], dialect: Dialect): Matcher {
  const { bound } = numericRules(dialect);
  const number = (value: JsonValue | undefined, op: string): number => {
    if (typeof value !== 'number') fail(`Value of ${op === '=' ? 'equals' : op} must be numeric`);
    const n = value as number;
    if (n < -bound || n > bound) fail(`Value must be between ${javaDouble(-bound)} and ${javaDouble(bound)}, inclusive`);
    return n;
  };
  const op = terms[0];
  if (typeof op !== 'string') return fail(`Invalid member in numeric match: ${tokenText(op)}`);
  if (!['=', '<', '<=', '>', '>='].includes(op)) fail(`Unrecognized numeric range operator: ${op}`);
  const first = number(terms[1], op);
  if (op === '=' || op === '<' || op === '<=') {
    if (terms.length > 2) fail('Too many elements in numeric expression');
    if (op === '=') return { kind: 'numeric', lower: { value: first, inclusive: true }, upper: { value: first, inclusive: true } };
    return { kind: 'numeric', upper: { value: first, inclusive: op === '<=' } };
  }
  const lower: NumericBound = { value: first, inclusive: op === '>=' };
  if (terms.length === 2) return { kind: 'numeric', lower };
  const topOp = terms[2];
  if (typeof topOp !== 'string') return fail(`Bad value in numeric range: ${tokenText(topOp)}`);
  if (topOp !== '<' && topOp !== '<=') fail(`Bad numeric range operator: ${topOp}`);
  const top = number(terms[3], topOp);
  if (top <= first) fail('Bottom must be less than top');
  if (terms.length > 4) fail('Too many terms in numeric range expression');
  return { kind: 'numeric', lower, upper: { value: top, inclusive: topOp === '<=' } };
}
