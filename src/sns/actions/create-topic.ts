import type { CallContext } from '../../core/service.js';
import type { TopicRecord } from '../../store/sns-contract.js';
import { topicArn } from '../arns.js';
import { snsInvalidParameter } from '../errors.js';
import * as L from '../limits.js';
import type { SnsRuntime } from '../runtime.js';
import { tagsFromList, validateTags } from '../tags.js';
import { checkTopicAttribute } from '../topic-attributes.js';
import type { CreateTopicInput } from '../types.js';
import { checkDataProtectionPolicy } from './data-protection-policy.js';

/** Attribute values a topic has without their being set, for comparing a repeated CreateTopic. */
const IMPLIED: Record<string, (fifo: boolean) => string> = {
  DisplayName: () => '',
  FifoTopic: (fifo) => String(fifo),
  ContentBasedDeduplication: () => 'false',
};

/**
 * CreateTopic is idempotent: the same name answers the existing topic's ARN — unless the request contradicts the
 * topic's attributes or tags, which AWS refuses ("Topic already exists with different attributes" / "tags").
 */
export async function createTopic(rt: SnsRuntime, input: CreateTopicInput, ctx: CallContext) {
  const name = input.Name ?? '';
  const given = input.Attributes ?? {};
  const fifo = given['FifoTopic']?.toLowerCase() === 'true';
  if (fifo && !L.FIFO_TOPIC_NAME_PATTERN.test(name)) {
    throw snsInvalidParameter(
      'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
    );
  }
  if (!fifo && !L.TOPIC_NAME_PATTERN.test(name)) throw snsInvalidParameter('Topic Name');

  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) {
    const value = checkTopicAttribute(k, v, fifo, true);
    if (k !== 'FifoTopic') attributes[k] = value;
  }
  const tags = tagsFromList(input.Tags);
  validateTags(tags);
  if (input.DataProtectionPolicy !== undefined && input.DataProtectionPolicy !== '') checkDataProtectionPolicy(input.DataProtectionPolicy);

  const arn = topicArn({ accountId: ctx.accountId, region: ctx.region, name });
  const existing = await rt.store.getTopic(arn);
  if (existing) return { TopicArn: sameTopic(existing, given, tags) };
  const now = rt.clock.now();
  const record: TopicRecord = {
    arn,
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    fifo,
    attributes,
    tags,
    ...(input.DataProtectionPolicy ? { dataProtectionPolicy: input.DataProtectionPolicy } : {}),
    subscriptionsDeleted: 0,
    createdAt: now,
    modifiedAt: now,
  };
  const { topic, created } = await rt.store.createTopic(record);
  if (!created) sameTopic(topic, given, tags);
  return { TopicArn: topic.arn };
}

function sameTopic(topic: TopicRecord, given: Record<string, string>, tags: Record<string, string>): string {
  for (const [k, v] of Object.entries(given)) {
    const current = topic.attributes[k] ?? IMPLIED[k]?.(topic.fifo);
    const wanted = k === 'FifoTopic' || k === 'ContentBasedDeduplication' ? v.toLowerCase() : v;
    if (current !== wanted) throw snsInvalidParameter('Attributes Reason: Topic already exists with different attributes');
  }
  for (const [k, v] of Object.entries(tags)) {
    if (topic.tags[k] !== v) throw snsInvalidParameter('Tags Reason: Topic already exists with different tags');
  }
  return topic.arn;
}
