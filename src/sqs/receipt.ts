import { AwsError } from '../core/errors.js';

/**
 * A receipt handle names the queue, the message row and the token of the receive that produced it. Each receive
 * draws a new token, so an engine can tell the latest handle from earlier ones.
 */
export interface Receipt {
  queueId: number;
  rowId: number;
  token: string;
}

/**
 * The text is ASCII (digits and a base64url token), so `btoa` gives the same base64 as encoding its UTF-8 bytes,
 * without a Buffer per handle (every received message gets one).
 */
export const encodeReceipt = (queueId: number, rowId: number, token: string): string => btoa(`pb1:${queueId}:${rowId}:${token}`);

const RECEIPT = /^pb1:(\d{1,15}):(\d{1,15}):([A-Za-z0-9_-]{1,64})$/;
/** Padded standard base64, as encodeReceipt writes it. */
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Handles as we wrote them are decoded with `atob` (no Buffer); anything else goes through Buffer's lenient
 * decoder as it always has, so the set of handles accepted does not change. Text that is not ASCII fails the
 * pattern however its bytes are read.
 */
function handleText(handle: string): string {
  return CANONICAL_BASE64.test(handle) ? atob(handle) : Buffer.from(handle, 'base64').toString('latin1');
}

export function decodeReceipt(handle: string): Receipt {
  const m = RECEIPT.exec(handleText(handle));
  if (!m) throw invalidReceipt(handle);
  return { queueId: Number(m[1]), rowId: Number(m[2]), token: m[3]! };
}

export function invalidReceipt(handle: string): AwsError {
  return new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
}

/** The answer AWS gives for a handle whose receive has since been superseded or whose timeout has passed. */
export function expiredReceipt(handle: string): AwsError {
  return new AwsError('InvalidParameterValue', `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
}
