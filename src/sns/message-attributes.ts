import { AwsError } from '../core/errors.js';
import type { MessageAttributeValue as SqsMessageAttributeValue } from '../sqs/md5.js';
import * as L from './limits.js';
import type { MessageAttributeMap } from './types.js';

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const invalid = (message: string): AwsError => new AwsError('SnsInvalidParameterValue', message);

/**
 * Checks Publish message attributes as SNS does (types String, String.Array, Number and Binary, with optional
 * custom suffixes; non-empty values; numbers that parse) and returns their size in bytes — name, type and value
 * each count toward the message size limit (API MessageAttributeValue). Wording as AWS's ParameterValueInvalid.
 */
export function checkMessageAttributes(attributes: MessageAttributeMap): number {
  let size = 0;
  for (const [name, a] of Object.entries(attributes)) {
    if (name === '' || Buffer.byteLength(name) > L.ATTRIBUTE_NAME_MAX || !L.ATTRIBUTE_NAME_PATTERN.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw invalid(
        `The message attribute name '${name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.`,
      );
    }
    const type = a.DataType ?? '';
    if (type === '') throw invalid(`The message attribute '${name}' must contain non-empty message attribute value.`);
    const kind = /^(String|Number|Binary)(\..+)?$/.exec(type)?.[1];
    if (!kind) {
      throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(type);
    if (kind === 'Binary') {
      if (!a.BinaryValue) throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      size += Buffer.from(a.BinaryValue, 'base64').length;
      continue;
    }
    if (a.StringValue === undefined || a.StringValue === '') {
      throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (kind === 'Number' && (!NUMBER.test(a.StringValue.trim()) || !Number.isFinite(Number(a.StringValue)))) {
      throw invalid(`Could not cast message attribute '${name}' value to number.`);
    }
    if (type === 'String.Array' && !isStringArray(a.StringValue)) {
      throw invalid(`The message attribute '${name}' with type 'String.Array' must contain a JSON array of strings, numbers, booleans or nulls.`);
    }
    size += Buffer.byteLength(a.StringValue);
  }
  return size;
}

/** String.Array values are JSON arrays of strings, numbers, true, false and null (no nested arrays or objects). */
function isStringArray(text: string): boolean {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.every((e) => e === null || ['string', 'number', 'boolean'].includes(typeof e));
  } catch {
    return false;
  }
}

/** The attributes as a notification envelope carries them: {Type, Value}, binary values base64. */
export function envelopeAttributes(attributes: MessageAttributeMap): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = { Type: a.DataType!, Value: a.DataType!.startsWith('Binary') ? a.BinaryValue! : a.StringValue! };
  }
  return out;
}

/** The attributes as SQS message attributes, for raw message delivery. */
export function sqsAttributes(attributes: MessageAttributeMap): Record<string, SqsMessageAttributeValue> {
  const out: Record<string, SqsMessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = a.DataType!.startsWith('Binary')
      ? { DataType: a.DataType!, BinaryValue: a.BinaryValue! }
      : { DataType: a.DataType!, StringValue: a.StringValue! };
  }
  return out;
}
