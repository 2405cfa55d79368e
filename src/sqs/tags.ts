import { AwsError } from '../core/errors.js';
import * as L from './limits.js';

/** AWS tag rules: keys 1–128 and values 0–256 characters of letters, digits, spaces and `_ . : / = + - @`. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > L.TAGS_MAX) {
    throw new AwsError('InvalidParameterValue', `Too many tags added for queue. Tag count is limited to ${L.TAGS_MAX}.`);
  }
  for (const key of keys) {
    const value = tags[key] ?? '';
    if (key.length < 1 || key.length > L.TAG_KEY_MAX || !TAG_TEXT.test(key)) {
      throw new AwsError('InvalidParameterValue', `Tag key ${key} is invalid. Keys are 1 to ${L.TAG_KEY_MAX} characters.`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidParameterValue', `Tag key ${key} is invalid. The aws: prefix is reserved.`);
    }
    if (value.length > L.TAG_VALUE_MAX || !TAG_TEXT.test(value)) {
      throw new AwsError('InvalidParameterValue', `Tag value for key ${key} is invalid. Values are 0 to ${L.TAG_VALUE_MAX} characters.`);
    }
  }
}
