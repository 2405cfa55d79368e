import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { parseTopicArn } from '../arns.js';
import { snsInvalidParameter, topicNotFound } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import type { ConfirmSubscriptionInput } from '../types.js';

/**
 * ConfirmSubscription confirms a pending subscription by the token SNS sent its endpoint — called by the SDK, or
 * by fetching the SubscribeURL (a plain GET, unsigned). A token confirms for three days; confirming an already
 * confirmed subscription again answers its ARN. With AuthenticateOnUnsubscribe=true on a signed call the
 * confirmation counts as authenticated (ConfirmationWasAuthenticated) and only signed calls may unsubscribe it.
 */
export async function confirmSubscription(rt: SnsRuntime, input: ConfirmSubscriptionInput, ctx: CallContext) {
  const key = parseTopicArn(input.TopicArn);
  // A signed call is regional like every call; an unsigned SubscribeURL fetch names its topic by ARN alone.
  if (ctx.accessKeyId !== undefined && key.region !== ctx.region) throw snsInvalidParameter('TopicArn');
  const topic = await rt.store.getTopic(key.arn);
  if (!topic) throw topicNotFound();
  if (!input.Token) throw snsInvalidParameter('Token');
  const authenticate = input.AuthenticateOnUnsubscribe;
  if (authenticate !== undefined && !/^(true|false)$/i.test(authenticate)) throw snsInvalidParameter('AuthenticateOnUnsubscribe');
  // API_ConfirmSubscription: "This call requires an AWS signature only when the AuthenticateOnUnsubscribe flag is
  // set to true."
  if (authenticate?.toLowerCase() === 'true' && ctx.accessKeyId === undefined) {
    throw new AwsError('SnsAuthorizationError', 'AuthenticateOnUnsubscribe requires a signed request.');
  }
  const now = rt.clock.now();
  const subscription = (await rt.store.subscriptionsOf(topic.arn, now)).find((s) => s.confirmationToken === input.Token);
  if (!subscription || (subscription.confirmationTokenExpiresAt ?? Infinity) <= now) throw snsInvalidParameter('Token');
  if (!subscription.pendingConfirmation) return { SubscriptionArn: subscription.arn };
  // Only the confirmation's own columns, and only while still pending (and not lapsed): a concurrent attribute
  // change is kept, and of two concurrent confirmations the first decides ConfirmationWasAuthenticated.
  if (!(await rt.store.confirmSubscription(subscription.arn, authenticate?.toLowerCase() === 'true', now))) {
    // Confirmed meanwhile (answered as any repeat is), or unsubscribed or lapsed meanwhile (the token is no more).
    if (!(await rt.store.getSubscription(subscription.arn, now))) throw snsInvalidParameter('Token');
  }
  rt.subscriptions.invalidate(topic.arn);
  return { SubscriptionArn: subscription.arn };
}
