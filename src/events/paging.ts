import { decodeAfterToken, encodeAfterToken } from '../core/pagination.js';
import { checkLimit, invalidToken } from './errors.js';
import { LIST_LIMIT_MAX } from './limits.js';

/** Limit (1–100, default 100) and NextToken of a listing, checked as EventBridge checks them. */
export function pageRequest(input: { Limit?: number; NextToken?: string }): { limit: number; after: string | undefined } {
  return { limit: checkLimit(input.Limit, LIST_LIMIT_MAX), after: decodeAfterToken(input.NextToken, invalidToken) };
}

/** A listing read with `limit + 1` rows: the page, and the NextToken member when more rows follow. */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => string): { page: T[]; next: { NextToken?: string } } {
  const page = rows.slice(0, limit);
  return { page, next: rows.length > limit ? { NextToken: encodeAfterToken(keyOf(page[page.length - 1]!)) } : {} };
}
