import type { CallContext } from '../../core/service.js';
import type { SubscriptionRecord } from '../../store/sns-contract.js';
import { topicOfSubscription } from '../arns.js';
import { checkSubscriptionRole } from '../delivery/endpoints.js';
import { snsInvalidParameter, subscriptionNotFound } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import { checkFilterPolicy, checkSubscriptionAttributes, renderSubscriptionAttributes } from '../subscription-attributes.js';
import type { SetSubscriptionAttributesInput, SubscriptionArnInput } from '../types.js';

async function resolveSubscription(rt: SnsRuntime, arn: string | undefined): Promise<SubscriptionRecord> {
  if (!topicOfSubscription(arn)) throw snsInvalidParameter('SubscriptionArn');
  const s = await rt.store.getSubscription(arn!, rt.clock.now());
  if (!s) throw subscriptionNotFound();
  return s;
}

export async function getSubscriptionAttributes(rt: SnsRuntime, input: SubscriptionArnInput, _ctx: CallContext) {
  const s = await resolveSubscription(rt, input.SubscriptionArn);
  const topic = await rt.store.getTopic(s.topicArn);
  return { Attributes: renderSubscriptionAttributes(s, topic?.attributes['DeliveryPolicy']) };
}

/** Changes one attribute; an empty FilterPolicy (or RedrivePolicy, DeliveryPolicy) removes it. */
export async function setSubscriptionAttributes(rt: SnsRuntime, input: SetSubscriptionAttributesInput, _ctx: CallContext) {
  const s = await resolveSubscription(rt, input.SubscriptionArn);
  const name = input.AttributeName;
  if (!name) throw snsInvalidParameter('AttributeName');
  const value = input.AttributeValue ?? '';
  const attributes = { ...s.attributes };
  const removed = value === '' && name !== 'RawMessageDelivery' && name !== 'FilterPolicyScope';
  if (removed) delete attributes[name];
  else Object.assign(attributes, checkSubscriptionAttributes(s.protocol, { [name]: value }, false));
  checkFilterPolicy(attributes, false);
  if (name === 'SubscriptionRoleArn') checkSubscriptionRole(s.protocol, attributes);
  // Writes this attribute alone (as checked, e.g. RawMessageDelivery's canonical spelling): a concurrent change of
  // another attribute, or a confirmation, is not undone by writing back the row read above.
  if (!(await rt.store.setSubscriptionAttribute(s.arn, name, removed ? undefined : attributes[name]))) throw subscriptionNotFound();
  rt.subscriptions.invalidate(s.topicArn);
  return {};
}
