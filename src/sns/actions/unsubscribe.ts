import type { CallContext } from '../../core/service.js';
import { topicOfSubscription } from '../arns.js';
import { snsInvalidParameter, subscriptionNotFound } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import type { SubscriptionArnInput } from '../types.js';

/** Unsubscribe (also reached through a notification's UnsubscribeURL). */
export async function unsubscribe(rt: SnsRuntime, input: SubscriptionArnInput, _ctx: CallContext) {
  const topicArn = topicOfSubscription(input.SubscriptionArn);
  if (!topicArn) throw snsInvalidParameter('SubscriptionArn');
  const existing = await rt.store.getSubscription(input.SubscriptionArn!);
  if (!existing) throw subscriptionNotFound();
  await rt.store.deleteSubscription(existing.arn);
  rt.subscriptions.invalidate(existing.topicArn);
  return {};
}
