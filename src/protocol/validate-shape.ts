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
  check(shape, value, 'input');
  return value as Record<string, unknown>;
}

function check(shape: Shape, value: unknown, path: string): void {
  if (value === null) return; // AWS JSON treats an explicit null member as absent.
  switch (shape.t) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError('structure', value, path);
      const record = value as Record<string, unknown>;
      for (const key in record) {
        const member = shape.m[key];
        if (member) check(member, record[key], `${path}.${key}`);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) throw typeError('list', value, path);
      for (let i = 0; i < value.length; i++) check(shape.e, value[i], `${path}[${i}]`);
      return;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw typeError('map', value, path);
      const record = value as Record<string, unknown>;
      for (const key in record) check(shape.v, record[key], `${path}.${key}`);
      return;
    }
    case 'string':
    case 'blob':
      if (typeof value !== 'string') throw typeError(shape.t, value, path);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(shape.t, value, path);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw typeError(shape.t, value, path);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError('boolean', value, path);
      return;
    case 'timestamp':
      if (typeof value !== 'number' && typeof value !== 'string') throw typeError('timestamp', value, path);
      return;
  }
}

function typeError(expected: string, value: unknown, path: string): AwsError {
  const got = Array.isArray(value) ? 'array' : typeof value;
  return new AwsError('SerializationException', `Expected ${expected} at ${path}, got ${got}`);
}
