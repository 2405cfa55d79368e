import { createHash } from 'node:crypto';
import { AwsError, invalidParameter } from '../core/errors.js';
import * as L from './limits.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import type { MessageAttributeMap } from './types.js';

/** AWS's allowed body characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function checkBodyCharacters(body: string): void {
  if (INVALID_BODY_CHAR.test(body)) {
    throw new AwsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
}

const TYPE_PREFIX = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Checks message attributes as AWS does and returns their size in bytes (name + type + value each, which count
 * toward the message size limit).
 */
export function checkMessageAttributes(attributes: MessageAttributeMap): number {
  const names = Object.keys(attributes);
  if (names.length > L.MESSAGE_ATTRIBUTES_MAX) {
    throw invalidParameter('MessageAttributes', '', `Number of message attributes [${names.length}] exceeds the allowed maximum [${L.MESSAGE_ATTRIBUTES_MAX}].`);
  }
  let size = 0;
  for (const name of names) {
    const a = attributes[name]!;
    if (name === '') throw new AwsError('InvalidParameterValue', 'The request must contain non-empty message (user) attribute names.');
    if (Buffer.byteLength(name) > L.ATTRIBUTE_NAME_MAX) {
      throw new AwsError('InvalidParameterValue', 'Message (user) attribute name must be shorter than 256 bytes.');
    }
    const lower = name.toLowerCase();
    if (lower.startsWith('aws.') || lower.startsWith('amazon.')) {
      throw new AwsError(
        'InvalidParameterValue',
        "You can't use message attribute names beginning with 'AWS.' or 'Amazon'. These strings are reserved for internal use.",
      );
    }
    if (!L.ATTRIBUTE_NAME_PATTERN.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw new AwsError(
        'InvalidParameterValue',
        `Message (user) attribute name '${name}' is invalid. Names can contain alphanumeric characters, hyphens, underscores and periods, and must not start or end with a period or contain two periods in a row.`,
      );
    }
    const type = a.DataType;
    if (type === undefined || type === '') {
      throw new AwsError('InvalidParameterValue', `The message (user) attribute '${name}' must contain a non-empty attribute type.`);
    }
    if (Buffer.byteLength(type) > L.ATTRIBUTE_DATA_TYPE_MAX) {
      throw new AwsError('InvalidParameterValue', 'Message (user) attribute type must be shorter than 256 bytes.');
    }
    const kind = TYPE_PREFIX.exec(type)?.[1];
    if (!kind) {
      throw new AwsError(
        'InvalidParameterValue',
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (a.StringListValues?.length || a.BinaryListValues?.length) {
      throw new AwsError('InvalidParameterValue', 'Message attribute list values in SendMessage operation are not supported.');
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(type);
    if (kind === 'Binary') {
      if (a.BinaryValue === undefined || a.BinaryValue === '') {
        throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
      }
      size += Buffer.from(a.BinaryValue, 'base64').length;
    } else {
      if (a.StringValue === undefined || a.StringValue === '') {
        throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of type '${kind}'.`);
      }
      if (kind === 'Number' && !isValidNumber(a.StringValue)) {
        throw new AwsError('InvalidParameterValue', `Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      if (kind === 'String') checkBodyCharacters(a.StringValue);
      size += Buffer.byteLength(a.StringValue);
    }
  }
  return size;
}

/** Up to 38 significant digits, between -10^128 and 10^126 (AWS's documented range for Number attributes). */
function isValidNumber(text: string): boolean {
  const t = text.trim();
  if (!NUMBER.test(t)) return false;
  const digits = t.replace(/[eE].*$/, '').replace(/[-+.]/g, '').replace(/^0+/, '');
  if (digits.length > L.NUMBER_PRECISION_MAX) return false;
  const n = Number(t);
  return Number.isFinite(n) && Math.abs(n) <= 1e126;
}

export function checkSystemAttributes(attributes: MessageAttributeMap): void {
  for (const [name, a] of Object.entries(attributes)) {
    if (name !== 'AWSTraceHeader') {
      throw new AwsError('InvalidParameterValue', `Message system attribute name '${name}' is invalid.`);
    }
    if (a.DataType !== 'String' || !a.StringValue) {
      throw new AwsError('InvalidParameterValue', `Message system attribute '${name}' must contain a non-empty value of type 'String'.`);
    }
  }
}

export function checkFifoId(param: string, value: string): void {
  if (!L.FIFO_ID_PATTERN.test(value)) {
    throw invalidParameter(param, value, `${param} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export { md5Hex, md5OfAttributes };
