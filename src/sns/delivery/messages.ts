/**
 * The documents SNS sends besides the Notification envelope (envelope.ts): the SubscriptionConfirmation and
 * UnsubscribeConfirmation an HTTP/S or e-mail endpoint receives
 * (https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html,
 * http-unsubscribe-confirmation-json.html), the text of e-mail deliveries, and the event a Lambda function is
 * invoked with (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
 */
import { newMessageId } from '../../core/ids.js';
import { certificatePath, confirmationStringToSign, signatureOf, type SigningKey } from '../signing.js';

export type ConfirmationType = 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface Confirmation {
  readonly Type: ConfirmationType;
  readonly MessageId: string;
  readonly Token: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly SubscribeURL: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
}

/** The URL that confirms a subscription: a plain GET of Postbox's ConfirmSubscription (AWS: sns.<region>.amazonaws.com). */
export const subscribeUrl = (host: string, topicArn: string, token: string): string =>
  `http://${host}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`;

/** A notification's UnsubscribeURL: a plain GET of Unsubscribe. */
export const unsubscribeUrl = (host: string, subscriptionArn: string): string =>
  `http://${host}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;

/** Builds and signs a confirmation message as AWS words and lays it out. */
export function confirmation(
  type: ConfirmationType,
  o: { topicArn: string; subscriptionArn: string; token: string; host: string; now: number; signatureVersion: '1' | '2'; key: SigningKey },
): Confirmation {
  const message =
    type === 'SubscriptionConfirmation'
      ? `You have chosen to subscribe to the topic ${o.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
      : `You have chosen to deactivate subscription ${o.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  const unsigned = {
    Type: type,
    MessageId: newMessageId(),
    Token: o.token,
    TopicArn: o.topicArn,
    Message: message,
    SubscribeURL: subscribeUrl(o.host, o.topicArn, o.token),
    Timestamp: new Date(o.now).toISOString(),
  };
  return {
    ...unsigned,
    SignatureVersion: o.signatureVersion,
    Signature: signatureOf(confirmationStringToSign(unsigned), o.signatureVersion, o.key.privateKey),
    SigningCertURL: `http://${o.host}${certificatePath(o.key.id)}`,
  };
}

/** AWS's layout for the JSON documents it sends: one member per line, `"name" : value`. */
export function renderConfirmation(c: Confirmation): string {
  const order: (keyof Confirmation)[] = ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'];
  return `{\n${order.map((k) => `  ${JSON.stringify(k)} : ${JSON.stringify(c[k])}`).join(',\n')}\n}`;
}

/** The confirmation e-mail of an `email` subscription (AWS's wording, with Postbox's SubscribeURL). */
export function confirmationEmail(topicArn: string, displayName: string | undefined, url: string): { subject: string; body: string } {
  const name = displayName || topicArn.split(':').pop()!;
  return {
    subject: 'AWS Notification - Subscription Confirmation',
    body:
      `You have chosen to subscribe to the topic: \n${topicArn}\n\n` +
      `To confirm this subscription, click or visit the link below (If this was in error no action is necessary): \n` +
      `Confirm subscription: ${url}\n\n` +
      `Please do not reply directly to this email. If you wish to remove yourself from receiving all future SNS ` +
      `subscription confirmation requests please send an email to sns-opt-out\n\n(${name})`,
  };
}

/** An `email` notification: the message text, then SNS's unsubscribe footer. */
export function notificationEmail(message: string, unsubscribe: string): string {
  return (
    `${message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below ` +
    `to unsubscribe:\n${unsubscribe}\n\nPlease do not reply directly to this email. If you have any questions or ` +
    `comments regarding this email, please contact us at https://aws.amazon.com/support`
  );
}

/** The default e-mail subject when the publish had none. */
export const DEFAULT_EMAIL_SUBJECT = 'AWS Notification Message';

/** The sender of e-mail notifications: the topic's DisplayName, if set, names it. */
export const emailSender = (displayName: string | undefined): string =>
  `${displayName || 'AWS Notifications'} <no-reply@sns.amazonaws.com>`;

/** The event SNS invokes a Lambda function with: one record; note SigningCertUrl and UnsubscribeUrl's spelling. */
export function lambdaEvent(o: {
  subscriptionArn: string;
  signatureVersion: string;
  timestamp: string;
  signature: string;
  signingCertUrl: string;
  messageId: string;
  message: string;
  attributes: Record<string, { Type: string; Value: string }>;
  unsubscribeUrl: string;
  topicArn: string;
  subject: string | undefined;
}): string {
  return JSON.stringify({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: o.subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: o.messageId,
          TopicArn: o.topicArn,
          Subject: o.subject ?? null,
          Message: o.message,
          Timestamp: o.timestamp,
          SignatureVersion: o.signatureVersion,
          Signature: o.signature,
          SigningCertUrl: o.signingCertUrl,
          UnsubscribeUrl: o.unsubscribeUrl,
          MessageAttributes: o.attributes,
        },
      },
    ],
  });
}

/**
 * The record SNS puts into a Firehose delivery stream for a notification (not raw): compact JSON with Type,
 * MessageId, TopicArn, Subject, Message, Timestamp, UnsubscribeURL and MessageAttributes, in that order — no
 * signature and no signing certificate (https://docs.aws.amazon.com/sns/latest/dg/firehose-archived-message-format-S3.html,
 * firehose-delivered-message-format-http.html).
 */
export function firehoseRecord(o: {
  messageId: string;
  topicArn: string;
  subject: string | undefined;
  message: string;
  timestamp: string;
  unsubscribeUrl: string;
  attributes: Record<string, { Type: string; Value: string }> | undefined;
}): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: o.messageId,
    TopicArn: o.topicArn,
    ...(o.subject !== undefined ? { Subject: o.subject } : {}),
    Message: o.message,
    Timestamp: o.timestamp,
    UnsubscribeURL: o.unsubscribeUrl,
    ...(o.attributes ? { MessageAttributes: o.attributes } : {}),
  });
}
