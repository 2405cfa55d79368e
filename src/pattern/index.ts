/**
 * The matcher shared by EventBridge (event patterns) and SNS (filter policies):
 * parse (text → JSON) → validate (JSON → ParsedPattern) → compile (all rules → CompiledRuleSet) → match.
 * See docs/pattern.md.
 */
import { branchHolds } from './evaluate.js';
import { flattenEvent } from './flatten.js';
import { readPatternJson, type ReadOptions } from './parse.js';
import type { Dialect, FilterPolicyScope, ParsedPattern } from './types.js';
import { validatePattern } from './validate.js';

export interface ParseOptions extends ReadOptions {
  /** SNS only (default MessageAttributes). */
  readonly scope?: FilterPolicyScope;
}

/** Parses and validates a pattern; throws PatternError worded as AWS words the reason. */
export function parsePattern(json: string | object, dialect: Dialect, options: ParseOptions = {}): ParsedPattern {
  return validatePattern(readPatternJson(json, dialect, options), dialect, options);
}

/** Whether one pattern matches one event (EventBridge TestEventPattern). */
export function matches(pattern: ParsedPattern, event: object): boolean {
  const flat = flattenEvent(event);
  return pattern.branches.some((branch) => branchHolds(branch, flat));
}

export { compile, type CompiledRuleSet, type RuleInput } from './compile.js';
export { match, matchFlat } from './match.js';
export { flattenEvent } from './flatten.js';
export { PatternError, eventBridgeMessage, snsFilterPolicyMessage } from './errors.js';
export {
  parseFilterPolicy,
  policyMatches,
  snsEvent,
  flattenAttributes,
  type FilterPolicy,
  type SnsMessage,
  type SnsMessageAttribute,
  type SnsMessageAttributes,
} from './sns-policy.js';
export * as limits from './limits.js';
export type {
  Branch,
  Dialect,
  FieldCondition,
  FilterPolicyScope,
  FlatEvent,
  JsonValue,
  Leaf,
  MatchStats,
  Matcher,
  ParsedPattern,
} from './types.js';
