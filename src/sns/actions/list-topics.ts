import type { CallContext } from '../../core/service.js';
import * as L from '../limits.js';
import type { SnsRuntime } from '../runtime.js';
import { decodeToken, page } from '../topic-ref.js';
import type { ListInput } from '../types.js';

/** ListTopics: the account's topics in the region, 100 per page, with NextToken while more follow. */
export async function listTopics(rt: SnsRuntime, input: ListInput, ctx: CallContext) {
  const after = decodeToken(input.NextToken);
  const rows = await rt.store.listTopics(ctx.accountId, ctx.region, after, L.LIST_PAGE_SIZE + 1);
  const { items, NextToken } = page(rows, L.LIST_PAGE_SIZE);
  return { Topics: items.map((t) => ({ TopicArn: t.arn })), ...(NextToken ? { NextToken } : {}) };
}
