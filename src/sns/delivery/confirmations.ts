/**
 * The confirmation messages a subscription change sends, as effects committed with the change: a
 * SubscriptionConfirmation POSTed to an HTTP/S endpoint (a job for the delivery worker) or e-mailed (recorded in the
 * delivery log, SubscribeURL included, so a developer can confirm by fetching it), and the UnsubscribeConfirmation
 * an HTTP/S endpoint gets when it is unsubscribed.
 */
import { randomBytes } from 'node:crypto';
import type { CallContext } from '../../core/service.js';
import type { SubscriptionEffects, SubscriptionRecord, TopicRecord } from '../../store/sns-contract.js';
import type { SnsRuntime } from '../runtime.js';
import { HttpDeliveries } from './http-deliveries.js';
import { confirmation, confirmationEmail, renderConfirmation, subscribeUrl, type ConfirmationType } from './messages.js';

/** How long a confirmation token confirms (AWS: three days). */
export const TOKEN_LIFETIME_MS = 3 * 24 * 3600_000;

/**
 * How long a subscription may stay pending confirmation before it is deleted. AWS, What's New of 2023-05-10: SNS
 * "now supports automatic deletion of unconfirmed subscriptions once they have been in a pending confirmation state
 * for 48 hours" (it was 72 hours before). Counted from the Subscribe that made the subscription: a repeated
 * Subscribe sends the token again but does not make the subscription any younger.
 */
export const PENDING_LIFETIME_MS = 48 * 3600_000;

/** A fresh confirmation token: long and hexadecimal, like AWS's. */
export const newConfirmationToken = (): string => randomBytes(64).toString('hex');

const isHttp = (protocol: string): boolean => protocol === 'http' || protocol === 'https';

/** The confirmation a new (or re-subscribed) pending subscription sends; none for protocols confirmed at once. */
export async function confirmationEffects(
  rt: SnsRuntime,
  topic: TopicRecord,
  s: SubscriptionRecord,
  ctx: CallContext,
  now: number,
): Promise<SubscriptionEffects | undefined> {
  if (!s.pendingConfirmation || !s.confirmationToken) return undefined;
  return effects(rt, 'SubscriptionConfirmation', topic, s, s.confirmationToken, ctx, now);
}

/** The UnsubscribeConfirmation an HTTP/S endpoint gets when its confirmed subscription is deleted. */
export async function unsubscribeEffects(
  rt: SnsRuntime,
  topic: TopicRecord,
  s: SubscriptionRecord,
  ctx: CallContext,
  now: number,
): Promise<SubscriptionEffects | undefined> {
  if (!isHttp(s.protocol) || s.pendingConfirmation) return undefined;
  return effects(rt, 'UnsubscribeConfirmation', topic, s, newConfirmationToken(), ctx, now);
}

async function effects(
  rt: SnsRuntime,
  type: ConfirmationType,
  topic: TopicRecord,
  s: SubscriptionRecord,
  token: string,
  ctx: CallContext,
  now: number,
): Promise<SubscriptionEffects | undefined> {
  if (s.protocol === 'email') {
    // A plain-text e-mail: only its SubscribeURL is needed, no signed document.
    const url = subscribeUrl(ctx.host, topic.arn, token);
    const mail = confirmationEmail(topic.arn, topic.attributes['DisplayName'], url);
    return { records: [record(s, topic, type, mail.body, mail.subject, url, token, now)] };
  }
  const message = confirmation(type, {
    topicArn: topic.arn,
    subscriptionArn: s.arn,
    token,
    host: ctx.host,
    now,
    signatureVersion: topic.attributes['SignatureVersion'] === '2' ? '2' : '1',
    key: await rt.signer.key(),
  });
  const body = renderConfirmation(message);
  if (s.protocol === 'email-json') {
    return { records: [record(s, topic, type, body, 'AWS Notification - Subscription Confirmation', message.SubscribeURL, token, now)] };
  }
  if (!isHttp(s.protocol)) return undefined;
  const job = {
    type,
    subscriptionArn: s.arn,
    topicArn: topic.arn,
    endpoint: s.endpoint,
    messageId: message.MessageId,
    body,
    ...(type === 'UnsubscribeConfirmation' && s.attributes['DeliveryPolicy'] ? { deliveryPolicy: s.attributes['DeliveryPolicy'] } : {}),
  };
  return { deliveries: [HttpDeliveries.enqueue(await rt.http.queue(), [job], now)] };
}

function record(
  s: SubscriptionRecord,
  topic: TopicRecord,
  type: ConfirmationType,
  payload: string,
  subject: string,
  subscribeUrl: string,
  token: string,
  now: number,
) {
  return {
    service: 'sns',
    accountId: s.accountId,
    region: s.region,
    protocol: s.protocol,
    endpoint: s.endpoint,
    source: topic.arn,
    subject,
    payload,
    details: { type, subscriptionArn: s.arn, subscribeUrl, token },
    recordedAt: now,
  };
}
