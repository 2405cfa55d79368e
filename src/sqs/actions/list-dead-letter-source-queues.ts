import type { CallContext } from '../../core/service.js';
import * as L from '../limits.js';
import { checkMaxResults, decodeToken, encodeToken } from '../pagination.js';
import { queueArn, queueUrl, resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { ListDeadLetterSourceQueuesInput } from '../types.js';

export async function listDeadLetterSourceQueues(rt: SqsRuntime, input: ListDeadLetterSourceQueuesInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  checkMaxResults(input.MaxResults, L.LIST_QUEUES_MAX);
  const limit = input.MaxResults ?? L.LIST_QUEUES_MAX;
  const sources = await rt.store.listDeadLetterSources(queueArn(queue), decodeToken(input.NextToken), limit + 1);
  const page = sources.slice(0, limit);
  // `queueUrls` is required in AWS's model: always present, even empty.
  const out: { queueUrls: string[]; NextToken?: string } = { queueUrls: page.map((q) => queueUrl(ctx, q)) };
  if (input.MaxResults !== undefined && sources.length > limit) out.NextToken = encodeToken(page[page.length - 1]!.name);
  return out;
}
