import type { CallContext } from '../../core/service.js';
import type { TopicRecord } from '../../store/sns-contract.js';
import { parseTopicArn } from '../arns.js';
import { resourceNotFound, snsInvalidParameter } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import { tagsFromList, tagsToList, validateTags } from '../tags.js';
import type { ResourceArnInput, TagResourceInput, UntagResourceInput } from '../types.js';

/** Tagging names topics by ResourceArn; a topic that does not exist is ResourceNotFound (AWS). */
async function taggedTopic(rt: SnsRuntime, ctx: CallContext, arn: string | undefined): Promise<TopicRecord> {
  const key = parseTopicArn(arn, 'ResourceArn');
  if (key.region !== ctx.region) throw snsInvalidParameter('ResourceArn');
  const topic = await rt.store.getTopic(key.arn);
  if (!topic) throw resourceNotFound();
  return topic;
}

export async function tagResource(rt: SnsRuntime, input: TagResourceInput, ctx: CallContext) {
  const topic = await taggedTopic(rt, ctx, input.ResourceArn);
  const added = tagsFromList(input.Tags);
  if (Object.keys(added).length === 0) throw snsInvalidParameter('Tags');
  const tags = { ...topic.tags, ...added };
  validateTags(tags);
  await rt.store.updateTopic({ ...topic, tags, modifiedAt: rt.clock.now() });
  return {};
}

export async function untagResource(rt: SnsRuntime, input: UntagResourceInput, ctx: CallContext) {
  const topic = await taggedTopic(rt, ctx, input.ResourceArn);
  if (!input.TagKeys?.length) throw snsInvalidParameter('TagKeys');
  const tags = { ...topic.tags };
  for (const k of input.TagKeys) delete tags[k];
  await rt.store.updateTopic({ ...topic, tags, modifiedAt: rt.clock.now() });
  return {};
}

export async function listTagsForResource(rt: SnsRuntime, input: ResourceArnInput, ctx: CallContext) {
  const topic = await taggedTopic(rt, ctx, input.ResourceArn);
  return { Tags: tagsToList(topic.tags) };
}
