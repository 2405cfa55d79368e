/**
 * `wildcard` matching (EventBridge only): `*` matches zero or more characters; `\*` is a literal asterisk and `\\`
 * a literal backslash; any other escape, and two consecutive `*`, are rejected (EventBridge content-filtering
 * page, "Wildcard matching"; event-ruler README). Error texts and 0-based positions are event-ruler's.
 */
import { fail } from './errors.js';
import { WILDCARD_MAX_COMPLEXITY } from './limits.js';
import type { WildcardPattern } from './types.js';

export function parseWildcard(source: string): WildcardPattern {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${i}`);
      current += next;
      i++;
    } else if (c === '*') {
      if (source[i + 1] === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`);
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return { source, parts };
}

export function wildcardMatches(pattern: WildcardPattern, value: string): boolean {
  const { parts } = pattern;
  if (parts.length === 1) return value === parts[0];
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  // Middle parts in order, each at its leftmost place: leftmost placement never loses a match.
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i]!, at);
    if (found < 0 || found + parts[i]!.length > end) return false;
    at = found + parts[i]!.length;
  }
  return true;
}

const STAR = -1;

/**
 * How many wildcard states can be alive at once while a worst-case value is read — the measure event-ruler's
 * MachineComplexityEvaluator bounds ("how many wildcard rule prefixes match a theoretical worst-case event").
 * Each pattern is a small NFA over its characters; we explore the subsets reachable over the patterns' own
 * alphabet plus one "other" character. States before a pattern's first `*` are deterministic and not counted.
 */
export function wildcardComplexity(patterns: readonly WildcardPattern[]): number {
  const tokens = patterns.map((p) => {
    const out: number[] = [];
    p.parts.forEach((part, i) => {
      if (i > 0) out.push(STAR);
      for (const ch of part) out.push(ch.codePointAt(0)!);
    });
    return out;
  });
  if (!tokens.some((t) => t.includes(STAR))) return 0;
  const alphabet = new Set<number>([-2]);
  for (const t of tokens) for (const c of t) if (c !== STAR) alphabet.add(c);

  // A state is "pattern:position"; closing over a star at `position` also enables position + 1.
  const close = (states: Set<string>): Set<string> => {
    const out = new Set<string>();
    const stack = [...states];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (out.has(s)) continue;
      out.add(s);
      const [p, k] = s.split(':').map(Number) as [number, number];
      if (tokens[p]![k] === STAR) stack.push(`${p}:${k + 1}`);
    }
    return out;
  };
  const counted = (states: Set<string>): number => {
    let n = 0;
    for (const s of states) {
      const [p, k] = s.split(':').map(Number) as [number, number];
      if (tokens[p]!.slice(0, k + 1).includes(STAR)) n++;
    }
    return n;
  };
  const start = close(new Set(tokens.map((_, p) => `${p}:0`)));
  const seen = new Set<string>();
  const pending = [start];
  let worst = counted(start);
  const EXPLORATION_LIMIT = 5000;
  while (pending.length > 0) {
    if (seen.size > EXPLORATION_LIMIT) return WILDCARD_MAX_COMPLEXITY + 1;
    const active = pending.pop()!;
    const key = [...active].sort().join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    for (const c of alphabet) {
      const next = new Set<string>();
      for (const s of active) {
        const [p, k] = s.split(':').map(Number) as [number, number];
        const t = tokens[p]![k];
        if (t === STAR) next.add(s);
        else if (t === c) next.add(`${p}:${k + 1}`);
      }
      if (next.size === 0) continue;
      const closed = close(next);
      worst = Math.max(worst, counted(closed));
      if (worst > WILDCARD_MAX_COMPLEXITY) return worst;
      pending.push(closed);
    }
  }
  return worst;
}

export function checkWildcardComplexity(patterns: readonly WildcardPattern[]): void {
  if (wildcardComplexity(patterns) > WILDCARD_MAX_COMPLEXITY) {
    fail(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
}
