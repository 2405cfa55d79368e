import type { CallContext } from '../../core/service.js';
import { snsInvalidParameter } from '../errors.js';
import * as L from '../limits.js';
import type { SnsRuntime } from '../runtime.js';
import { defaultTopicPolicy } from '../topic-attributes.js';
import { resolveTopic } from '../topic-ref.js';
import type { AddPermissionInput, RemovePermissionInput } from '../types.js';

interface Statement {
  Sid?: string;
  [key: string]: unknown;
}
interface Policy {
  Statement?: Statement[];
  [key: string]: unknown;
}

const ACTION_NAME = /^[A-Za-z]+$/;
const one = <T>(list: T[]): T | T[] => (list.length === 1 ? list[0]! : list);

/**
 * AddPermission writes a statement into the topic's Policy (the default policy AWS generates, until one is set):
 * the accounts as root principals, the actions as `SNS:<Action>`. Policies are stored, not enforced.
 */
export async function addPermission(rt: SnsRuntime, input: AddPermissionInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const label = input.Label ?? '';
  if (!L.LABEL_PATTERN.test(label)) throw snsInvalidParameter('Label');
  if (!input.AWSAccountId?.length) throw snsInvalidParameter('AWSAccountId');
  if (!input.ActionName?.length) throw snsInvalidParameter('ActionName');
  for (const a of input.ActionName) if (!ACTION_NAME.test(a)) throw snsInvalidParameter('Policy statement action out of service scope!');
  const policy = JSON.parse(topic.attributes['Policy'] ?? defaultTopicPolicy(topic.arn, topic.accountId)) as Policy;
  const statements = policy.Statement ?? [];
  if (statements.some((s) => s.Sid === label)) throw snsInvalidParameter('Statement already exists');
  statements.push({
    Sid: label,
    Effect: 'Allow',
    Principal: { AWS: one(input.AWSAccountId.map((id) => (/^\d{12}$/.test(id) ? `arn:aws:iam::${id}:root` : id))) },
    Action: one(input.ActionName.map((a) => `SNS:${a}`)),
    Resource: topic.arn,
  });
  policy.Statement = statements;
  await rt.store.updateTopic({ ...topic, attributes: { ...topic.attributes, Policy: JSON.stringify(policy) }, modifiedAt: rt.clock.now() });
  return {};
}

/** RemovePermission drops the statement with that label; a label not in the policy changes nothing. */
export async function removePermission(rt: SnsRuntime, input: RemovePermissionInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const label = input.Label ?? '';
  if (!L.LABEL_PATTERN.test(label)) throw snsInvalidParameter('Label');
  const policy = JSON.parse(topic.attributes['Policy'] ?? defaultTopicPolicy(topic.arn, topic.accountId)) as Policy;
  const statements = policy.Statement ?? [];
  const remaining = statements.filter((s) => s.Sid !== label);
  if (remaining.length === statements.length) return {};
  policy.Statement = remaining;
  await rt.store.updateTopic({ ...topic, attributes: { ...topic.attributes, Policy: JSON.stringify(policy) }, modifiedAt: rt.clock.now() });
  return {};
}
