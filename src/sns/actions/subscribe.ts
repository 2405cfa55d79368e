import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { parseQueueArn } from '../../sqs/queue-ref.js';
import type { SubscriptionRecord } from '../../store/sns-contract.js';
import { newSubscriptionArn } from '../arns.js';
import { snsInvalidParameter } from '../errors.js';
import * as L from '../limits.js';
import type { SnsRuntime } from '../runtime.js';
import { checkFilterPolicy, checkSubscriptionAttributes } from '../subscription-attributes.js';
import { resolveTopic } from '../topic-ref.js';
import type { SubscribeInput } from '../types.js';

/** The protocols AWS's Subscribe knows (API_Subscribe). */
const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);

/**
 * Subscribe. An sqs subscription is confirmed at once (AWS confirms subscriptions of queues automatically).
 * Subscribing the same endpoint with the same protocol again answers the existing subscription, unless the
 * attributes differ. Other protocols are refused with InvalidParameter until Postbox delivers to them — never a
 * subscription that would silently receive nothing.
 */
export async function subscribe(rt: SnsRuntime, input: SubscribeInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const protocol = input.Protocol ?? '';
  if (!PROTOCOLS.has(protocol)) throw snsInvalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  const endpoint = input.Endpoint ?? '';
  if (protocol !== 'sqs') {
    throw snsInvalidParameter(
      `Protocol Reason: Postbox does not deliver to ${protocol} endpoints yet; only sqs subscriptions are supported.`,
    );
  }
  const queue = parseQueueArn(endpoint);
  if (!queue) throw snsInvalidParameter('SQS endpoint ARN');
  if (queue.name.endsWith('.fifo') && !topic.fifo) {
    // AWS repeats the prefix in this one.
    throw snsInvalidParameter('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
  }
  const attributes = checkSubscriptionAttributes(protocol, input.Attributes ?? {}, true);
  checkFilterPolicy(attributes, true);

  const existing = (await rt.store.subscriptionsOf(topic.arn)).filter((s) => s.protocol === protocol && s.endpoint === endpoint)[0];
  if (existing) {
    for (const [k, v] of Object.entries(attributes)) {
      if ((existing.attributes[k] ?? (k === 'RawMessageDelivery' ? 'false' : undefined)) !== v) {
        throw snsInvalidParameter('Attributes Reason: Subscription already exists with different attributes');
      }
    }
    return { SubscriptionArn: existing.arn };
  }
  if (attributes['FilterPolicy']) {
    const withPolicies = (await rt.store.subscriptionsOf(topic.arn)).filter((s) => s.attributes['FilterPolicy']).length;
    if (withPolicies >= L.FILTER_POLICIES_PER_TOPIC) {
      throw new AwsError('SnsFilterPolicyLimitExceeded', `Filter policy limit exceeded: a topic can have at most ${L.FILTER_POLICIES_PER_TOPIC} filter policies.`);
    }
  }
  const record: SubscriptionRecord = {
    arn: newSubscriptionArn(topic.arn),
    topicArn: topic.arn,
    accountId: topic.accountId,
    region: topic.region,
    owner: ctx.accountId,
    protocol,
    endpoint,
    attributes,
    pendingConfirmation: false,
    createdAt: rt.clock.now(),
  };
  await rt.store.createSubscription(record);
  rt.subscriptions.invalidate(topic.arn);
  return { SubscriptionArn: record.arn };
}
