import type { CallContext } from '../../core/service.js';
import { parseTopicArn } from '../arns.js';
import { snsInvalidParameter } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import type { TopicArnInput } from '../types.js';

/** DeleteTopic removes the topic and its subscriptions; deleting a topic that does not exist succeeds (AWS). */
export async function deleteTopic(rt: SnsRuntime, input: TopicArnInput, ctx: CallContext) {
  const key = parseTopicArn(input.TopicArn);
  if (key.region !== ctx.region) throw snsInvalidParameter('TopicArn');
  await rt.store.deleteTopic(key.arn);
  rt.subscriptions.invalidate(key.arn);
  return {};
}
