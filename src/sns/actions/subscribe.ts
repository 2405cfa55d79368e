import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { parseQueueArn } from '../../sqs/queue-ref.js';
import type { SubscriptionRecord, TopicRecord } from '../../store/sns-contract.js';
import { newSubscriptionArn } from '../arns.js';
import { confirmationEffects, newConfirmationToken, PENDING_LIFETIME_MS, TOKEN_LIFETIME_MS } from '../delivery/confirmations.js';
import { checkEndpoint, checkSubscriptionRole, CONFIRMED_BY_OWNER } from '../delivery/endpoints.js';
import { snsInvalidParameter } from '../errors.js';
import { checkLargeTopicSubscription } from '../large-messages.js';
import * as L from '../limits.js';
import type { SnsRuntime } from '../runtime.js';
import { checkFilterPolicy, checkSubscriptionAttributes } from '../subscription-attributes.js';
import { resolveTopic } from '../topic-ref.js';
import type { SubscribeInput } from '../types.js';

/** The protocols AWS's Subscribe knows (API_Subscribe). */
const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);

/** What Subscribe answers for a subscription awaiting confirmation (unless ReturnSubscriptionArn). */
const PENDING = 'pending confirmation';

/**
 * Subscribe. sqs, lambda, firehose, sms and application subscriptions are confirmed at once; http/https, email and
 * email-json ones wait for the endpoint's owner, who is sent a SubscriptionConfirmation (POSTed by the delivery
 * worker, or recorded in the delivery log for e-mail) in the same transaction that creates the subscription.
 * Subscribing the same endpoint with the same protocol again answers the existing subscription (unless the
 * attributes differ) and, while it is still pending, sends a fresh confirmation. The store makes the subscription
 * only if the endpoint has none (one step), so Subscribes of one endpoint racing each other make one subscription
 * and all answer it. A subscription left pending lapses after 48 hours (PENDING_LIFETIME_MS).
 */
export async function subscribe(rt: SnsRuntime, input: SubscribeInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const protocol = input.Protocol ?? '';
  if (!PROTOCOLS.has(protocol)) throw snsInvalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  const endpoint = checkEndpoint(protocol, input.Endpoint ?? '');
  if (topic.fifo && protocol !== 'sqs') {
    throw snsInvalidParameter(`Invalid protocol type: ${protocol}. FIFO topics deliver only to SQS queues.`);
  }
  if (protocol === 'sqs' && parseQueueArn(endpoint)!.name.endsWith('.fifo') && !topic.fifo) {
    // AWS repeats the prefix in this one.
    throw snsInvalidParameter('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
  }
  const attributes = checkSubscriptionAttributes(protocol, input.Attributes ?? {}, true);
  checkFilterPolicy(attributes, true);
  checkSubscriptionRole(protocol, attributes);
  const now = rt.clock.now();
  const pending = CONFIRMED_BY_OWNER.has(protocol);
  const answer = (s: SubscriptionRecord) => ({ SubscriptionArn: s.pendingConfirmation && !input.ReturnSubscriptionArn ? PENDING : s.arn });

  /**
   * The endpoint is subscribed already. AWS answers the same subscription; attributes given again must match it
   * (AWS: "Subscription already exists with different attributes"), those left out are not compared.
   */
  const repeated = async (existing: SubscriptionRecord) => {
    for (const [k, v] of Object.entries(attributes)) {
      if ((existing.attributes[k] ?? (k === 'RawMessageDelivery' ? 'false' : undefined)) !== v) {
        throw snsInvalidParameter('Attributes Reason: Subscription already exists with different attributes');
      }
    }
    if (existing.pendingConfirmation && (await resendConfirmation(rt, topic, existing, ctx, now))) rt.http.kick();
    return answer(existing);
  };

  // The common repeat is answered before the limits below are checked (a topic at its limit still answers it); the
  // store's createSubscription decides for Subscribes that race each other.
  const subscriptions = await rt.store.subscriptionsOf(topic.arn, now);
  const existing = subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
  if (existing) return repeated(existing);
  checkLargeTopicSubscription(topic, protocol, subscriptions);
  if (attributes['FilterPolicy']) {
    const withPolicies = subscriptions.filter((s) => s.attributes['FilterPolicy']).length;
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
    pendingConfirmation: pending,
    ...(pending
      ? {
          confirmationToken: newConfirmationToken(),
          confirmationTokenExpiresAt: now + TOKEN_LIFETIME_MS,
          confirmationWasAuthenticated: false,
          pendingExpiresAt: now + PENDING_LIFETIME_MS,
        }
      : {}),
    createdAt: now,
  };
  const made = await rt.store.createSubscription(record, await confirmationEffects(rt, topic, record, ctx, now));
  // Another Subscribe of this endpoint got there first: this one answers as a repeat of it.
  if (!made.created) return repeated(made.subscription);
  rt.subscriptions.invalidate(topic.arn);
  if (pending) rt.http.kick();
  return answer(record);
}

/**
 * Still unconfirmed: the endpoint gets another confirmation request. AWS: "Confirmation tokens are valid for three
 * days", each one — so a token already sent keeps confirming: while it is unexpired it is sent again and its three
 * days start over; only an expired token is replaced by a new one. The change is made only if no concurrent
 * re-Subscribe or confirmation got there first (then its token, already sent or about to be, stands).
 */
async function resendConfirmation(rt: SnsRuntime, topic: TopicRecord, existing: SubscriptionRecord, ctx: CallContext, now: number): Promise<boolean> {
  const current = existing.confirmationToken;
  const unexpired = current !== undefined && (existing.confirmationTokenExpiresAt ?? Infinity) > now;
  const token = unexpired ? current : newConfirmationToken();
  const renewed: SubscriptionRecord = { ...existing, confirmationToken: token, confirmationTokenExpiresAt: now + TOKEN_LIFETIME_MS };
  const effects = await confirmationEffects(rt, topic, renewed, ctx, now);
  return rt.store.renewConfirmation(existing.arn, current, token, now + TOKEN_LIFETIME_MS, effects);
}
