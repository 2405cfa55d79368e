/**
 * Stage 4b: whether one branch of a pattern holds for a flattened event. Used to verify the candidates the index
 * proposes, and on its own by `matches` (TestEventPattern).
 */
import { inCidr, ipKey } from './cidr.js';
import { consistent } from './flatten.js';
import { inRange, numberKey } from './numeric.js';
import type { Branch, Exclusion, FieldCondition, FlatEvent, JsonPrimitive, Leaf, Matcher } from './types.js';
import { wildcardMatches } from './wildcard.js';

const lower = (s: string): string => s.toLowerCase();

/** The key two leaf values share exactly when an exact matcher treats them as equal: numbers compare numerically,
 *  IP-address strings compare as addresses (event-ruler turns IP literals in patterns into address ranges). */
export function valueKey(value: JsonPrimitive): string {
  if (typeof value === 'string') return ipKey(value) ?? `s:${value}`;
  if (typeof value === 'number') return numberKey(value);
  return value === null ? 'null' : `b:${value}`;
}

function excluded(exclusion: Exclusion, value: JsonPrimitive): boolean {
  switch (exclusion.op) {
    case 'strings':
      return typeof value === 'string' && exclusion.values.includes(value);
    case 'numbers':
      return typeof value === 'number' && exclusion.values.some((n) => numberKey(n) === numberKey(value));
    default:
      // The string forms (prefix, suffix, equals-ignore-case, wildcard) apply to strings only, as their positive
      // forms do; any other value is "anything but" them only if it is a string.
      if (typeof value !== 'string') return true;
      switch (exclusion.op) {
        case 'prefix':
          return exclusion.values.some((p) => value.startsWith(p));
        case 'suffix':
          return exclusion.values.some((s) => value.endsWith(s));
        case 'equals-ignore-case':
          return exclusion.values.some((s) => lower(s) === lower(value));
        case 'wildcard':
          return exclusion.values.some((w) => wildcardMatches(w, value));
      }
  }
}

/** Whether a matcher (other than `exists`) accepts one leaf value. */
export function accepts(matcher: Matcher, value: JsonPrimitive): boolean {
  switch (matcher.kind) {
    case 'exact':
      if (typeof matcher.value === 'string') return typeof value === 'string' && valueKey(value) === valueKey(matcher.value);
      return value === matcher.value;
    case 'number':
      return typeof value === 'number' && numberKey(value) === numberKey(matcher.value);
    case 'prefix':
      if (typeof value !== 'string') return false;
      return matcher.ignoreCase ? lower(value).startsWith(lower(matcher.value)) : value.startsWith(matcher.value);
    case 'suffix':
      if (typeof value !== 'string') return false;
      return matcher.ignoreCase ? lower(value).endsWith(lower(matcher.value)) : value.endsWith(matcher.value);
    case 'equals-ignore-case':
      return typeof value === 'string' && lower(value) === lower(matcher.value);
    case 'wildcard':
      return typeof value === 'string' && wildcardMatches(matcher.pattern, value);
    case 'anything-but':
      return !excluded(matcher.exclusion, value);
    case 'numeric':
      return typeof value === 'number' && inRange(value, matcher.lower, matcher.upper);
    case 'cidr':
      return typeof value === 'string' && inCidr(value, matcher);
    case 'exists':
      // exists:true accepts any leaf (null included: a null field is present); exists:false accepts none.
      return matcher.exists;
  }
}

/** The leaves of the event that satisfy a field, [] when the field is satisfied by its absence, or undefined when
 *  the field does not hold. */
function fieldLeaves(field: FieldCondition, event: FlatEvent): readonly Leaf[] | undefined {
  const leaves = event.get(field.path);
  if (leaves === undefined || leaves.length === 0) {
    // Only exists:false matches a missing field — exists only works on leaves, so a field holding an object (or an
    // empty array) is missing too (EventBridge content-filtering page, "Exists matching").
    return field.matchers.some((m) => m.kind === 'exists' && !m.exists) ? [] : undefined;
  }
  const matching = leaves.filter((leaf) => field.matchers.some((m) => accepts(m, leaf.value)));
  return matching.length > 0 ? matching : undefined;
}

export function branchHolds(branch: Branch, event: FlatEvent): boolean {
  const choices: (readonly Leaf[])[] = [];
  let anyInArray = false;
  for (const field of branch.fields) {
    const leaves = fieldLeaves(field, event);
    if (leaves === undefined) return false;
    if (leaves.length > 0) {
      choices.push(leaves);
      if (!anyInArray && leaves.some((l) => l.arrays.length > 0)) anyInArray = true;
    }
  }
  return !anyInArray || consistentChoice(choices, 0, []);
}

/** event-ruler's rulesForJSONEvent: no match may combine fields from different elements of the same array.
 *  Depth-first choice of one leaf per field, pruned by pairwise consistency. */
function consistentChoice(choices: readonly (readonly Leaf[])[], at: number, chosen: Leaf[]): boolean {
  if (at === choices.length) return true;
  for (const leaf of choices[at]!) {
    if (chosen.every((c) => consistent(c.arrays, leaf.arrays))) {
      chosen.push(leaf);
      if (consistentChoice(choices, at + 1, chosen)) return true;
      chosen.pop();
    }
  }
  return false;
}
