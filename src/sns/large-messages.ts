/**
 * Topics whose MaximumMessageSize is above 256 KiB (large-message-payloads): AWS supports only Amazon SQS, AWS
 * Lambda and Amazon Data Firehose subscriptions on them, and at most 100 subscriptions in all; "If you attempt to
 * create additional subscriptions, Amazon SNS returns an InvalidParameter error." The message wording is Postbox's
 * (AWS documents only the error code).
 */
import type { SubscriptionRecord, TopicRecord } from '../store/sns-contract.js';
import { snsInvalidParameter } from './errors.js';
import * as L from './limits.js';
import { maximumMessageSize } from './topic-attributes.js';

const LARGE_MESSAGE_PROTOCOLS = new Set(['sqs', 'lambda', 'firehose']);
const LARGE_MESSAGE_SUBSCRIPTIONS_MAX = 100;

const isLarge = (size: number): boolean => size > L.MESSAGE_SIZE_DEFAULT;

/** Subscribe: may this topic take one more subscription of `protocol`? */
export function checkLargeTopicSubscription(topic: TopicRecord, protocol: string, existing: readonly SubscriptionRecord[]): void {
  if (!isLarge(maximumMessageSize(topic))) return;
  if (!LARGE_MESSAGE_PROTOCOLS.has(protocol)) {
    throw snsInvalidParameter(`Protocol Reason: topics with MaximumMessageSize above ${L.MESSAGE_SIZE_DEFAULT} bytes support only sqs, lambda and firehose subscriptions`);
  }
  if (existing.length >= LARGE_MESSAGE_SUBSCRIPTIONS_MAX) {
    throw snsInvalidParameter(`TopicArn Reason: topics with MaximumMessageSize above ${L.MESSAGE_SIZE_DEFAULT} bytes take at most ${LARGE_MESSAGE_SUBSCRIPTIONS_MAX} subscriptions`);
  }
}

/** SetTopicAttributes MaximumMessageSize: a topic can grow past 256 KiB only if its subscriptions fit the rule. */
export function checkLargeTopicSize(size: number, existing: readonly SubscriptionRecord[]): void {
  if (!isLarge(size)) return;
  if (existing.some((s) => !LARGE_MESSAGE_PROTOCOLS.has(s.protocol)) || existing.length > LARGE_MESSAGE_SUBSCRIPTIONS_MAX) {
    throw snsInvalidParameter(
      `Invalid parameter: MaximumMessageSize Reason: above ${L.MESSAGE_SIZE_DEFAULT} bytes a topic may have only sqs, lambda and firehose subscriptions, at most ${LARGE_MESSAGE_SUBSCRIPTIONS_MAX}`,
    );
  }
}
