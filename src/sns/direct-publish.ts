import type { CallContext } from '../core/service.js';
import type { DeliveryRecordInput } from '../store/delivery-log-contract.js';
import type { TopicRecord } from '../store/sns-contract.js';
import { snsInvalidParameter } from './errors.js';
import { isEndpointArn, ownedBy, parseEndpointArn } from './platform-arns.js';
import { applicationEnabled, endpointEnabled } from './platform-attributes.js';
import { applicationDisabled, endpointDisabled } from './platform-errors.js';
import { publishPhoneNumber } from './phone-numbers.js';
import { preparePublish, type PreparedPublish } from './publish.js';
import type { SnsRuntime } from './runtime.js';
import { smsSettings } from './sms-account.js';
import { SENDER_ID, SMS_TYPES } from './sms-attributes.js';
import type { MessageAttributeMap, PublishInput } from './types.js';

/**
 * Publish straight to one destination instead of a topic: a phone number (SMS) or a platform endpoint (mobile
 * push). Postbox must not send either, so the message that would have gone out is recorded in the delivery log
 * (service `sns`, protocol `sms` or `application`) and Publish answers its MessageId, as AWS does.
 */
export const isDirectPublish = (input: PublishInput): boolean =>
  input.PhoneNumber !== undefined || (input.TargetArn !== undefined && isEndpointArn(input.TargetArn));

/**
 * The message checks of a topic publish (empty message, subject, MessageStructure=json with its "default", message
 * attributes, 256 KiB) apply unchanged; they are run against a standard topic with default attributes.
 */
const DIRECT_TARGET: TopicRecord = Object.freeze({
  arn: '',
  accountId: '',
  region: '',
  name: '',
  fifo: false,
  attributes: Object.freeze({}),
  tags: Object.freeze({}),
  subscriptionsDeleted: 0,
  createdAt: 0,
  modifiedAt: 0,
});

export async function publishDirect(rt: SnsRuntime, input: PublishInput, ctx: CallContext): Promise<{ MessageId: string }> {
  const destinations = [input.TopicArn, input.TargetArn, input.PhoneNumber].filter((d) => d !== undefined).length;
  if (destinations > 1) throw snsInvalidParameter('TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified');
  const prepared = preparePublish(DIRECT_TARGET, input);
  const record =
    input.PhoneNumber !== undefined
      ? await smsDelivery(rt, ctx, publishPhoneNumber(input.PhoneNumber), prepared)
      : await pushDelivery(rt, ctx, input.TargetArn!, prepared);
  if (record) await rt.deliveries.record([record]);
  return { MessageId: prepared.messageId };
}

