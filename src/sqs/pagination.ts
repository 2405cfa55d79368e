import { AwsError } from '../core/errors.js';
import { decodeAfterToken, encodeAfterToken } from '../core/pagination.js';

/** NextToken for name-ordered listings: the last name returned. */
export const encodeToken = encodeAfterToken;

export const decodeToken = (token: string | undefined): string | undefined =>
  decodeAfterToken(token, () => new AwsError('InvalidParameterValue', 'Invalid or expired next token.'));

export function checkMaxResults(max: number | undefined, limit: number): void {
  if (max !== undefined && (max < 1 || max > limit)) {
    throw new AwsError('InvalidParameterValue', `Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and ${limit}.`);
  }
}
