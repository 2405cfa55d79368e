import { decodeAfterToken, encodeAfterToken } from '../core/pagination.js';
import type { CallContext } from '../core/service.js';
import type { TopicRecord } from '../store/sns-contract.js';
import { parseTopicArn } from './arns.js';
import { snsInvalidParameter, topicNotFound } from './errors.js';
import type { SnsRuntime } from './runtime.js';

/**
 * The topic a request names. SNS is regional: an ARN of another region is refused as an invalid TopicArn (as AWS
 * does), a well-formed ARN with no topic behind it is NotFound "Topic does not exist".
 */
export async function resolveTopic(rt: SnsRuntime, ctx: CallContext, arn: string | undefined, param = 'TopicArn'): Promise<TopicRecord> {
  const key = parseTopicArn(arn, param);
  if (key.region !== ctx.region) throw snsInvalidParameter(param);
  const topic = await rt.store.getTopic(key.arn);
  if (!topic) throw topicNotFound();
  return topic;
}

/** NextToken for ARN-ordered listings: the last ARN returned. */
export const encodeToken = encodeAfterToken;

export const decodeToken = (token: string | undefined): string | undefined =>
  decodeAfterToken(token, () => snsInvalidParameter('NextToken'));

/** One page of an ARN-ordered listing: fetch one more than a page to know whether another follows. */
export function page<T extends { arn: string }>(rows: T[], size: number): { items: T[]; NextToken?: string } {
  if (rows.length <= size) return { items: rows };
  const items = rows.slice(0, size);
  return { items, NextToken: encodeToken(items[items.length - 1]!.arn) };
}
