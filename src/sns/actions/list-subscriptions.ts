import type { CallContext } from '../../core/service.js';
import type { SubscriptionRecord } from '../../store/sns-contract.js';
import * as L from '../limits.js';
import type { SnsRuntime } from '../runtime.js';
import { decodeToken, page, resolveTopic } from '../topic-ref.js';
import type { ListInput, ListSubscriptionsByTopicInput } from '../types.js';

/** How listings show a subscription; one awaiting confirmation shows "PendingConfirmation" for its ARN (AWS). */
const listed = (s: SubscriptionRecord) => ({
  SubscriptionArn: s.pendingConfirmation ? 'PendingConfirmation' : s.arn,
  Owner: s.owner,
  Protocol: s.protocol,
  Endpoint: s.endpoint,
  TopicArn: s.topicArn,
});

/** ListSubscriptions: the account's subscriptions in the region, 100 per page. */
export async function listSubscriptions(rt: SnsRuntime, input: ListInput, ctx: CallContext) {
  const rows = await rt.store.listSubscriptions(ctx.accountId, ctx.region, decodeToken(input.NextToken), L.LIST_PAGE_SIZE + 1, rt.clock.now());
  const { items, NextToken } = page(rows, L.LIST_PAGE_SIZE);
  return { Subscriptions: items.map(listed), ...(NextToken ? { NextToken } : {}) };
}

/** ListSubscriptionsByTopic: 100 per page. */
export async function listSubscriptionsByTopic(rt: SnsRuntime, input: ListSubscriptionsByTopicInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const rows = await rt.store.listSubscriptionsByTopic(topic.arn, decodeToken(input.NextToken), L.LIST_PAGE_SIZE + 1, rt.clock.now());
  const { items, NextToken } = page(rows, L.LIST_PAGE_SIZE);
  return { Subscriptions: items.map(listed), ...(NextToken ? { NextToken } : {}) };
}
