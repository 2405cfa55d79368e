import type { CallContext } from '../../core/service.js';
import { snsInvalidParameter } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import { resolveTopic } from '../topic-ref.js';
import type { ConfirmSubscriptionInput } from '../types.js';

/**
 * ConfirmSubscription confirms a pending subscription by the token SNS sent its endpoint. Only http/https/email
 * subscriptions are ever pending, and Postbox does not take those yet, so every token is unknown for now.
 */
export async function confirmSubscription(rt: SnsRuntime, input: ConfirmSubscriptionInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  if (!input.Token) throw snsInvalidParameter('Token');
  const pending = (await rt.store.subscriptionsOf(topic.arn)).find((s) => s.pendingConfirmation && s.confirmationToken === input.Token);
  if (!pending) throw snsInvalidParameter('Token');
  const { confirmationToken: _token, ...rest } = pending;
  await rt.store.updateSubscription({ ...rest, pendingConfirmation: false });
  rt.subscriptions.invalidate(topic.arn);
  return { SubscriptionArn: pending.arn };
}
