/**
 * A rule's ScheduleExpression (eb-scheduled-rule-pattern): `rate(value unit)` — a positive whole number of minutes,
 * hours or days, the unit singular for 1 and plural otherwise — or `cron(…)` (cron.ts). Invalid expressions are
 * refused by PutRule with ValidationException "Parameter ScheduleExpression is not valid.", AWS's answer.
 */
import { CronSyntaxError, nextCronTime, parseCron, type CronSchedule } from './cron.js';

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export type Schedule = { readonly kind: 'rate'; readonly periodMs: number } | { readonly kind: 'cron'; readonly cron: CronSchedule };

/** The schedule, or undefined when AWS would refuse the expression. */
export function parseSchedule(expression: string): Schedule | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    if (n < 1 || (n === 1) === unit.endsWith('s')) return undefined;
    return { kind: 'rate', periodMs: n * UNIT_MS[unit.replace(/s$/, '')]! };
  }
  const cron = CRON.exec(expression);
  if (!cron) return undefined;
  try {
    return { kind: 'cron', cron: parseCron(cron[1]!) };
  } catch (err) {
    if (err instanceof CronSyntaxError) return undefined;
    throw err;
  }
}

/**
 * When the schedule first fires for a rule enabled (or created, or changed) at `now`: a rate one period later
 * (AWS: a rate schedule starts when the rule is created), a cron at its first time after `now`.
 */
export function firstFireTime(schedule: Schedule, now: number): number | undefined {
  return schedule.kind === 'rate' ? now + schedule.periodMs : nextCronTime(schedule.cron, now);
}

/**
 * The firing after the one due at `due`, never at or before `now`: rates keep their phase (due + k periods), so
 * firings missed while Postbox was down are not made up one by one.
 */
export function nextFireTime(schedule: Schedule, due: number, now: number): number | undefined {
  if (schedule.kind === 'rate') return due + schedule.periodMs * (Math.floor(Math.max(0, now - due) / schedule.periodMs) + 1);
  return nextCronTime(schedule.cron, Math.max(due, now));
}
