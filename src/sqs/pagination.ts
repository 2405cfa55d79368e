import { AwsError } from '../core/errors.js';

/** NextToken for name-ordered listings: the last name returned, opaque to clients. */
export const encodeToken = (lastName: string): string => Buffer.from(JSON.stringify({ after: lastName })).toString('base64');

export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw new AwsError('InvalidParameterValue', 'Invalid or expired next token.');
}

export function checkMaxResults(max: number | undefined, limit: number): void {
  if (max !== undefined && (max < 1 || max > limit)) {
    throw new AwsError('InvalidParameterValue', `Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and ${limit}.`);
  }
}