/** Publish's SMS message attributes (sms_publish-to-phone): sender id, message type, price cap, origination. */
function smsOptions(attributes: MessageAttributeMap | undefined, defaults: Readonly<Record<string, string>>): Record<string, string> {
  const value = (name: string) => attributes?.[name]?.StringValue;
  const out: Record<string, string> = { smsType: defaults['DefaultSMSType'] ?? 'Promotional' };
  const senderId = value('AWS.SNS.SMS.SenderID') ?? defaults['DefaultSenderID'];
  const smsType = value('AWS.SNS.SMS.SMSType');
  const maxPrice = value('AWS.SNS.SMS.MaxPrice');
  if (senderId !== undefined && senderId !== '') {
    if (!SENDER_ID.test(senderId)) throw snsInvalidParameter(`MessageAttributes Reason: Invalid value for AWS.SNS.SMS.SenderID: ${senderId}`);
    out['senderId'] = senderId;
  }
  if (smsType !== undefined) {
    if (!SMS_TYPES.includes(smsType)) throw snsInvalidParameter(`MessageAttributes Reason: Invalid value for AWS.SNS.SMS.SMSType: ${smsType}`);
    out['smsType'] = smsType;
  }
  if (maxPrice !== undefined) {
    if (!Number.isFinite(Number(maxPrice)) || Number(maxPrice) < 0) {
      throw snsInvalidParameter(`MessageAttributes Reason: Invalid value for AWS.SNS.SMS.MaxPrice: ${maxPrice}`);
    }
    out['maxPrice'] = maxPrice;
  }
  for (const [attr, key] of [
    ['AWS.MM.SMS.OriginationNumber', 'originationNumber'],
    ['AWS.MM.SMS.EntityId', 'entityId'],
    ['AWS.MM.SMS.TemplateId', 'templateId'],
  ] as const) {
    const v = value(attr);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Whose delivery it is: the account and region of the publish (or, for a topic's subscriber, of the topic). */
export interface DeliveryOwner {
  readonly accountId: string;
  readonly region: string;
}

/**
 * An SMS (exported for `sms` topic subscriptions, which follow the same opt-out and sandbox rules). As in AWS, a
 * number that opted out, or — while the account is in the SMS sandbox — one not verified, still gets a MessageId
 * from Publish, but nothing is delivered (AWS reports the failure only in its delivery logs); Postbox logs it and
 * records nothing (the function answers undefined).
 */
export async function smsDelivery(
  rt: SnsRuntime,
  ctx: DeliveryOwner,
  phone: string,
  prepared: PreparedPublish,
): Promise<DeliveryRecordInput | undefined> {
  const settings = await smsSettings(rt, ctx.accountId, ctx.region);
  const options = smsOptions(prepared.attributes, settings.attributes);
  if ((await rt.store.phoneNumberStatus(ctx.accountId, ctx.region, phone)).optedOut) {
    rt.logger.info({ messageId: prepared.messageId, phoneNumber: phone }, 'SMS not delivered: the phone number is opted out');
    return undefined;
  }
  if (settings.inSandbox && (await rt.store.getSandboxNumber(ctx.accountId, ctx.region, phone))?.status !== 'Verified') {
    rt.logger.info({ messageId: prepared.messageId, phoneNumber: phone }, 'SMS not delivered: the account is in the SMS sandbox and the number is not verified');
    return undefined;
  }
  return {
    service: 'sns',
    accountId: ctx.accountId,
    region: ctx.region,
    protocol: 'sms',
    endpoint: phone,
    payload: prepared.perProtocol?.['sms'] ?? prepared.message,
    details: { kind: 'Notification', messageId: prepared.messageId, ...options },
    recordedAt: rt.clock.now(),
  };
}

/**
 * A push notification (exported for `application` topic subscriptions). MessageStructure=json picks the platform's own key (APNS, APNS_SANDBOX, GCM, ADM, BAIDU,
 * MPNS, WNS) or else "default" (mobile-push-send-custommessage); the payload recorded is that text.
 */
export async function pushDelivery(rt: SnsRuntime, ctx: DeliveryOwner, targetArn: string, prepared: PreparedPublish): Promise<DeliveryRecordInput> {
  const parsed = parseEndpointArn(targetArn, 'TargetArn');
  const endpoint = ownedBy(parsed, ctx) ? await rt.store.getPlatformEndpoint(targetArn) : undefined;
  const app = endpoint && (await rt.store.getPlatformApplication(endpoint.applicationArn));
  if (!endpoint || !app) throw snsInvalidParameter('TargetArn Reason: No endpoint found for the target arn specified');
  if (!endpointEnabled(endpoint)) throw endpointDisabled();
  if (!applicationEnabled(app)) throw applicationDisabled();
  return {
    service: 'sns',
    accountId: ctx.accountId,
    region: ctx.region,
    protocol: 'application',
    endpoint: endpoint.arn,
    ...(prepared.subject !== undefined ? { subject: prepared.subject } : {}),
    payload: prepared.perProtocol?.[app.platform] ?? prepared.message,
    details: {
      kind: 'Notification',
      messageId: prepared.messageId,
      platform: app.platform,
      platformApplicationArn: app.arn,
      token: endpoint.token,
    },
    recordedAt: rt.clock.now(),
  };
}
