/**
 * Routing one event to the targets of the rules it matches, shared by PutEvents, events arriving from another bus,
 * and scheduled rules. What can be delivered at once is: an SQS queue of this Postbox that exists and takes the
 * message becomes a write into that queue, committed with the request (stronger than AWS, which delivers
 * asynchronously). Everything else — SNS topics, other buses, API destinations, recorded targets, a queue that
 * does not exist or refuses the message — becomes a delivery job in the internal queue, committed in the same
 * transaction and attempted (and retried, and dead-lettered) by the delivery worker.
 */
import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { parseQueueArn } from '../../sqs/queue-ref.js';
import { fifoOptions, prepareSend } from '../../sqs/send.js';
import type { ArchivedEvent, RuleRecord, TargetRecord } from '../../store/events-contract.js';
import type { FanoutDelivery } from '../../store/sns-contract.js';
import type { EventEnvelope } from '../envelope.js';
import type { EventsRuntime } from '../runtime.js';
import { targetInput } from '../target-input.js';
import type { Target } from '../types.js';
import type { DeliveryJob } from './job.js';

const DAY_MS = 86_400_000;

/** What a batch of routed events writes, committed together by `commitRouted`. */
export interface Routed {
  readonly deliveries: FanoutDelivery[];
  readonly archived: ArchivedEvent[];
  /** Whether any delivery is a job (the worker is woken after the commit). */
  jobs: boolean;
  /** Bus-to-bus hops the events made before arriving here (0 for PutEvents and schedules). */
  readonly hops: number;
}

export const emptyRouted = (hops = 0): Routed => ({ deliveries: [], archived: [], jobs: false, hops });

/** Narrows routing: a replay with Destination.FilterArns delivers only to the rules it names. */
export interface RouteOptions {
  readonly onlyRules?: ReadonlySet<string>;
}

/** Matches the event against its bus's rules and archives and adds what it makes to `out`. */
export async function routeEvent(
  rt: EventsRuntime,
  busArn: string,
  event: EventEnvelope,
  ctx: CallContext,
  now: number,
  out: Routed,
  options: RouteOptions = {},
): Promise<void> {
  // A bus that does not exist has no rules to route by: its events are dropped, as AWS drops them.
  const routing = await rt.routes.get(busArn);
  const routed = rt.routes.matching(routing, event);
  for (const { rule, targets } of routed.rules) {
    if (options.onlyRules && !options.onlyRules.has(rule.arn)) continue;
    await routeToTargets(rt, rule, targets, event, ctx, now, out);
  }
  // AWS's archives do not keep replayed events (an archive's rule matches only events without "replay-name").
  if (routed.archives.length && !('replay-name' in event)) {
    const text = JSON.stringify(event);
    for (const archive of routed.archives) {
      out.archived.push({
        archiveArn: archive.arn,
        eventId: event.id,
        event: text,
        ...(archive.retentionDays > 0 ? { expiresAt: now + archive.retentionDays * DAY_MS } : {}),
      });
    }
  }
}

/** Adds one delivery per target of the rule (a queue write or a job). */
export async function routeToTargets(
  rt: EventsRuntime,
  rule: RuleRecord,
  targets: readonly TargetRecord[],
  event: EventEnvelope,
  ctx: CallContext,
  now: number,
  out: Routed,
): Promise<void> {
  for (const target of targets) {
    const t = target.target as Target;
    const input = targetInput(t, event, rule, now);
    if (input === undefined) {
      // AWS documents nothing for an InputPath that finds nothing; there is nothing to send.
      rt.logger.warn({ rule: rule.arn, target: target.id }, 'EventBridge delivery skipped: InputPath found nothing in the event');
      continue;
    }
    const direct = await queueDelivery(rt, t, target.arn, event, input, ctx, now);
    if (direct) {
      out.deliveries.push(direct);
      continue;
    }
    const job: DeliveryJob = { ruleArn: rule.arn, accountId: ctx.accountId, region: ctx.region, target: t, event, input, host: ctx.host, ...(out.hops ? { hops: out.hops } : {}) };
    out.deliveries.push(await rt.delivery.jobDelivery(job, now));
    out.jobs = true;
  }
}

/** The write into an SQS queue of this Postbox, when the target is one that exists and takes the message. */
async function queueDelivery(rt: EventsRuntime, t: Target, arn: string, event: EventEnvelope, body: string, ctx: CallContext, now: number): Promise<FanoutDelivery | undefined> {
  const key = parseQueueArn(arn);
  const queue = key && (await rt.queues.getQueue(key));
  if (!queue) return undefined;
  try {
    const groupId = t.SqsParameters?.MessageGroupId;
    const sent = prepareSend(
      queue,
      {
        MessageBody: body,
        // FIFO targets: the group the target names; the event id deduplicates (a retried event is not delivered twice).
        ...(queue.fifo && groupId !== undefined ? { MessageGroupId: groupId, MessageDeduplicationId: event.id } : {}),
      },
      ctx,
      now,
      false,
    );
    const fifo = fifoOptions(queue);
    return { queue, messages: [sent.message], ...(fifo ? { fifo } : {}) };
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    return undefined; // the job fails the same way and dead-letters the event
  }
}

/** Commits routed events in one transaction, then wakes the long polls of the queues written and the worker. */
export async function commitRouted(rt: EventsRuntime, out: Routed, now: number): Promise<void> {
  if (!out.deliveries.length && !out.archived.length) return;
  const sent = await rt.store.commitEvents(out.deliveries, out.archived, now);
  notifyDelivered(rt, out.deliveries, sent);
  if (out.jobs) rt.delivery.kick();
}

export function notifyDelivered(rt: EventsRuntime, deliveries: readonly FanoutDelivery[], sent: readonly (readonly { duplicate?: boolean }[])[]): void {
  const woken = new Set<number>();
  deliveries.forEach((d, i) => {
    if (sent[i]?.some((s) => !s.duplicate)) woken.add(d.queue.id);
  });
  for (const id of woken) rt.notifyQueue(id);
}

/** A CallContext for work no request carries (scheduled rules, retried deliveries). */
export function internalContext(accountId: string, region: string, host: string): CallContext {
  return { requestId: '', region, accountId, host, path: '/', protocol: 'json', accessKeyId: undefined };
}
