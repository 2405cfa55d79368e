import type { SmsSettingsRecord } from '../store/sns-contract.js';
import type { SnsRuntime } from './runtime.js';

/**
 * Whether an account starts in the SMS sandbox. AWS puts every new account in it, so that it can text only numbers
 * it verified. The sandbox protects a sender's reputation with carriers; Postbox never reaches a carrier, and in
 * the sandbox a publish to an unverified number answers a MessageId and silently delivers nothing (as AWS does),
 * which would look to a developer like a lost message. So Postbox accounts start outside it; the sandbox is one
 * call away for testing code that handles it (`PUT /_postbox/sns/sms/sandbox`, docs/sns.md).
 */
export const STARTS_IN_SMS_SANDBOX = false;

export const smsSettings = (rt: SnsRuntime, accountId: string, region: string): Promise<SmsSettingsRecord> =>
  rt.store.smsSettings(accountId, region, STARTS_IN_SMS_SANDBOX);
