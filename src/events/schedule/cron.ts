/**
 * EventBridge's own cron syntax (eb-cron-expressions / eb-scheduled-rule-pattern), in UTC:
 *
 *   cron(Minutes Hours Day-of-month Month Day-of-week Year)
 *
 *   Minutes       0-59                 , - * /
 *   Hours         0-23                 , - * /
 *   Day-of-month  1-31                 , - * ? / L W
 *   Month         1-12 or JAN-DEC      , - * /
 *   Day-of-week   1-7 or SUN-SAT       , - * ? L #     (1 is Sunday)
 *   Year          1970-2199            , - * /
 *
 * Rules AWS states: all six fields are required; Day-of-month and Day-of-week cannot both be given — one of them
 * must be `?` (and `?` is allowed nowhere else); `#` makes the whole Day-of-week field one expression (`3#1,6#3` is
 * invalid). Beyond the documentation, as the Quartz syntax EventBridge's follows: `L` and `W` stand alone in their
 * field (`L`, `15W`, `LW` in Day-of-month; `L` — Saturday — or `6L`, the month's last Friday, in Day-of-week);
 * a range may wrap (`FRI-MON`, `22-2`).
 */

export class CronSyntaxError extends Error {}

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTES: Field = { min: 0, max: 59 };
const HOURS: Field = { min: 0, max: 23 };
const DAYS: Field = { min: 1, max: 31 };
const MONTHS: Field = { min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] };
const WEEKDAYS: Field = { min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
const YEARS: Field = { min: 1970, max: 2199 };

type DayOfMonth =
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'last' }
  | { readonly kind: 'last-weekday' }
  | { readonly kind: 'nearest-weekday'; readonly day: number };

type DayOfWeek =
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly days: ReadonlySet<number> }
  /** The last such weekday of the month (`6L`). */
  | { readonly kind: 'last-of-month'; readonly weekday: number }
  /** The nth such weekday of the month (`3#2`). */
  | { readonly kind: 'nth'; readonly weekday: number; readonly nth: number };

export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly dayOfMonth: DayOfMonth;
  readonly months: ReadonlySet<number>;
  readonly dayOfWeek: DayOfWeek;
  readonly years: ReadonlySet<number>;
}

function value(text: string, f: Field): number {
  const upper = text.toUpperCase();
  const named = f.names?.indexOf(upper) ?? -1;
  if (named >= 0) return f.min + named;
  if (!/^\d+$/.test(text)) throw new CronSyntaxError(`invalid value ${text}`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronSyntaxError(`value ${text} out of range ${f.min}-${f.max}`);
  return n;
}

/** A field of `, - * /` items (no `?`, `L`, `W`, `#`) as the set of values it matches. */
function valueSet(text: string, f: Field): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw new CronSyntaxError('empty list item');
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronSyntaxError(`invalid increment ${item}`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new CronSyntaxError(`invalid increment ${item}`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = f.min;
      to = f.max;
    } else {
      const bounds = range!.split('-');
      if (bounds.length > 2) throw new CronSyntaxError(`invalid range ${item}`);
      from = value(bounds[0]!, f);
      // `a/n` runs from a to the end of the field.
      to = bounds.length === 2 ? value(bounds[1]!, f) : stepText !== undefined ? f.max : from;
    }
    const span = to >= from ? to - from : f.max - from + 1 + (to - f.min);
    for (let i = 0; i <= span; i += step) out.add(from + i > f.max ? from + i - (f.max - f.min + 1) : from + i);
  }
  return out;
}

