import { AwsError } from '../core/errors.js';
import { snsInvalidParameter } from './errors.js';
import * as L from './limits.js';
import type { Tag } from './types.js';

/** AWS tag rules: keys 1–128 and values 0–256 of letters, digits, spaces and `_ . : / = + - @`; `aws:` reserved. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function tagsFromList(list: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) {
    if (t.Key === undefined) throw snsInvalidParameter('Tags Reason: Tag key must not be null');
    out[t.Key] = t.Value ?? '';
  }
  return out;
}

export const tagsToList = (tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function validateTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > L.TAGS_MAX) {
    throw new AwsError('SnsTagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
  }
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > L.TAG_KEY_MAX || !TAG_TEXT.test(key) || key.toLowerCase().startsWith('aws:')) {
      throw new AwsError('SnsTagPolicy', `Invalid tag key: ${key}`);
    }
    if (value.length > L.TAG_VALUE_MAX || !TAG_TEXT.test(value)) throw new AwsError('SnsTagPolicy', `Invalid tag value for key: ${key}`);
  }
}
