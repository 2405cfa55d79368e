import { AwsError } from '../core/errors.js';
import type { Shape, StructureShape } from './shapes.js';

/**
 * Checks a decoded AWS JSON document against the operation's input shape, as AWS's JSON front end does before an
 * operation runs: wrong JSON types are a SerializationException, unknown members are ignored. Blobs stay base64
 * text (the JSON wire form), which the services decode where they need the bytes.
 */
export function checkJsonInput(shape: StructureShape, value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError('structure', value, 'input');
  const mismatch = check(shape, value);
  if (mismatch) throw typeError(mismatch.expected, mismatch.value, `input${mismatch.path.reverse().join('')}`);
  return value as Record<string, unknown>;
}

/** Where a value did not fit its shape; the path is collected innermost first, on the way out. */
interface Mismatch {
  expected: string;
  value: unknown;
  path: string[];
}

const mismatch = (expected: string, value: unknown): Mismatch => ({ expected, value, path: [] });

/**
 * Every request runs through here, so a value that fits builds nothing: the path to a member is only put
 * together for the one that does not fit.
 */
function check(shape: Shape, value: unknown): Mismatch | undefined {
  if (value === null) return undefined; // AWS JSON treats an explicit null member as absent.
  switch (shape.t) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch('structure', value);
      const record = value as Record<string, unknown>;
      for (const key in record) {
        const member = shape.m[key];
        if (!member) continue;
        const inner = check(member, record[key]);
        if (inner) {
          inner.path.push(`.${key}`);
          return inner;
        }
      }
      return undefined;
    }
    case 'list':
      if (!Array.isArray(value)) return mismatch('list', value);
      for (let i = 0; i < value.length; i++) {
        const inner = check(shape.e, value[i]);
        if (inner) {
          inner.path.push(`[${i}]`);
          return inner;
        }
      }
      return undefined;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch('map', value);
      const record = value as Record<string, unknown>;
      for (const key in record) {
        const inner = check(shape.v, record[key]);
        if (inner) {
          inner.path.push(`.${key}`);
          return inner;
        }
      }
      return undefined;
    }
    case 'string':
    case 'blob':
      return typeof value === 'string' ? undefined : mismatch(shape.t, value);
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : mismatch(shape.t, value);
    case 'double':
    case 'float':
      return typeof value === 'number' ? undefined : mismatch(shape.t, value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch('boolean', value);
    case 'timestamp':
      return typeof value === 'number' || typeof value === 'string' ? undefined : mismatch('timestamp', value);
  }
}

function typeError(expected: string, value: unknown, path: string): AwsError {
  const got = Array.isArray(value) ? 'array' : typeof value;
  return new AwsError('SerializationException', `Expected ${expected} at ${path}, got ${got}`);
}
