/**
 * Numbers as AWS compares them. EventBridge (event-ruler's ComparableNumber) and SNS compare numerically, not by
 * their JSON text: 300, 300.0 and 3.0e2 are equal (EventBridge content-filtering page, "numeric matching"; SNS
 * "Numeric value matching": 301.5 matches 3.015e2). Precision is fixed-point: event-ruler scales by 10^6 and
 * truncates, so values that differ only past the sixth decimal compare equal; SNS documents five decimals.
 */
import {
  EVENTBRIDGE_NUMERIC_BOUND,
  EVENTBRIDGE_NUMERIC_DECIMALS,
  SNS_NUMERIC_BOUND,
  SNS_NUMERIC_DECIMALS,
} from './limits.js';
import type { Dialect, NumericBound } from './types.js';

export interface NumericRules {
  readonly bound: number;
  readonly decimals: number;
}

export const numericRules = (dialect: Dialect): NumericRules =>
  dialect === 'eventbridge'
    ? { bound: EVENTBRIDGE_NUMERIC_BOUND, decimals: EVENTBRIDGE_NUMERIC_DECIMALS }
    : { bound: SNS_NUMERIC_BOUND, decimals: SNS_NUMERIC_DECIMALS };

/** Java's Double.toString for the bound, as event-ruler prints it in "Value must be between -5.0E9 and 5.0E9". */
export function javaDouble(n: number): string {
  const exp = Math.floor(Math.log10(Math.abs(n)));
  const mantissa = n / 10 ** exp;
  return `${Number.isInteger(mantissa) ? mantissa.toFixed(1) : String(mantissa)}E${exp}`;
}

/**
 * The fixed-point integer a number compares as, or undefined when it is outside the range numeric matching
 * supports (such values never match a numeric range; exact matching falls back to plain equality).
 * Matching is done with the engine's widest precision (six decimals) for both dialects: SNS documents five
 * digits of *accuracy*, which six-digit comparison honours.
 */
export function comparable(n: number): number | undefined {
  if (!Number.isFinite(n) || n < -EVENTBRIDGE_NUMERIC_BOUND || n > EVENTBRIDGE_NUMERIC_BOUND) return undefined;
  return Math.round(n * 10 ** EVENTBRIDGE_NUMERIC_DECIMALS);
}

/** The key two numbers share exactly when AWS considers them equal. */
export function numberKey(n: number): string {
  const c = comparable(n);
  return c === undefined ? `n:${n}` : `n:${c}`;
}

export function inRange(n: number, lower: NumericBound | undefined, upper: NumericBound | undefined): boolean {
  const c = comparable(n);
  if (c === undefined) return false;
  if (lower !== undefined) {
    const l = comparable(lower.value)!;
    if (lower.inclusive ? c < l : c <= l) return false;
  }
  if (upper !== undefined) {
    const u = comparable(upper.value)!;
    if (upper.inclusive ? c > u : c >= u) return false;
  }
  return true;
}

/** Parses an SNS Number attribute's Value ("301.5", "3.015e2"); undefined when it is not a number. */
export function parseNumberText(text: string): number | undefined {
  if (!/^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
