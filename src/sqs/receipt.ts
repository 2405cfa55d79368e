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

export const encodeReceipt = (queueId: number, rowId: number, token: string): string =>
  Buffer.from(`pb1:${queueId}:${rowId}:${token}`, 'utf8').toString('base64');

const RECEIPT = /^pb1:(\d{1,15}):(\d{1,15}):([A-Za-z0-9_-]{1,64})$/;

export function decodeReceipt(handle: string): Receipt {
  const m = RECEIPT.exec(Buffer.from(handle, 'base64').toString('utf8'));
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
