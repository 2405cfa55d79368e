import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { EventBusRecord, RuleRecord } from '../../store/events-contract.js';
import { parseBusArn, parseRuleArn } from '../arns.js';
import { findBus, findRule } from '../bus-ref.js';
import type { EventsRuntime } from '../runtime.js';
import { mergeTags, tagList } from '../tags.js';
import type { Tag } from '../types.js';

type Tagged = { kind: 'bus'; record: EventBusRecord } | { kind: 'rule'; record: RuleRecord };

/** The bus or rule an ARN names (the taggable resources Postbox has), or ResourceNotFoundException. */
async function resourceOf(rt: EventsRuntime, arn: string | undefined): Promise<Tagged> {
  const busKey = arn ? parseBusArn(arn) : undefined;
  if (busKey) return { kind: 'bus', record: await findBus(rt, busKey) };
  const rule = arn ? parseRuleArn(arn) : undefined;
  if (rule) return { kind: 'rule', record: await findRule(rt, await findBus(rt, rule.bus), rule.name) };
  throw new AwsError('EventsResourceNotFound', `Resource ${arn ?? ''} does not exist.`);
}

async function save(rt: EventsRuntime, r: Tagged, tags: Record<string, string>): Promise<void> {
  if (r.kind === 'bus') await rt.store.updateBus({ ...r.record, tags });
  else await rt.store.putRule({ ...r.record, tags });
}

export async function tagResource(rt: EventsRuntime, input: { ResourceARN?: string; Tags?: Tag[] }, _ctx: CallContext) {
  const r = await resourceOf(rt, input.ResourceARN);
  await save(rt, r, mergeTags(r.record.tags, input.Tags));
  return {};
}

export async function untagResource(rt: EventsRuntime, input: { ResourceARN?: string; TagKeys?: string[] }, _ctx: CallContext) {
  const r = await resourceOf(rt, input.ResourceARN);
  const tags = { ...r.record.tags };
  for (const key of input.TagKeys ?? []) delete tags[key];
  await save(rt, r, tags);
  return {};
}

export async function listTagsForResource(rt: EventsRuntime, input: { ResourceARN?: string }, _ctx: CallContext) {
  const r = await resourceOf(rt, input.ResourceARN);
  return { Tags: tagList(r.record.tags) };
}

