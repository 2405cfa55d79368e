/**
 * The SNS filter-policy dialect on the shared engine. A policy is parsed with dialect 'sns' and its scope, then
 * matched against either the message attributes or the JSON message body.
 *
 * - MessageAttributes scope (https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html and
 *   subscription-filter-policy-constraints.html): String attributes are strings; Number attributes are numbers
 *   (compared numerically); String.Array attributes are JSON arrays whose elements match individually; Binary
 *   attributes are not compared at all, so for matching they are absent.
 * - MessageBody scope: the body must be a JSON object; nested keys match as in EventBridge. A body that is not a
 *   JSON object matches no policy.
 * An empty policy ("{}" or "") means no filtering: every message is delivered.
 */
import { flattenEvent } from './flatten.js';
import { parseNumberText } from './numeric.js';
import { readPatternJson } from './parse.js';
import type { FilterPolicyScope, FlatEvent, JsonPrimitive, JsonValue, Leaf, ParsedPattern } from './types.js';
import { validatePattern } from './validate.js';
import { branchHolds } from './evaluate.js';

/** A message attribute as SNS publishes it in notifications ({Type, Value}) or as Publish takes it
 *  ({DataType, StringValue, BinaryValue}). */
export interface SnsMessageAttribute {
  readonly Type?: string;
  readonly Value?: string;
  readonly DataType?: string;
  readonly StringValue?: string;
  readonly BinaryValue?: unknown;
}

export type SnsMessageAttributes = Readonly<Record<string, SnsMessageAttribute>>;

export interface SnsMessage {
  readonly attributes?: SnsMessageAttributes;
  readonly body?: string;
}

export interface FilterPolicy {
  readonly scope: FilterPolicyScope;
  /** undefined for an empty policy, which matches every message. */
  readonly pattern: ParsedPattern | undefined;
}

/** Validates a FilterPolicy attribute value; throws PatternError (render with snsFilterPolicyMessage). */
export function parseFilterPolicy(json: string | object, scope: FilterPolicyScope = 'MessageAttributes'): FilterPolicy {
  if (typeof json === 'string' && json.trim() === '') return { scope, pattern: undefined };
  const object = readPatternJson(json, 'sns');
  if (Object.keys(object).length === 0) return { scope, pattern: undefined };
  return { scope, pattern: validatePattern(object, 'sns', { scope }) };
}

/** Message attributes → leaves by attribute name. */
export function flattenAttributes(attributes: SnsMessageAttributes): FlatEvent {
  const leaves = new Map<string, Leaf[]>();
  for (const [name, attribute] of Object.entries(attributes)) {
    const type = attribute.Type ?? attribute.DataType ?? '';
    const text = attribute.Value ?? attribute.StringValue;
    const values = attributeValues(type, text);
    if (values.length > 0) leaves.set(name, values.map((value) => ({ value, arrays: [] })));
  }
  return leaves;
}

function attributeValues(type: string, text: string | undefined): JsonPrimitive[] {
  if (text === undefined) return [];
  // Custom type suffixes ("Number.float", "String.json") keep their base type's meaning.
  if (type === 'String.Array') {
    try {
      const parsed = JSON.parse(text) as JsonValue;
      if (!Array.isArray(parsed)) return [];
      return parsed.filter((v): v is JsonPrimitive => v === null || typeof v !== 'object');
    } catch {
      return [];
    }
  }
  if (type === 'Number' || type.startsWith('Number.')) {
    const n = parseNumberText(text);
    return n === undefined ? [] : [n];
  }
  if (type === 'String' || type.startsWith('String.')) return [text];
  return []; // Binary and anything unknown: never compared.
}

/** The event a policy of this scope is matched against, or undefined when nothing can match (body not JSON). */
export function snsEvent(scope: FilterPolicyScope, message: SnsMessage): FlatEvent | undefined {
  if (scope === 'MessageAttributes') return flattenAttributes(message.attributes ?? {});
  try {
    const body = JSON.parse(message.body ?? '') as JsonValue;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    return flattenEvent(body);
  } catch {
    return undefined;
  }
}

export function policyMatches(policy: FilterPolicy, message: SnsMessage): boolean {
  if (policy.pattern === undefined) return true;
  const event = snsEvent(policy.scope, message);
  return event !== undefined && policy.pattern.branches.some((b) => branchHolds(b, event));
}
