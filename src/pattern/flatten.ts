/**
 * An event (any JSON object) → its leaves by dotted path. Objects nest into "a.b.c"; an array contributes each of
 * its elements under the array's own path ("arrays of objects are flattened": event-ruler README, "JSON Array
 * Matching"), and each leaf remembers which element of which array it came from so that matching can stay
 * array-consistent. Empty arrays and empty objects contribute no leaf, so a field holding one is absent for
 * matching, as it is for event-ruler (exists:false matches it, exists:true does not).
 */
import { MAX_EVENT_DEPTH } from './limits.js';
import type { FlatEvent, JsonPrimitive, JsonValue, Leaf } from './types.js';

export function flattenEvent(event: object): FlatEvent {
  const leaves = new Map<string, Leaf[]>();
  let nextArrayId = 0;
  const add = (path: string, value: JsonPrimitive, arrays: readonly number[]): void => {
    const list = leaves.get(path);
    const leaf: Leaf = { value, arrays };
    if (list === undefined) leaves.set(path, [leaf]);
    else list.push(leaf);
  };
  const walk = (value: JsonValue | undefined, path: string, arrays: readonly number[], depth: number): void => {
    if (value === undefined || depth > MAX_EVENT_DEPTH) return;
    if (Array.isArray(value)) {
      const id = nextArrayId++;
      value.forEach((element, index) => walk(element, path, [...arrays, id, index], depth + 1));
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        walk(value[key], path === '' ? key : `${path}.${key}`, arrays, depth + 1);
      }
    } else if (path !== '') {
      add(path, value, arrays);
    }
  };
  walk(event as JsonValue, '', [], 0);
  return leaves;
}

/** Whether two leaves can be matched together: in every array both sit in, they sit in the same element. */
export function consistent(a: readonly number[], b: readonly number[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) {
      if (a[i] === b[j] && a[i + 1] !== b[j + 1]) return false;
    }
  }
  return true;
}
