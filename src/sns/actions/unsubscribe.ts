import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { topicOfSubscription } from '../arns.js';
import { unsubscribeEffects } from '../delivery/confirmations.js';
import { CONFIRMED_BY_OWNER } from '../delivery/endpoints.js';
import { snsInvalidParameter, subscriptionNotFound } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import type { SubscriptionArnInput } from '../types.js';
import type { SubscriptionRecord } from '../../store/sns-contract.js';

/**
 * Unsubscribe (also reached through a notification's UnsubscribeURL, unsigned). A subscription confirmed with
 * AuthenticateOnUnsubscribe can only be removed by a signed call. API_Unsubscribe: "If the Unsubscribe call does
 * not require authentication and the requester is not the subscription owner, a final cancellation message is
 * delivered to the endpoint, so that the endpoint owner can easily resubscribe" — so an HTTP/S endpoint is sent an
 * UnsubscribeConfirmation (committed with the deletion) when the call is unsigned (its requester is nobody in
 * particular) or signed by another account, and not when the subscription's owner removes it.
 */
export async function unsubscribe(rt: SnsRuntime, input: SubscriptionArnInput, ctx: CallContext) {
  const topicArn = topicOfSubscription(input.SubscriptionArn);
  if (!topicArn) throw snsInvalidParameter('SubscriptionArn');
  const existing = await rt.store.getSubscription(input.SubscriptionArn!, rt.clock.now());
  if (!existing) throw subscriptionNotFound();
  if (CONFIRMED_BY_OWNER.has(existing.protocol) && existing.confirmationWasAuthenticated === true && ctx.accessKeyId === undefined) {
    throw new AwsError('SnsAuthorizationError', 'The subscription can only be unsubscribed by an authenticated request.');
  }
  const topic = await rt.store.getTopic(existing.topicArn);
  const effects = topic && sendsCancellation(existing, ctx) ? await unsubscribeEffects(rt, topic, existing, ctx, rt.clock.now()) : undefined;
  await rt.store.deleteSubscription(existing.arn, effects);
  rt.subscriptions.invalidate(existing.topicArn);
  if (effects) rt.http.kick();
  return {};
}

/** Whether the endpoint gets the final cancellation message (see above). */
function sendsCancellation(s: SubscriptionRecord, ctx: CallContext): boolean {
  if (s.confirmationWasAuthenticated === true && CONFIRMED_BY_OWNER.has(s.protocol)) return false; // requires authentication
  return ctx.accessKeyId === undefined || ctx.accountId !== s.owner;
}
