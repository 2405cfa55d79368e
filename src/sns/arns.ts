import { randomUUID } from 'node:crypto';
import { snsInvalidParameter } from './errors.js';

export interface TopicKey {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export const topicArn = (k: TopicKey): string => `arn:aws:sns:${k.region}:${k.accountId}:${k.name}`;

/** A subscription's ARN is its topic's ARN and a UUID. */
export const newSubscriptionArn = (topic: string): string => `${topic}:${randomUUID()}`;

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;
const SUBSCRIPTION_ARN = /^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}):[0-9a-fA-F-]{36}$/;

/** AWS answers a malformed ARN with InvalidParameter naming the parameter ("Invalid parameter: TopicArn"). */
export function parseTopicArn(arn: string | undefined, param = 'TopicArn'): TopicKey & { arn: string } {
  const m = arn === undefined ? null : TOPIC_ARN.exec(arn);
  if (!m) throw snsInvalidParameter(param);
  return { arn: arn!, region: m[1]!, accountId: m[2]!, name: m[3]! };
}

/** The topic ARN inside a subscription ARN, or undefined when the text is not a subscription ARN. */
export function topicOfSubscription(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : SUBSCRIPTION_ARN.exec(arn)?.[1];
}
