import type { AwsError } from './errors.js';

/**
 * NextToken for listings ordered by a key (a queue name, a topic ARN): the last key returned, opaque to clients.
 * Each service words a bad token its own way, so the caller supplies the error.
 */
export const encodeAfterToken = (lastKey: string): string => Buffer.from(JSON.stringify({ after: lastKey })).toString('base64');

export function decodeAfterToken(token: string | undefined, invalid: () => AwsError): string | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw invalid();
}
