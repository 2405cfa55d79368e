import type { CallContext } from '../../core/service.js';
import { isDirectPublish, publishDirect } from '../direct-publish.js';
import { snsInvalidParameter } from '../errors.js';
import { commitPublish, planPublish, preparePublish } from '../publish.js';
import type { SnsRuntime } from '../runtime.js';
import { resolveTopic } from '../topic-ref.js';
import type { PublishInput } from '../types.js';

/**
 * Publish to a topic. A 200 means the message is committed in every matching subscribed queue: the deliveries are
 * written in the same transaction as the publish (see publish.ts).
 */
export async function publish(rt: SnsRuntime, input: PublishInput, ctx: CallContext) {
  // SMS to a phone number and push to a platform endpoint: see direct-publish.ts.
  if (isDirectPublish(input)) return publishDirect(rt, input, ctx);
  const arn = input.TopicArn ?? input.TargetArn;
  if (arn === undefined) throw snsInvalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  if (input.TopicArn !== undefined && input.TargetArn !== undefined) {
    throw snsInvalidParameter('TopicArn Reason: Only one of TopicArn or TargetArn may be specified');
  }
  const topic = await resolveTopic(rt, ctx, arn, input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
  const prepared = preparePublish(topic, input);
  const outcome = await commitPublish(rt, await planPublish(rt, topic, prepared, ctx));
  return { MessageId: outcome.messageId, ...(outcome.sequenceNumber !== undefined ? { SequenceNumber: outcome.sequenceNumber } : {}) };
}
