import { AwsError } from '../core/errors.js';
import type { Shape, StructureShape } from './shapes.js';

/**
 * Turns the flat parameters of an AWS Query request (`Attribute.1.Name=…&MessageAttribute.1.Value.StringValue=…`)
 * into the same input object the AWS JSON protocol carries, walking the operation's input shape. Element names
 * follow AWS's Query serialization rules: a member's `locationName` replaces its name; flattened lists repeat
 * `Name.N`, other lists use `Name.member.N`; maps use `Name.N.Name/Value` (flattened) or `Name.entry.N.key/value`.
 */
export function decodeQueryInput(shape: StructureShape, params: Map<string, string>): Record<string, unknown> {
  // The largest legitimate request (a batch of ten with ten attributes each) has a few hundred parameters; far more
  // is refused before decoding, whose cost grows with the square of the count.
  if (params.size > MAX_PARAMETERS) {
    throw new AwsError('InvalidParameterValue', `The request has ${params.size} parameters; at most ${MAX_PARAMETERS} are accepted.`);
  }
  const index = new PrefixIndex(params);
  return (decodeStructure(shape, '', index) ?? {}) as Record<string, unknown>;
}

const MAX_PARAMETERS = 2_000;

/** List and map positions: 1 to 999,999,999 written without leading zeros, as clients write them. */
const POSITION = /^([1-9]\d{0,8})(\.|$)/;

/** The parameter names, so "is anything under this prefix" is answered without rescanning every key. */
class PrefixIndex {
  readonly keys: string[];
  constructor(readonly params: Map<string, string>) {
    this.keys = [...params.keys()];
  }
  has(prefix: string): boolean {
    if (this.params.has(prefix)) return true;
    const dotted = prefix + '.';
    return this.keys.some((k) => k.startsWith(dotted));
  }
  /** The numeric indices N that appear as `prefix.N…`, ascending. */
  indices(prefix: string): number[] {
    const dotted = prefix + '.';
    const found = new Set<number>();
    for (const key of this.keys) {
      if (!key.startsWith(dotted)) continue;
      const m = POSITION.exec(key.slice(dotted.length));
      if (m) found.add(Number(m[1]));
    }
    return [...found].sort((a, b) => a - b);
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function decode(shape: Shape, key: string, index: PrefixIndex): unknown {
  switch (shape.t) {
    case 'structure':
      return decodeStructure(shape, key, index);
    case 'list': {
      let base: string;
      if (shape.f) {
        base = key;
        if (shape.e.ln) base = key.includes('.') ? key.slice(0, key.lastIndexOf('.') + 1) + shape.e.ln : shape.e.ln;
      } else {
        base = `${key}.${shape.e.ln ?? 'member'}`;
      }
      // `Name=` with an empty value is how Query clients send an empty list.
      if (!shape.f && index.params.get(key) === '' && index.indices(base).length === 0) return [];
      const items = index.indices(base).map((n) => decode(shape.e, `${base}.${n}`, index));
      return items.length ? items : undefined;
    }
    case 'map': {
      const base = shape.f ? key : `${key}.entry`;
      // No prototype: a key named `__proto__` is data, not a way to swap the object's prototype.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      let any = false;
      for (const n of index.indices(base)) {
        const k = index.params.get(`${base}.${n}.${shape.k.ln ?? 'key'}`);
        if (k === undefined) continue;
        out[k] = decode(shape.v, `${base}.${n}.${shape.v.ln ?? 'value'}`, index);
        any = true;
      }
      return any ? out : undefined;
    }
    default:
      return decodeScalar(shape, key, index.params.get(key));
  }
}

function decodeStructure(shape: StructureShape, prefix: string, index: PrefixIndex): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const name in shape.m) {
    const member = shape.m[name]!;
    const key = join(prefix, member.ln ?? name);
    if (member.t === 'structure' || member.t === 'list' || member.t === 'map') {
      if (!index.has(key) && !(member.t === 'list' && member.f && member.e.ln && index.has(listBase(key, member.e.ln))))
        continue;
    }
    const value = decode(member, key, index);
    if (value !== undefined) {
      out[name] = value;
      any = true;
    }
  }
  return any || prefix === '' ? out : undefined;
}

function listBase(key: string, elementName: string): string {
  return key.includes('.') ? key.slice(0, key.lastIndexOf('.') + 1) + elementName : elementName;
}

function decodeScalar(shape: Shape, key: string, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  switch (shape.t) {
    case 'integer':
    case 'long': {
      if (!/^[-+]?\d+$/.test(raw.trim())) throw notValid(key, raw, 'integer');
      return Number.parseInt(raw, 10);
    }
    case 'double':
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw notValid(key, raw, 'number');
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw notValid(key, raw, 'boolean');
      return raw === 'true';
    default:
      return raw;
  }
}

function notValid(key: string, raw: string, type: string): AwsError {
  return new AwsError('InvalidParameterValue', `Value ${raw} for parameter ${key} is invalid. Reason: Must be a valid ${type}.`);
}
