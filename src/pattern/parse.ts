/**
 * Stage 1: the pattern's text (or an already-decoded object) → a JSON object, with the size limit of its dialect
 * checked on the text as AWS receives it.
 */
import { fail } from './errors.js';
import { EVENT_PATTERN_MAX_CHARS, FILTER_POLICY_MAX_BYTES } from './limits.js';
import type { Dialect, JsonObject, JsonValue } from './types.js';

export interface ReadOptions {
  /** EventBridge's pattern-size quota is adjustable (2,048 by default, up to 4,096). */
  readonly maxPatternChars?: number;
}

export function readPatternJson(input: string | object, dialect: Dialect, options: ReadOptions = {}): JsonObject {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  if (dialect === 'eventbridge') {
    const max = options.maxPatternChars ?? EVENT_PATTERN_MAX_CHARS;
    // Postbox's wording: AWS answers this with a length-constraint validation error that names the quota.
    if (text.length > max) fail(`Event pattern is longer than the maximum of ${max} characters`);
  } else if (Buffer.byteLength(text, 'utf8') > FILTER_POLICY_MAX_BYTES) {
    fail('Filter policy is too long');
  }
  let value: JsonValue;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as JsonValue;
    } catch (error) {
      // AWS passes its JSON parser's message through; ours differs in detail but keeps AWS's lead-in.
      const detail = error instanceof Error ? error.message : String(error);
      return fail(dialect === 'sns' ? `failed to parse JSON. ${detail}` : `Filter is not valid JSON: ${detail}`);
    }
  } else {
    value = JSON.parse(text) as JsonValue;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('Filter is not an object');
  return value;
}
