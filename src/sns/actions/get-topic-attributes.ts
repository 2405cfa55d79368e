import type { CallContext } from '../../core/service.js';
import type { SnsRuntime } from '../runtime.js';
import { renderTopicAttributes } from '../topic-attributes.js';
import { resolveTopic } from '../topic-ref.js';
import type { TopicArnInput } from '../types.js';

export async function getTopicAttributes(rt: SnsRuntime, input: TopicArnInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const subs = await rt.store.subscriptionsOf(topic.arn, rt.clock.now());
  const pending = subs.filter((s) => s.pendingConfirmation).length;
  return { Attributes: renderTopicAttributes(topic, { confirmed: subs.length - pending, pending }) };
}
