import { randomInt } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import { decodeAfterToken, encodeAfterToken } from '../../core/pagination.js';
import type { CallContext } from '../../core/service.js';
import { snsInvalidParameter } from '../errors.js';
import { sandboxPhoneNumber } from '../phone-numbers.js';
import type { SnsRuntime } from '../runtime.js';
import { smsSettings } from '../sms-account.js';

/** CreateSMSSandboxPhoneNumber's LanguageCode (the model's LanguageCodeString enum); en-US by default. */
const LANGUAGE_CODES = ['en-US', 'en-GB', 'es-419', 'es-ES', 'de-DE', 'fr-CA', 'fr-FR', 'it-IT', 'ja-JP', 'pt-BR', 'kr-KR', 'zh-CN', 'zh-TW'];
/** ListSMSSandboxPhoneNumbers' MaxResults (MaxItems: 1–100); ListOriginationNumbers' (1–30). */
const SANDBOX_PAGE_MAX = 100;
const ORIGINATION_PAGE_MAX = 30;
/** The model's OTPCode: 5 to 8 digits. Postbox sends 6. */
const OTP_PATTERN = /^[0-9]{5,8}$/;

const notInSandbox = () => new AwsError('SnsResourceNotFound', 'The phone number is not in the SMS sandbox of this account.');

export async function getSMSSandboxAccountStatus(rt: SnsRuntime, _input: unknown, ctx: CallContext) {
  const settings = await smsSettings(rt, ctx.accountId, ctx.region);
  return { IsInSandbox: settings.inSandbox };
}

/**
 * CreateSMSSandboxPhoneNumber: adds the number as Pending and "sends a one-time password (OTP) to that phone
 * number" — recorded in the delivery log (protocol `sms`), where a developer reads it. Calling it again for a
 * pending number sends a new code; for a verified number it changes nothing.
 */
export async function createSMSSandboxPhoneNumber(rt: SnsRuntime, input: { PhoneNumber?: string; LanguageCode?: string }, ctx: CallContext) {
  const phone = sandboxPhoneNumber(input.PhoneNumber);
  const language = input.LanguageCode ?? 'en-US';
  if (!LANGUAGE_CODES.includes(language)) throw snsInvalidParameter('LanguageCode');
  if ((await rt.store.phoneNumberStatus(ctx.accountId, ctx.region, phone)).optedOut) {
    throw new AwsError('SnsOptedOut', 'The phone number has opted out of receiving SMS messages from this account.');
  }
  const existing = await rt.store.getSandboxNumber(ctx.accountId, ctx.region, phone);
  if (existing?.status === 'Verified') return {};
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const now = rt.clock.now();
  await rt.store.putSandboxNumber({
    accountId: ctx.accountId,
    region: ctx.region,
    phoneNumber: phone,
    status: 'Pending',
    oneTimePassword: code,
    createdAt: existing?.createdAt ?? now,
  });
  await rt.deliveries.record([
    {
      service: 'sns',
      accountId: ctx.accountId,
      region: ctx.region,
      protocol: 'sms',
      endpoint: phone,
      payload: `Your Amazon SNS SMS sandbox verification code is ${code}`,
      details: { kind: 'SMSSandboxVerification', oneTimePassword: code, languageCode: language },
      recordedAt: now,
    },
  ]);
  return {};
}

/** VerifySMSSandboxPhoneNumber: the code from the last CreateSMSSandboxPhoneNumber makes the number Verified. */
export async function verifySMSSandboxPhoneNumber(rt: SnsRuntime, input: { PhoneNumber?: string; OneTimePassword?: string }, ctx: CallContext) {
  const phone = sandboxPhoneNumber(input.PhoneNumber);
  const code = input.OneTimePassword;
  if (code === undefined) throw snsInvalidParameter('OneTimePassword Reason: no value for required parameter');
  if (!OTP_PATTERN.test(code)) throw snsInvalidParameter('OneTimePassword');
  const number = await rt.store.getSandboxNumber(ctx.accountId, ctx.region, phone);
  if (!number) throw notInSandbox();
  if (number.status === 'Verified') return {};
  if (number.oneTimePassword !== code) throw new AwsError('SnsVerification', 'Invalid one-time password. Check the code and try again.');
  const { oneTimePassword: _used, ...verified } = number;
  await rt.store.putSandboxNumber({ ...verified, status: 'Verified' });
  return {};
}

export async function deleteSMSSandboxPhoneNumber(rt: SnsRuntime, input: { PhoneNumber?: string }, ctx: CallContext) {
  const phone = sandboxPhoneNumber(input.PhoneNumber);
  if (!(await rt.store.deleteSandboxNumber(ctx.accountId, ctx.region, phone))) throw notInSandbox();
  return {};
}

function maxResults(value: number | undefined, max: number, fallback: number, invalid: (v: number) => AwsError): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalid(value);
  return value;
}

/** ListSMSSandboxPhoneNumbers: Pending and Verified numbers in number order, MaxResults (1–100) per page. */
export async function listSMSSandboxPhoneNumbers(rt: SnsRuntime, input: { NextToken?: string; MaxResults?: number }, ctx: CallContext) {
  const limit = maxResults(input.MaxResults, SANDBOX_PAGE_MAX, SANDBOX_PAGE_MAX, () => snsInvalidParameter('MaxResults'));
  const after = decodeAfterToken(input.NextToken, () => snsInvalidParameter('NextToken'));
  const rows = await rt.store.listSandboxNumbers(ctx.accountId, ctx.region, after, limit + 1);
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return {
    PhoneNumbers: items.map((n) => ({ PhoneNumber: n.phoneNumber, Status: n.status })),
    ...(more ? { NextToken: encodeAfterToken(items[items.length - 1]!.phoneNumber) } : {}),
  };
}

/**
 * ListOriginationNumbers: an account's dedicated origination numbers. Postbox sends no SMS, so it has none: the
 * list is empty (MaxResults and NextToken are still checked as AWS checks them).
 */
export async function listOriginationNumbers(_rt: SnsRuntime, input: { NextToken?: string; MaxResults?: number }, _ctx: CallContext) {
  maxResults(
    input.MaxResults,
    ORIGINATION_PAGE_MAX,
    ORIGINATION_PAGE_MAX,
    (v) =>
      // ValidationException, 400: the same catalog kind as EventBridge's.
      new AwsError(
        'EventsValidation',
        `1 validation error detected: Value '${v}' at 'maxResults' failed to satisfy constraint: Member must have value ${v < 1 ? 'greater than or equal to 1' : 'less than or equal to 30'}`,
      ),
  );
  decodeAfterToken(input.NextToken, () => snsInvalidParameter('NextToken'));
  return { PhoneNumbers: [] };
}