function dayOfMonth(text: string): DayOfMonth {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last' };
  if (text === 'LW') return { kind: 'last-weekday' };
  const w = /^(\d+)W$/.exec(text);
  if (w) return { kind: 'nearest-weekday', day: value(w[1]!, DAYS) };
  if (/[LW#?]/.test(text)) throw new CronSyntaxError(`invalid day-of-month ${text}`);
  return { kind: 'set', days: valueSet(text, DAYS) };
}

function dayOfWeek(text: string): DayOfWeek {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'set', days: new Set([7]) };
  const last = /^([^L#,/-]+)L$/.exec(text);
  if (last) return { kind: 'last-of-month', weekday: value(last[1]!, WEEKDAYS) };
  if (text.includes('#')) {
    const nth = /^([^#,/-]+)#([1-5])$/.exec(text);
    if (!nth) throw new CronSyntaxError(`invalid day-of-week ${text}`);
    return { kind: 'nth', weekday: value(nth[1]!, WEEKDAYS), nth: Number(nth[2]) };
  }
  if (/[LW?]/.test(text.toUpperCase().replace(/(SUN|MON|TUE|WED|THU|FRI|SAT)/g, ''))) throw new CronSyntaxError(`invalid day-of-week ${text}`);
  return { kind: 'set', days: valueSet(text, WEEKDAYS) };
}

/** Parses the inside of `cron(…)`; throws CronSyntaxError when AWS would refuse it. */
export function parseCron(fields: string): CronSchedule {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) throw new CronSyntaxError('a cron expression has six fields');
  const [mi, h, dom, mo, dow, y] = parts as [string, string, string, string, string, string];
  // One of Day-of-month and Day-of-week must be `?`, and only one.
  if ((dom === '?') === (dow === '?')) throw new CronSyntaxError('exactly one of day-of-month and day-of-week must be ?');
  return {
    minutes: valueSet(mi, MINUTES),
    hours: valueSet(h, HOURS),
    dayOfMonth: dayOfMonth(dom.toUpperCase()),
    months: valueSet(mo, MONTHS),
    dayOfWeek: dayOfWeek(dow.toUpperCase()),
    years: valueSet(y, YEARS),
  };
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday … 7 = Saturday, as EventBridge numbers them. */
const weekday = (year: number, month: number, day: number): number => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday (Monday–Friday) nearest `day` within the month (Quartz's `W`: never crosses into another month). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const wd = weekday(year, month, d);
  if (wd === 7) return d > 1 ? d - 1 : d + 2; // Saturday: the Friday before, or the Monday after on the 1st
  if (wd === 1) return d < last ? d + 1 : d - 2; // Sunday: the Monday after, or the Friday before on the last day
  return d;
}

function dayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  const dom = s.dayOfMonth;
  switch (dom.kind) {
    case 'set':
      if (!dom.days.has(day)) return false;
      break;
    case 'last':
      if (day !== daysInMonth(year, month)) return false;
      break;
    case 'last-weekday':
      if (day !== nearestWeekday(year, month, daysInMonth(year, month))) return false;
      break;
    case 'nearest-weekday':
      if (day !== nearestWeekday(year, month, dom.day)) return false;
      break;
    case 'any':
      break;
  }
  const dow = s.dayOfWeek;
  switch (dow.kind) {
    case 'set':
      return dow.days.has(weekday(year, month, day));
    case 'last-of-month':
      return weekday(year, month, day) === dow.weekday && day + 7 > daysInMonth(year, month);
    case 'nth':
      return weekday(year, month, day) === dow.weekday && Math.ceil(day / 7) === dow.nth;
    case 'any':
      return true;
  }
}

/** The first time the schedule fires strictly after `after` (ms since the epoch), or undefined if never again. */
export function nextCronTime(s: CronSchedule, after: number): number | undefined {
  let t = Math.floor(after / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const lastYear = Math.max(...s.years);
  const hours = [...s.hours].sort((a, b) => a - b);
  const minutes = [...s.minutes].sort((a, b) => a - b);
  for (;;) {
    const d = new Date(t);
    const year = d.getUTCFullYear();
    if (year > lastYear) return undefined;
    if (!s.years.has(year)) {
      t = Date.UTC(year + 1, 0, 1);
      continue;
    }
    const month = d.getUTCMonth() + 1;
    if (!s.months.has(month)) {
      t = Date.UTC(year, month, 1);
      continue;
    }
    const day = d.getUTCDate();
    if (dayMatches(s, year, month, day)) {
      const from = d.getUTCHours() * 60 + d.getUTCMinutes();
      for (const h of hours) {
        if (h * 60 + 59 < from) continue;
        for (const m of minutes) if (h * 60 + m >= from) return Date.UTC(year, month - 1, day, h, m);
      }
    }
    t = Date.UTC(year, month - 1, day) + DAY_MS;
  }
}
