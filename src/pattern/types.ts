/** The types each stage hands to the next: JSON → ParsedPattern (parse + validate) → CompiledRuleSet → rule ids. */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Which AWS service's rules apply: operators allowed, numeric bounds, size and complexity limits. */
export type Dialect = 'eventbridge' | 'sns';

/** SNS FilterPolicyScope: what a filter policy is matched against. */
export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

/** A numeric bound of a `numeric` range. */
export interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** What `anything-but` excludes. */
export type Exclusion =
  | { readonly op: 'strings'; readonly values: readonly string[] }
  | { readonly op: 'numbers'; readonly values: readonly number[] }
  | { readonly op: 'prefix' | 'suffix' | 'equals-ignore-case'; readonly values: readonly string[] }
  | { readonly op: 'wildcard'; readonly values: readonly WildcardPattern[] };

/** A wildcard pattern split at its unescaped `*`s: "a*b\\*c" → ["a", "b*c"]. */
export interface WildcardPattern {
  readonly source: string;
  readonly parts: readonly string[];
}

/** One value test of a field. A field matches when any of its matchers matches (or, for exists:false, when the
 *  field has no leaf at all). */
export type Matcher =
  | { readonly kind: 'exact'; readonly value: string | boolean | null }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'prefix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly pattern: WildcardPattern }
  | { readonly kind: 'anything-but'; readonly exclusion: Exclusion }
  | { readonly kind: 'numeric'; readonly lower?: NumericBound; readonly upper?: NumericBound }
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'cidr'; readonly source: string; readonly low: bigint; readonly high: bigint; readonly v6: boolean };

/** A leaf condition: the dotted path of nested keys and the matchers of its value array. */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly Matcher[];
}

/** One alternative of a pattern after `$or` is expanded: every field must match. */
export interface Branch {
  readonly fields: readonly FieldCondition[];
}

/** A validated pattern: its dialect and its alternatives (disjunctive normal form). Immutable; safe to share. */
export interface ParsedPattern {
  readonly dialect: Dialect;
  readonly branches: readonly Branch[];
}

/** A leaf value of an event, with the array elements it sits in (pairs of array id and index, outermost first),
 *  so that matching can refuse to combine fields from different elements of one array (event-ruler's
 *  "array-consistent" matching). */
export interface Leaf {
  readonly value: JsonPrimitive;
  readonly arrays: readonly number[];
}

/** An event flattened to its leaves by dotted path. */
export type FlatEvent = ReadonlyMap<string, readonly Leaf[]>;

/** Counters a caller may pass to `match` to see how much work a match did. */
export interface MatchStats {
  /** Branches looked up through the index and verified against the event. */
  verified: number;
}
