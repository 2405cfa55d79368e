import type { CallContext } from '../../core/service.js';
import * as L from '../limits.js';
import { checkMaxResults, decodeToken, encodeToken } from '../pagination.js';
import { queueUrl } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { ListQueuesInput } from '../types.js';

/** AWS pages only when MaxResults is given; without it, up to 1,000 URLs and no NextToken. */
export async function listQueues(rt: SqsRuntime, input: ListQueuesInput, ctx: CallContext) {
  checkMaxResults(input.MaxResults, L.LIST_QUEUES_MAX);
  const limit = input.MaxResults ?? L.LIST_QUEUES_MAX;
  const after = decodeToken(input.NextToken);
  const queues = await rt.store.listQueues(ctx.accountId, ctx.region, input.QueueNamePrefix ?? '', after, limit + 1);
  const page = queues.slice(0, limit);
  const out: { QueueUrls?: string[]; NextToken?: string } = {};
  if (page.length) out.QueueUrls = page.map((q) => queueUrl(ctx, q));
  if (input.MaxResults !== undefined && queues.length > limit) out.NextToken = encodeToken(page[page.length - 1]!.name);
  return out;
}
