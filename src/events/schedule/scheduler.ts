/**
 * Fires scheduled rules on the injected clock. Each scheduled, enabled rule has its next fire time in the store
 * (events_schedules). A firing is claimed with a compare-and-set — "move the fire time from T to the next one, if
 * it is still T" — in the same transaction that commits the firing's deliveries, so a schedule fires once however
 * many schedulers (restarted processes, later several nodes) see it due, and a crash either fired and moved on, or
 * did neither.
 *
 * The event is the one AWS sends for a schedule: detail-type "Scheduled Event", source "aws.events", the rule's ARN
 * as its only resource, an empty detail, and the scheduled time as its time.
 *
 * Firings missed while Postbox was not running: AWS promises a scheduled rule's invocation at (about) its time and
 * documents no catch-up; Postbox fires a missed schedule once when it is back — stamped with the first missed time —
 * and then carries on from the present (rates keep their phase), rather than replaying every missed firing.
 */
import { newMessageId } from '../../core/ids.js';
import { buildEvent } from '../envelope.js';
import { emptyRouted, internalContext, notifyDelivered, routeToTargets } from '../delivery/route.js';
import type { EventsRuntime } from '../runtime.js';
import { nextFireTime, parseSchedule } from './expression.js';
import { parseRuleArn } from '../arns.js';

/** Longest sleep: picks up schedules other nodes set, and bounds the harm of a missed wake-up. */
const IDLE_POLL_MS = 60_000;
const BATCH = 100;

export class RuleScheduler {
  private stopped = true;
  private running: Promise<void> | undefined;
  private again = false;
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly rt: EventsRuntime,
    private readonly host: () => string,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  /** Looks at the schedules now (one changed, or a timer came due). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.running = this.fireDue()
      .catch((err: unknown) => this.rt.logger.error({ err }, 'scheduler step failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          void this.sleep();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.running;
  }

  private async fireDue(): Promise<void> {
    while (!this.stopped) {
      const now = this.rt.clock.now();
      const due = await this.rt.store.dueSchedules(now, BATCH);
      if (!due.length) return;
      for (const d of due) await this.fire(d.ruleArn, d.nextFireAt, now);
      if (due.length < BATCH) return;
    }
  }

  /** Fires one due schedule, if this scheduler wins the claim. */
  private async fire(ruleArn: string, dueAt: number, now: number): Promise<void> {
    const rt = this.rt;
    const rule = await rt.store.getRule(ruleArn);
    const schedule = rule?.scheduleExpression !== undefined ? parseSchedule(rule.scheduleExpression) : undefined;
    if (!rule || !schedule || rule.state === 'DISABLED') {
      // Deleted, no longer scheduled, or disabled since: the schedule is forgotten (EnableRule sets it again).
      await rt.store.claimSchedule(ruleArn, dueAt, undefined, []);
      return;
    }
    const next = nextFireTime(schedule, dueAt, now);
    const key = parseRuleArn(ruleArn)!;
    const event = buildEvent({
      id: newMessageId(),
      detailType: 'Scheduled Event',
      source: 'aws.events',
      account: key.bus.accountId,
      time: dueAt,
      region: key.bus.region,
      resources: [ruleArn],
      detail: {},
    });
    const targets = await rt.store.listTargets(ruleArn, undefined, 100);
    const out = emptyRouted();
    await routeToTargets(rt, rule, targets, event, internalContext(key.bus.accountId, key.bus.region, this.host()), now, out);
    const sent = await rt.store.claimSchedule(ruleArn, dueAt, next, out.deliveries);
    if (!sent) return; // another scheduler fired it
    notifyDelivered(rt, out.deliveries, sent);
    if (out.jobs) rt.delivery.kick();
    rt.logger.debug({ rule: ruleArn, scheduledAt: new Date(dueAt).toISOString(), targets: targets.length }, 'scheduled rule fired');
  }

  private async sleep(): Promise<void> {
    if (this.stopped) return;
    const now = this.rt.clock.now();
    let wait = IDLE_POLL_MS;
    try {
      const next = await this.rt.store.nextScheduleAt();
      if (next !== undefined) wait = Math.min(wait, Math.max(0, next - now));
    } catch (err) {
      this.rt.logger.error({ err }, 'scheduler could not read the schedules');
    }
    if (this.stopped || this.running) return;
    this.cancelTimer?.();
    this.cancelTimer = this.rt.clock.setTimer(wait, () => {
      this.cancelTimer = undefined;
      // After the current task: a ManualClock fires timers inside `advance`, and the time read should be the one
      // `advance` moves to.
      queueMicrotask(() => this.kick());
    });
  }
}
