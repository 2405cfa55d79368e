import { snsInvalidParameter } from './errors.js';

/**
 * Phone numbers as SNS takes them: E.164 ("+" then country code and subscriber number, at most 15 digits; SNS also
 * accepts the digits without the "+"). Postbox keeps them with the "+", so one number has one spelling in the
 * opt-out list, the sandbox and the delivery log.
 */
const E164 = /^\+?[1-9]\d{1,14}$/;

/** Normalised E.164, or undefined when the text is not a phone number. */
export function e164(text: string | undefined): string | undefined {
  if (text === undefined || !E164.test(text)) return undefined;
  return text.startsWith('+') ? text : `+${text}`;
}

/** Publish's PhoneNumber (AWS: "Invalid parameter: PhoneNumber Reason: <n> is not valid to publish to"). */
export function publishPhoneNumber(text: string): string {
  const n = e164(text);
  if (!n) throw snsInvalidParameter(`PhoneNumber Reason: ${text} is not valid to publish to`);
  return n;
}

/** CheckIfPhoneNumberIsOptedOut and OptInPhoneNumber's phoneNumber. */
export function optOutPhoneNumber(text: string | undefined): string {
  if (text === undefined) throw snsInvalidParameter('PhoneNumber Reason: no value for required parameter');
  const n = e164(text);
  if (!n) throw snsInvalidParameter('PhoneNumber Reason: input incorrectly formatted');
  return n;
}

/** SMS sandbox numbers: the model's PhoneNumberString (at most 20 characters, `^(\+[0-9]{8,}|[0-9]{0,9})$`) and E.164. */
const SANDBOX_NUMBER = /^(\+[0-9]{8,}|[0-9]{0,9})$/;
export function sandboxPhoneNumber(text: string | undefined): string {
  if (text === undefined) throw snsInvalidParameter('PhoneNumber Reason: no value for required parameter');
  const n = text.length <= 20 && SANDBOX_NUMBER.test(text) ? e164(text) : undefined;
  if (!n) throw snsInvalidParameter(`PhoneNumber Reason: ${text} is not a valid E.164 phone number`);
  return n;
}
