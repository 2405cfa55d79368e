import type { CallContext } from '../../core/service.js';
import { snsInvalidParameter } from '../errors.js';
import { checkLargeTopicSize } from '../large-messages.js';
import type { SnsRuntime } from '../runtime.js';
import { checkTopicAttribute } from '../topic-attributes.js';
import { resolveTopic } from '../topic-ref.js';
import type { SetTopicAttributesInput } from '../types.js';

export async function setTopicAttributes(rt: SnsRuntime, input: SetTopicAttributesInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const name = input.AttributeName;
  if (!name) throw snsInvalidParameter('AttributeName');
  const value = checkTopicAttribute(name, input.AttributeValue ?? '', topic.fifo, false);
  if (name === 'MaximumMessageSize') checkLargeTopicSize(Number(value), await rt.store.subscriptionsOf(topic.arn, rt.clock.now()));
  const attributes = { ...topic.attributes };
  // An empty DeliveryPolicy or DisplayName clears it.
  if (value === '' && (name === 'DeliveryPolicy' || name === 'DisplayName' || name === 'ArchivePolicy')) delete attributes[name];
  else attributes[name] = value;
  await rt.store.updateTopic({ ...topic, attributes, modifiedAt: rt.clock.now() });
  return {};
}
