/**
 * Every limit the pattern engine enforces, in one place. Each is checked at the edge (parse/validate) and has a
 * test in test/pattern/*-cases.json that breaks it.
 */

/** EventBridge quota "Event pattern size": 2,048 characters by default (adjustable to 4,096).
 *  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** SNS: "The maximum size of a filter policy is 256 KB."
 *  https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html */
export const FILTER_POLICY_MAX_BYTES = 256 * 1024;

/** SNS: "A filter policy can have a maximum of five keys" — top-level keys only for MessageBody scope. (same page) */
export const FILTER_POLICY_MAX_KEYS = 5;

/** SNS: "The total combination of values in a filter policy must not exceed 150." (same page) */
export const FILTER_POLICY_MAX_COMBINATIONS = 150;

/** EventBridge numeric matching: event-ruler's ComparableNumber accepts -5.0e9..+5.0e9 with six digits after the
 *  decimal point (the current content-filtering page; older pages said 1.0e9). */
export const EVENTBRIDGE_NUMERIC_BOUND = 5e9;
export const EVENTBRIDGE_NUMERIC_DECIMALS = 6;

/** SNS numeric matching: "-10^9 to 10^9 ... with five digits of accuracy after the decimal point." */
export const SNS_NUMERIC_BOUND = 1e9;
export const SNS_NUMERIC_DECIMALS = 5;

/** Wildcard complexity: event-ruler rejects a field whose wildcard patterns can have more than this many prefix
 *  states alive at once on a worst-case value ("Rule is too complex ..."). Our evaluation is an approximation of
 *  MachineComplexityEvaluator; see docs/pattern.md. */
export const WILDCARD_MAX_COMPLEXITY = 10;

/** $or expands a pattern into alternative branches (disjunctive normal form). AWS bounds this only indirectly (the
 *  2,048-character pattern size, SNS's 150 combinations); this guard keeps a hostile pattern from exploding memory. */
export const MAX_BRANCHES_PER_PATTERN = 1024;

/** Event flattening guard: deeper events are not rejected but their deeper leaves are ignored. EventBridge events
 *  are at most 256 KB, so real events never come near it. */
export const MAX_EVENT_DEPTH = 128;
