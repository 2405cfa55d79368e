/**
 * Stage 3: all rules of a bus (or all subscriptions of a topic) → one index, so that matching an event looks only
 * at the branches the event could satisfy instead of every rule.
 *
 * Each branch of each rule is filed under one *anchor*: a field it cannot match without. The best anchor is a field
 * whose every matcher is indexable by the event's value — exact values (hash map by path and value key),
 * equals-ignore-case (hash map of lower-cased values), prefix and suffix (character tries per path). A branch with
 * no such field is filed under a path it needs present (any matcher but exists:false needs a leaf there); a branch
 * made only of exists:false fields is checked for every event. Among several indexable fields, a branch is
 * filed under the one whose buckets the fewest other branches share (counted over the whole rule set in a first
 * pass), so a value common to many rules ("region": "eu-west-1") does not become everyone's anchor.
 * See docs/pattern.md for the trade-offs.
 */
import { valueKey } from './evaluate.js';
import { PrefixTrie, reverse } from './trie.js';
import type { Branch, FieldCondition, Matcher, ParsedPattern } from './types.js';

export interface RuleInput {
  readonly id: string;
  readonly pattern: ParsedPattern;
}

export interface CompiledBranch {
  readonly ruleId: string;
  /** Position of the rule in the compiled set, so results come back in a stable order. */
  readonly ruleOrder: number;
  readonly branch: Branch;
}

/** Everything indexed under one event path. */
export interface PathIndex {
  readonly exact: Map<string, CompiledBranch[]>;
  readonly ignoreCase: Map<string, CompiledBranch[]>;
  readonly prefix: PrefixTrie<CompiledBranch>;
  readonly prefixIgnoreCase: PrefixTrie<CompiledBranch>;
  readonly suffix: PrefixTrie<CompiledBranch>;
  readonly suffixIgnoreCase: PrefixTrie<CompiledBranch>;
  /** Branches that need this path present but have no value-indexable field. */
  readonly present: CompiledBranch[];
}

export interface CompiledRuleSet {
  readonly ruleCount: number;
  readonly branchCount: number;
  readonly paths: ReadonlyMap<string, PathIndex>;
  /** Branches that hold on absent fields alone: verified against every event. */
  readonly always: readonly CompiledBranch[];
}

const indexable = (m: Matcher): boolean =>
  m.kind === 'exact' || m.kind === 'number' || m.kind === 'equals-ignore-case' ||
  ((m.kind === 'prefix' || m.kind === 'suffix') && m.value !== '');

/** The bucket a matcher files a branch under; branches sharing a bucket are proposed together. */
function bucketKey(path: string, m: Matcher): string {
  switch (m.kind) {
    case 'exact':
    case 'number':
      return `${path}\u0000=${valueKey(m.value)}`;
    case 'equals-ignore-case':
      return `${path}\u0000i${m.value.toLowerCase()}`;
    case 'prefix':
    case 'suffix':
      return `${path}\u0000${m.kind}${m.ignoreCase ? 'i' : ''}${m.ignoreCase ? m.value.toLowerCase() : m.value}`;
    default:
      return `${path}\u0000?`;
  }
}

const requiresPresence = (field: FieldCondition): boolean => !field.matchers.some((m) => m.kind === 'exists' && !m.exists);

function newPathIndex(): PathIndex {
  return {
    exact: new Map(),
    ignoreCase: new Map(),
    prefix: new PrefixTrie(),
    prefixIgnoreCase: new PrefixTrie(),
    suffix: new PrefixTrie(),
    suffixIgnoreCase: new PrefixTrie(),
    present: [],
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export function compile(rules: readonly RuleInput[]): CompiledRuleSet {
  const paths = new Map<string, PathIndex>();
  const always: CompiledBranch[] = [];
  let branchCount = 0;
  const pathIndex = (path: string): PathIndex => {
    let index = paths.get(path);
    if (index === undefined) {
      index = newPathIndex();
      paths.set(path, index);
    }
    return index;
  };

  // Pass 1: how many branches each bucket would hold if every indexable field were filed.
  const load = new Map<string, number>();
  for (const rule of rules) {
    for (const branch of rule.pattern.branches) {
      for (const field of branch.fields) {
        if (!requiresPresence(field) || !field.matchers.every(indexable)) continue;
        for (const m of field.matchers) {
          const key = bucketKey(field.path, m);
          load.set(key, (load.get(key) ?? 0) + 1);
        }
      }
    }
  }
  // A field's cost is the number of other branches an event would drag in with it: the sum of its buckets'
  // loads. Prefixes and suffixes pay extra because an event walks several of their buckets.
  const cost = (field: FieldCondition): number =>
    field.matchers.reduce((sum, m) => {
      const shared = load.get(bucketKey(field.path, m)) ?? 1;
      return sum + (m.kind === 'prefix' || m.kind === 'suffix' ? shared + 1 : shared);
    }, 0);

  // Pass 2: file each branch under its cheapest anchor.
  rules.forEach((rule, ruleOrder) => {
    for (const branch of rule.pattern.branches) {
      branchCount++;
      const entry: CompiledBranch = { ruleId: rule.id, ruleOrder, branch };
      const needed = branch.fields.filter(requiresPresence);
      const anchors = needed.filter((f) => f.matchers.every(indexable));
      if (anchors.length > 0) {
        const anchor = anchors.reduce((best, f) => (cost(f) < cost(best) ? f : best));
        const index = pathIndex(anchor.path);
        for (const m of anchor.matchers) fileByValue(index, m, entry);
      } else if (needed.length > 0) {
        pathIndex(needed[0]!.path).present.push(entry);
      } else {
        always.push(entry);
      }
    }
  });
  return { ruleCount: rules.length, branchCount, paths, always };
}

function fileByValue(index: PathIndex, m: Matcher, entry: CompiledBranch): void {
  switch (m.kind) {
    case 'exact':
    case 'number':
      push(index.exact, valueKey(m.value), entry);
      return;
    case 'equals-ignore-case':
      push(index.ignoreCase, m.value.toLowerCase(), entry);
      return;
    case 'prefix':
      if (m.ignoreCase) index.prefixIgnoreCase.add(m.value.toLowerCase(), entry);
      else index.prefix.add(m.value, entry);
      return;
    case 'suffix':
      if (m.ignoreCase) index.suffixIgnoreCase.add(reverse(m.value.toLowerCase()), entry);
      else index.suffix.add(reverse(m.value), entry);
      return;
    default:
      throw new Error(`not an indexable matcher: ${m.kind}`);
  }
}
