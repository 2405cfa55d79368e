/**
 * Stage 4a: an event → the ids of the rules it matches. The event is flattened once; each of its paths that the
 * index knows is looked up by value (hash maps, tries), which yields the candidate branches; only those are
 * verified (evaluate.ts). Cost grows with the event's size and the number of candidates, not with the rule count.
 */
import type { CompiledBranch, CompiledRuleSet } from './compile.js';
import { branchHolds, valueKey } from './evaluate.js';
import { flattenEvent } from './flatten.js';
import { reverse } from './trie.js';
import type { FlatEvent, MatchStats } from './types.js';

export function match(set: CompiledRuleSet, event: object, stats?: MatchStats): string[] {
  return matchFlat(set, flattenEvent(event), stats);
}

/** As `match`, for an event already flattened (SNS message attributes arrive that way). */
export function matchFlat(set: CompiledRuleSet, event: FlatEvent, stats?: MatchStats): string[] {
  const candidates = new Set<CompiledBranch>();
  const add = (entry: CompiledBranch): void => {
    candidates.add(entry);
  };
  for (const [path, leaves] of event) {
    const index = set.paths.get(path);
    if (index === undefined || leaves.length === 0) continue;
    for (const entry of index.present) add(entry);
    for (const leaf of leaves) {
      const exact = index.exact.get(valueKey(leaf.value));
      if (exact !== undefined) for (const entry of exact) add(entry);
      if (typeof leaf.value !== 'string') continue;
      const lower = leaf.value.toLowerCase();
      const folded = index.ignoreCase.get(lower);
      if (folded !== undefined) for (const entry of folded) add(entry);
      index.prefix.walk(leaf.value, add);
      index.prefixIgnoreCase.walk(lower, add);
      index.suffix.walk(reverse(leaf.value), add);
      index.suffixIgnoreCase.walk(reverse(lower), add);
    }
  }
  for (const entry of set.always) add(entry);

  const matched = new Map<string, number>();
  for (const entry of candidates) {
    if (matched.has(entry.ruleId)) continue;
    if (stats !== undefined) stats.verified++;
    if (branchHolds(entry.branch, event)) matched.set(entry.ruleId, entry.ruleOrder);
  }
  return [...matched.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
}
