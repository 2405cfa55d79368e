/**
 * EventBridge's cron syntax (src/events/schedule/cron.ts): what AWS accepts and refuses, and when each expression
 * fires next — every wildcard, in UTC.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCronTime, parseCron } from '../../../src/events/schedule/cron.js';
import { firstFireTime, nextFireTime, parseSchedule } from '../../../src/events/schedule/expression.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** The next `n` firing times after `from`. */
function firings(fields: string, from: string, n = 3): (string | undefined)[] {
  const s = parseCron(fields);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = nextCronTime(s, t);
    out.push(iso(t));
  }
  return out;
}

describe('cron expressions: accepted and refused as AWS does', () => {
  const valid = [
    '0 10 * * ? *',
    '15 12 * * ? *',
    '0 18 ? * MON-FRI *',
    '0 8 1 * ? *',
    '0/15 * * * ? *',
    '0/10 * ? * MON-FRI *',
    '0/5 8-17 ? * MON-FRI *',
    '0 9 ? * 2#1 *',
    '0 12 L * ? *',
    '0 12 15W * ? *',
    '0 12 LW * ? *',
    '0 12 ? * 6L *',
    '0 12 ? * L *',
    '0 0 1 JAN,JUL ? 2026-2030',
    '5,35 14 * * ? *',
    '0 22-2 * * ? *',
    '0 0 ? * fri-mon *',
  ];
  for (const fields of valid) test(`accepts cron(${fields})`, () => assert.ok(parseSchedule(`cron(${fields})`)));

  const invalid = [
    '0 10 * * * *', // both day fields given
    '0 10 ? * ? *', // neither given
    '0 10 * *', // too few fields
    '0 10 * * ? * *', // too many
    '60 10 * * ? *',
    '0 24 * * ? *',
    '0 0 32 * ? *',
    '0 0 0 * ? *',
    '0 0 1 13 ? *',
    '0 0 ? * 8 *',
    '0 0 1 * ? 1969',
    '0 0 1 * ? 2200',
    '0 0 ? * 3#1,6#3 *', // `#` makes the field a single expression
    '0 0 ? * 3#6 *',
    'L 0 1 * ? *',
    '0 0 1W,15 * ? *',
    '0 0 ? * 2W *',
    '0 0 1 ? ? *',
    '0/0 * * * ? *',
    '0 0 1 FOO ? *',
  ];
  for (const fields of invalid) test(`refuses cron(${fields})`, () => assert.equal(parseSchedule(`cron(${fields})`), undefined));

  test('rate expressions: a positive whole number, singular unit for 1 only', () => {
    for (const ok of ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(1 day)', 'rate(7 days)']) assert.ok(parseSchedule(ok), ok);
    for (const bad of ['rate(0 minutes)', 'rate(1 minutes)', 'rate(5 minute)', 'rate(5 seconds)', 'rate(-1 days)', 'rate(1.5 hours)', 'rate(5)', 'every(5 minutes)']) {
      assert.equal(parseSchedule(bad), undefined, bad);
    }
  });
});

describe('cron expressions: next firing times', () => {
  test('plain values and every day', () => {
    assert.deepEqual(firings('0 10 * * ? *', '2026-01-01T09:59:00Z'), ['2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z', '2026-01-03T10:00:00Z']);
    // Strictly after: a time that matches is not the next one.
    assert.deepEqual(firings('0 10 * * ? *', '2026-01-01T10:00:00Z', 1), ['2026-01-02T10:00:00Z']);
  });

  test('increments, ranges and lists', () => {
    assert.deepEqual(firings('1/10 * * * ? *', '2026-01-01T00:00:00Z', 4), ['2026-01-01T00:01:00Z', '2026-01-01T00:11:00Z', '2026-01-01T00:21:00Z', '2026-01-01T00:31:00Z']);
    assert.deepEqual(firings('0/20 9-10 * * ? *', '2026-01-01T10:30:00Z', 3), ['2026-01-01T10:40:00Z', '2026-01-02T09:00:00Z', '2026-01-02T09:20:00Z']);
    assert.deepEqual(firings('5,35 14 * * ? *', '2026-01-01T14:10:00Z', 2), ['2026-01-01T14:35:00Z', '2026-01-02T14:05:00Z']);
  });

  test('weekday names and ranges (1 is Sunday); a range may wrap', () => {
    // 2026-01-02 is a Friday.
    assert.deepEqual(firings('0 18 ? * MON-FRI *', '2026-01-02T19:00:00Z', 2), ['2026-01-05T18:00:00Z', '2026-01-06T18:00:00Z']);
    assert.deepEqual(firings('0 0 ? * 1 *', '2026-01-01T00:00:00Z', 1), ['2026-01-04T00:00:00Z']);
    assert.deepEqual(firings('0 0 ? * FRI-MON *', '2026-01-01T00:00:00Z', 4), ['2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-05T00:00:00Z']);
    assert.deepEqual(firings('0 22-1 * * ? *', '2026-01-01T12:00:00Z', 4), ['2026-01-01T22:00:00Z', '2026-01-01T23:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T01:00:00Z']);
  });

  test('L: the last day of the month (leap years too), and the last given weekday', () => {
    assert.deepEqual(firings('0 12 L * ? *', '2026-01-01T00:00:00Z', 3), ['2026-01-31T12:00:00Z', '2026-02-28T12:00:00Z', '2026-03-31T12:00:00Z']);
    assert.deepEqual(firings('0 12 L 2 ? *', '2027-03-01T00:00:00Z', 1), ['2028-02-29T12:00:00Z']);
    // 6L: the month's last Friday.
    assert.deepEqual(firings('0 12 ? * 6L *', '2026-01-01T00:00:00Z', 2), ['2026-01-30T12:00:00Z', '2026-02-27T12:00:00Z']);
    // L alone in day-of-week: Saturday.
    assert.deepEqual(firings('0 12 ? * L *', '2026-01-01T00:00:00Z', 1), ['2026-01-03T12:00:00Z']);
  });

  test('W: the weekday nearest the day, never in another month', () => {
    // 2026-02-15 is a Sunday: Monday the 16th. 2026-03-15 is a Sunday too. 2026-08-15 is a Saturday: Friday the 14th.
    assert.deepEqual(firings('0 9 15W * ? *', '2026-02-01T00:00:00Z', 1), ['2026-02-16T09:00:00Z']);
    assert.deepEqual(firings('0 9 15W 8 ? *', '2026-01-01T00:00:00Z', 1), ['2026-08-14T09:00:00Z']);
    // 1W on a Saturday (2026-08-01) is Monday the 3rd, not a day of July.
    assert.deepEqual(firings('0 9 1W 8 ? *', '2026-01-01T00:00:00Z', 1), ['2026-08-03T09:00:00Z']);
    // 31W in a month of 30 days: the 30th, or the weekday before. 2026-05-31 is a Sunday: Friday the 29th.
    assert.deepEqual(firings('0 9 31W 5 ? *', '2026-01-01T00:00:00Z', 1), ['2026-05-29T09:00:00Z']);
    // LW: the last weekday of the month. 2026-01-31 is a Saturday.
    assert.deepEqual(firings('0 9 LW * ? *', '2026-01-01T00:00:00Z', 1), ['2026-01-30T09:00:00Z']);
  });

  test('#: the nth given weekday of the month', () => {
    // The first Monday (2#1) of each month of 2026: 5 Jan, 2 Feb, 2 Mar.
    assert.deepEqual(firings('0 9 ? * 2#1 *', '2026-01-01T00:00:00Z', 3), ['2026-01-05T09:00:00Z', '2026-02-02T09:00:00Z', '2026-03-02T09:00:00Z']);
    // The fifth Friday exists only in some months: January and May 2026 (Jan 30, May 29).
    assert.deepEqual(firings('0 9 ? * FRI#5 *', '2026-01-01T00:00:00Z', 2), ['2026-01-30T09:00:00Z', '2026-05-29T09:00:00Z']);
  });

  test('years and months; a schedule that has ended fires no more', () => {
    assert.deepEqual(firings('0 0 1 JAN,JUL ? 2026-2027', '2026-01-01T00:00:00Z', 4), ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z', undefined]);
    assert.deepEqual(firings('0 0 29 2 ? *', '2026-01-01T00:00:00Z', 1), ['2028-02-29T00:00:00Z']);
  });

  test('rates: one period after the rule is created, then keeping their phase past missed firings', () => {
    const s = parseSchedule('rate(5 minutes)')!;
    const t0 = at('2026-01-01T00:00:00Z');
    assert.equal(firstFireTime(s, t0), t0 + 300_000);
    assert.equal(nextFireTime(s, t0 + 300_000, t0 + 300_000), t0 + 600_000);
    // Down for 17 minutes after the 5-minute firing: the next is at 25, not at 10, 15 or 20.
    assert.equal(nextFireTime(s, t0 + 300_000, t0 + 22 * 60_000), t0 + 25 * 60_000);
  });
});
