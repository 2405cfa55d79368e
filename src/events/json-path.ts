/**
 * The JSON path subset EventBridge evaluates in InputPath and InputPathsMap (eb-transform-target-input): `$`, dot
 * notation with names of letters, digits, dashes, underscores and other non-delimiter characters, array indices
 * `[n]`, and the wildcard `*` (`.*` or `[*]`), which gathers every match into an array.
 */
export type PathStep = { readonly key: string } | { readonly index: number } | { readonly wildcard: true };

const STEP = /^(?:\.([^.[\]*]+)|\[(\d+)\]|\.\*|\[\*\]|\['([^']+)'\])/;

/** Parses a path; undefined when it is not of the supported form. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else steps.push({ wildcard: true });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** The value at the path, or undefined when the event has none there. With a wildcard: the array of matches. */
export function evaluateJsonPath(steps: readonly PathStep[], value: unknown): unknown {
  let current: unknown[] = [value];
  let gathered = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue;
      if ('wildcard' in step) {
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
        gathered = true;
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, step.key)) {
        next.push((v as Record<string, unknown>)[step.key]);
      }
    }
    current = next;
  }
  if (gathered) return current.length ? current : undefined;
  return current[0];
}
