/**
 * Stage 2: a pattern's JSON object → ParsedPattern. Walks the nesting, reads each value array into matchers
 * (operators.ts), expands `$or` into alternative branches, and enforces the structural rules and limits of the
 * dialect: event-ruler's rules for EventBridge; for SNS also the key count, value combinations and scope rules
 * of https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html.
 */
import { fail } from './errors.js';
import {
  FILTER_POLICY_MAX_COMBINATIONS,
  FILTER_POLICY_MAX_KEYS,
  MAX_BRANCHES_PER_PATTERN,
} from './limits.js';
import { RESERVED_OPERATOR_NAMES, readValue } from './operators.js';
import type { Branch, Dialect, FieldCondition, FilterPolicyScope, JsonObject, JsonValue, ParsedPattern, WildcardPattern } from './types.js';
import { checkWildcardComplexity } from './wildcard.js';

export interface ValidateOptions {
  /** SNS only: what the policy filters on. MessageAttributes policies may not nest. Default MessageAttributes. */
  readonly scope?: FilterPolicyScope;
}

/** A pattern object before `$or` expansion: its own fields, and its `$or` groups (each a list of alternatives). */
interface ConditionTree {
  readonly fields: FieldCondition[];
  readonly ors: ConditionTree[][];
  /** SNS "total combination of values" of this subtree. */
  combinations: number;
}

const OR = '$or';

const isObject = (v: JsonValue): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validatePattern(pattern: JsonObject, dialect: Dialect, options: ValidateOptions = {}): ParsedPattern {
  const scope = options.scope ?? 'MessageAttributes';
  if (dialect === 'sns' && Object.keys(pattern).length > FILTER_POLICY_MAX_KEYS) {
    fail(`Filter policy can not have more than ${FILTER_POLICY_MAX_KEYS} keys`);
  }
  const tree = readObject(pattern, '', 1, false, { dialect, scope });
  if (dialect === 'sns' && tree.combinations > FILTER_POLICY_MAX_COMBINATIONS) fail('Filter policy is too complex');
  const branches = expand(tree);
  if (dialect === 'eventbridge') checkComplexity(branches);
  return { dialect, branches };
}

interface Context {
  readonly dialect: Dialect;
  readonly scope: FilterPolicyScope;
}

function readObject(object: JsonObject, prefix: string, depth: number, insideOr: boolean, ctx: Context): ConditionTree {
  const keys = Object.keys(object);
  if (keys.length === 0) fail('Empty objects are not allowed');
  const tree: ConditionTree = { fields: [], ors: [], combinations: 1 };
  for (const key of keys) {
    const value = object[key]!;
    // "$or" followed by an array is the OR primitive; followed by anything else it is an ordinary field name
    // (event-ruler README, "The backward compatibility of using $or as field name"; SNS "OR operator").
    if (key === OR && Array.isArray(value)) {
      if (value.length < 2) fail('There must have at least 2 Objects in $or relationship.');
      const alternatives = value.map((alternative) => {
        if (!isObject(alternative)) return fail('Only JSON object is allowed in array of $or relationship.');
        return readObject(alternative, prefix, depth, true, ctx);
      });
      tree.ors.push(alternatives);
      // SNS counts an $or as the sum of its alternatives' combinations.
      tree.combinations *= alternatives.reduce((sum, a) => sum + a.combinations, 0);
      continue;
    }
    if (insideOr && RESERVED_OPERATOR_NAMES.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    }
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(value)) {
      if (ctx.dialect === 'sns' && ctx.scope === 'MessageAttributes') {
        fail('Filter policy scope MessageAttributes does not support nested filter policy', { snsUnprefixed: true });
      }
      const nested = readObject(value, path, depth + 1, insideOr, ctx);
      tree.fields.push(...nested.fields);
      tree.ors.push(...nested.ors);
      tree.combinations *= nested.combinations;
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail('Empty arrays are not allowed');
      tree.fields.push({ path, matchers: value.map((element) => readValue(element, ctx.dialect)) });
      // SNS: "multiply the number of values in each array"; for nested (MessageBody) keys the documented example
      // also multiplies by the key's nesting depth (3 x 4 x 2 x 3 = 72).
      tree.combinations *= value.length * depth;
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return tree;
}

/** Disjunctive normal form: each branch is this object's fields plus one alternative of every `$or` group. */
function expand(tree: ConditionTree): Branch[] {
  let branches: FieldCondition[][] = [tree.fields];
  for (const group of tree.ors) {
    const next: FieldCondition[][] = [];
    for (const alternative of group) {
      for (const sub of expand(alternative)) {
        for (const branch of branches) {
          next.push([...branch, ...sub.fields]);
          // Postbox's own guard (see limits.ts); AWS's pattern-size limit keeps real patterns far below it.
          if (next.length > MAX_BRANCHES_PER_PATTERN) fail('Rule is too complex - too many $or combinations');
        }
      }
    }
    branches = next;
  }
  return branches.map((fields) => ({ fields: mergeSamePath(fields) }));
}

/** Two conditions on one path in one branch (possible through `$or`) must both hold; keep them apart but ordered. */
function mergeSamePath(fields: FieldCondition[]): FieldCondition[] {
  return [...fields].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** event-ruler's machine-complexity check, per rule and per field: all wildcard patterns on one path. */
function checkComplexity(branches: readonly Branch[]): void {
  const byPath = new Map<string, WildcardPattern[]>();
  for (const branch of branches) {
    for (const field of branch.fields) {
      for (const m of field.matchers) {
        const patterns =
          m.kind === 'wildcard' ? [m.pattern] : m.kind === 'anything-but' && m.exclusion.op === 'wildcard' ? m.exclusion.values : [];
        if (patterns.length === 0) continue;
        const list = byPath.get(field.path) ?? [];
        for (const p of patterns) if (!list.some((q) => q.source === p.source)) list.push(p);
        byPath.set(field.path, list);
      }
    }
  }
  for (const patterns of byPath.values()) checkWildcardComplexity(patterns);
}
