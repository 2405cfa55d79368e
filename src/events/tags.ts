import { constraintError } from './errors.js';
import { TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX } from './limits.js';
import type { Tag } from './types.js';

/** Tags as EventBridge takes them (a Key/Value list) merged onto existing ones; the limits are the model's and the quota's. */
export function mergeTags(existing: Readonly<Record<string, string>>, tags: readonly Tag[] | undefined): Record<string, string> {
  const out = { ...existing };
  for (const tag of tags ?? []) {
    if (tag.Key.length < 1 || tag.Key.length > TAG_KEY_MAX) {
      throw constraintError(tag.Key, 'tags.member.key', `Member must have length ${tag.Key.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${TAG_KEY_MAX}`}`);
    }
    if (tag.Value.length > TAG_VALUE_MAX) throw constraintError(tag.Value, 'tags.member.value', `Member must have length less than or equal to ${TAG_VALUE_MAX}`);
    out[tag.Key] = tag.Value;
  }
  if (Object.keys(out).length > TAGS_MAX) throw constraintError('[…]', 'tags', `Member must have length less than or equal to ${TAGS_MAX}`);
  return out;
}

export const tagList = (tags: Readonly<Record<string, string>>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
