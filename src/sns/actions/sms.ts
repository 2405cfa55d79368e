import { decodeAfterToken, encodeAfterToken } from '../../core/pagination.js';
import type { CallContext } from '../../core/service.js';
import { snsInvalidParameter } from '../errors.js';
import * as L from '../limits.js';
import { optOutPhoneNumber } from '../phone-numbers.js';
import { nullMember } from '../platform-errors.js';
import type { SnsRuntime } from '../runtime.js';
import { smsSettings } from '../sms-account.js';
import { checkSmsAttributes, effectiveSmsAttributes } from '../sms-attributes.js';
import type { AttributeMap } from '../types.js';

/** OptInPhoneNumber: "You can opt in a phone number only once every 30 days." */
const OPT_IN_INTERVAL_MS = 30 * 24 * 3600_000;

/** GetSMSAttributes: every setting, or only those named (unknown names are left out, not refused). */
export async function getSMSAttributes(rt: SnsRuntime, input: { attributes?: string[] }, ctx: CallContext) {
  const settings = await smsSettings(rt, ctx.accountId, ctx.region);
  const all = effectiveSmsAttributes(settings.attributes);
  if (!input.attributes || input.attributes.length === 0) return { attributes: all };
  const picked: Record<string, string> = {};
  for (const name of input.attributes) if (all[name] !== undefined) picked[name] = all[name];
  return { attributes: picked };
}

/** SetSMSAttributes: checked as a whole, then merged over the account's settings in this region. */
export async function setSMSAttributes(rt: SnsRuntime, input: { attributes?: AttributeMap }, ctx: CallContext) {
  if (input.attributes === undefined) throw nullMember('attributes');
  checkSmsAttributes(input.attributes);
  const settings = await smsSettings(rt, ctx.accountId, ctx.region);
  await rt.store.putSmsSettings(ctx.accountId, ctx.region, { ...settings, attributes: { ...settings.attributes, ...input.attributes } });
  return {};
}

export async function checkIfPhoneNumberIsOptedOut(rt: SnsRuntime, input: { phoneNumber?: string }, ctx: CallContext) {
  const phone = optOutPhoneNumber(input.phoneNumber);
  const status = await rt.store.phoneNumberStatus(ctx.accountId, ctx.region, phone);
  return { isOptedOut: status.optedOut };
}

/** ListPhoneNumbersOptedOut: 100 per page, in number order. */
export async function listPhoneNumbersOptedOut(rt: SnsRuntime, input: { nextToken?: string }, ctx: CallContext) {
  const after = decodeAfterToken(input.nextToken, () => snsInvalidParameter('NextToken'));
  const rows = await rt.store.listOptedOutPhoneNumbers(ctx.accountId, ctx.region, after, L.LIST_PAGE_SIZE + 1);
  const more = rows.length > L.LIST_PAGE_SIZE;
  const phoneNumbers = more ? rows.slice(0, L.LIST_PAGE_SIZE) : rows;
  return { phoneNumbers, ...(more ? { nextToken: encodeAfterToken(phoneNumbers[phoneNumbers.length - 1]!) } : {}) };
}

/** OptInPhoneNumber: a number that is not opted out is left as it is; an opted-out one only once per 30 days. */
export async function optInPhoneNumber(rt: SnsRuntime, input: { phoneNumber?: string }, ctx: CallContext) {
  const phone = optOutPhoneNumber(input.phoneNumber);
  const status = await rt.store.phoneNumberStatus(ctx.accountId, ctx.region, phone);
  if (!status.optedOut) return {};
  const now = rt.clock.now();
  if (status.optedInAt !== undefined && now - status.optedInAt < OPT_IN_INTERVAL_MS) {
    throw snsInvalidParameter('PhoneNumber Reason: A phone number can be opted in only once every 30 days');
  }
  await rt.store.optInPhoneNumber(ctx.accountId, ctx.region, phone, now);
  return {};
}
