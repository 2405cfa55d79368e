import { snsInvalidParameter } from './errors.js';

/**
 * The account's SMS settings (API_SetSMSAttributes): the names AWS documents and the values each takes.
 * - MonthlySpendLimit: whole US dollars. New accounts have 1 (the SMS spend quota AWS starts accounts with).
 * - DeliveryStatusIAMRole: an IAM role ARN.
 * - DeliveryStatusSuccessSamplingRate: an integer 0–100.
 * - DefaultSenderID: 1–11 alphanumeric characters with at least one letter.
 * - DefaultSMSType: Promotional (the default) or Transactional.
 * - UsageReportS3Bucket: an S3 bucket name.
 */
export const SMS_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = { MonthlySpendLimit: '1' };

export const SMS_TYPES = ['Promotional', 'Transactional'];
/** Sender ids: "1 - 11 alphanumeric characters, and it must contain at least one letter". */
export const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const CHECKS: Record<string, (value: string) => boolean> = {
  MonthlySpendLimit: (v) => /^\d{1,9}$/.test(v),
  DeliveryStatusIAMRole: (v) => v === '' || ROLE_ARN.test(v),
  DeliveryStatusSuccessSamplingRate: (v) => /^\d{1,3}$/.test(v) && Number(v) <= 100,
  DefaultSenderID: (v) => v === '' || SENDER_ID.test(v),
  DefaultSMSType: (v) => SMS_TYPES.includes(v),
  UsageReportS3Bucket: (v) => v === '' || BUCKET.test(v),
};

export const SMS_ATTRIBUTE_NAMES = Object.keys(CHECKS);

/** SetSMSAttributes: every name known and every value valid, or InvalidParameter naming the attribute. */
export function checkSmsAttributes(attributes: Record<string, string>): void {
  for (const [name, value] of Object.entries(attributes)) {
    const check = CHECKS[name];
    if (!check) throw snsInvalidParameter(`${name} Reason: ${name} is not a valid attribute`);
    if (!check(value)) throw snsInvalidParameter(`${name} Reason: Invalid value [${value}]`);
  }
}

/** The settings as GetSMSAttributes shows them: the defaults, overlaid with what was set (empty values clear). */
export function effectiveSmsAttributes(stored: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...SMS_ATTRIBUTE_DEFAULTS };
  for (const [k, v] of Object.entries(stored)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}
