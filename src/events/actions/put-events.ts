import { AwsError } from '../../core/errors.js';
import { newMessageId } from '../../core/ids.js';
import type { CallContext } from '../../core/service.js';
import { parseQueueArn } from '../../sqs/queue-ref.js';
import { fifoOptions, prepareSend } from '../../sqs/send.js';
import type { ArchivedEvent, EventBusKey, RuleRecord, TargetRecord } from '../../store/events-contract.js';
import type { FanoutDelivery } from '../../store/sns-contract.js';
import { busArn } from '../arns.js';
import { busKeyOf } from '../bus-ref.js';
import { buildEvent, type EventEnvelope } from '../envelope.js';
import { constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import type { EventsRuntime } from '../runtime.js';
import { targetInput } from '../target-input.js';
import { endpointRouting } from './endpoints.js';
import type { PutEventsRequestEntry, PutEventsResultEntry, Target } from '../types.js';

/** Entry size as AWS counts it (eb-putevent-size): Time 14 bytes, then the UTF-8 bytes of the text members. */
export function entrySize(e: PutEventsRequestEntry): number {
  let size = e.Time !== undefined ? L.TIME_ENTRY_BYTES : 0;
  for (const text of [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])]) if (text) size += Buffer.byteLength(text, 'utf8');
  return size;
}

const invalidArgument = (member: string): PutEventsResultEntry => ({
  ErrorCode: 'InvalidArgument',
  ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
});

/** An event ready for routing, and the bus it is put on. */
export interface AcceptedEvent {
  readonly bus: EventBusKey;
  readonly event: EventEnvelope;
}

/** Narrows routing: a replay with Destination.FilterArns delivers only to the rules it names. */
export interface RouteOptions {
  readonly onlyRules?: ReadonlySet<string>;
}

/** Validates one entry as AWS does, answering its failure entry or the event EventBridge builds from it. */
function acceptEntry(e: PutEventsRequestEntry, ctx: CallContext, now: number): AcceptedEvent | PutEventsResultEntry {
  if (!e.Source) return invalidArgument('Source');
  if (!e.DetailType) return invalidArgument('DetailType');
  if (!e.Detail) return invalidArgument('Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  // Sources beginning "aws." are AWS services' own.
  if (e.Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  let bus: EventBusKey;
  try {
    bus = busKeyOf(ctx, e.EventBusName);
  } catch (err) {
    if (err instanceof AwsError) return { ErrorCode: err.kind.code, ErrorMessage: err.message };
    throw err;
  }
  const time = e.Time === undefined ? now : typeof e.Time === 'number' ? e.Time * 1000 : Date.parse(e.Time);
  const event = buildEvent({
    id: newMessageId(),
    detailType: e.DetailType,
    source: e.Source,
    account: ctx.accountId,
    time: Number.isFinite(time) ? time : now,
    region: ctx.region,
    resources: e.Resources ?? [],
    detail: detail as Record<string, unknown>,
  });
  return { bus, event };
}

/**
 * PutEvents: each entry is validated on its own (failures answer in place, as AWS does), each accepted event is
 * matched against its bus's compiled rules and archives, and every SQS target delivery and archived copy of the
 * whole request is written in one transaction before the answer: a 200 means the target queues have the events.
 * AWS delivers asynchronously, so this is stronger than it promises, never weaker.
 */
export async function putEvents(rt: EventsRuntime, input: { Entries?: PutEventsRequestEntry[]; EndpointId?: string }, ctx: CallContext) {
  const entries = input.Entries;
  if (!entries) throw constraintError('null', 'entries', 'Member must not be null');
  if (entries.length < 1) throw constraintError('[]', 'entries', 'Member must have length greater than or equal to 1');
  if (entries.length > L.PUT_EVENTS_ENTRIES_MAX) {
    throw constraintError('[…]', 'entries', `Member must have length less than or equal to ${L.PUT_EVENTS_ENTRIES_MAX}`);
  }
  if (entries.reduce((sum, e) => sum + entrySize(e), 0) > L.PUT_EVENTS_SIZE_MAX) {
    throw validation('Total size of the entries in the request is over the limit.');
  }
  // Through a global endpoint (EndpointId), entries go to the endpoint's bus in its primary Region.
  const viaEndpoint = input.EndpointId !== undefined ? await endpointRouting(rt, input.EndpointId, ctx) : undefined;
  const now = rt.clock.now();
  const results: PutEventsResultEntry[] = [];
  const events: AcceptedEvent[] = [];
  for (const entry of entries) {
    const checked = acceptEntry(entry, ctx, now);
    const accepted = viaEndpoint && 'event' in checked ? viaEndpoint(entry, checked) : checked;
    if (!('event' in accepted)) {
      results.push(accepted);
      continue;
    }
    results.push({ EventId: accepted.event.id });
    events.push(accepted);
  }
  await routeAndCommit(rt, events, ctx, now);
  return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
}

/**
 * The one way from events put on a bus to their deliveries: routes each event (rules and archives of its bus) and
 * writes every delivery and archived copy in one transaction, then wakes the target queues. PutEvents (direct or
 * through a global endpoint), PutPartnerEvents and replays all come through here, so a change to delivery applies
 * to each of them.
 */
export async function routeAndCommit(
  rt: EventsRuntime,
  events: readonly AcceptedEvent[],
  ctx: CallContext,
  now: number,
  options: RouteOptions = {},
): Promise<void> {
  const deliveries: FanoutDelivery[] = [];
  const archived: ArchivedEvent[] = [];
  for (const accepted of events) await route(rt, accepted, ctx, now, deliveries, archived, options);
  if (deliveries.length || archived.length) {
    const sent = await rt.store.commitEvents(deliveries, archived, now);
    const woken = new Set<number>();
    deliveries.forEach((d, i) => {
      if (sent[i]!.some((s) => !s.duplicate)) woken.add(d.queue.id);
    });
    for (const id of woken) rt.notifyQueue(id);
  }
}

/**
 * Adds what one event makes: a delivery per SQS target of every enabled rule of its bus that matches it, and a copy
 * for every archive of the bus whose pattern (if any) matches it.
 */
async function route(
  rt: EventsRuntime,
  accepted: AcceptedEvent,
  ctx: CallContext,
  now: number,
  deliveries: FanoutDelivery[],
  archived: ArchivedEvent[],
  options: RouteOptions,
): Promise<void> {
  const { bus, event } = accepted;
  // AWS accepts events for a bus that does not exist and drops them (FailedEntryCount 0): so does Postbox — a bus
  // that does not exist has no rules to route by.
  const routing = await rt.routes.get(busArn(bus));
  const routed = rt.routes.matching(routing, event);
  for (const { rule, targets } of routed.rules) {
    if (options.onlyRules && !options.onlyRules.has(rule.arn)) continue;
    for (const target of targets) {
      const delivery = await deliveryOf(rt, rule, target, event, ctx, now);
      if (delivery) deliveries.push(delivery);
    }
  }
  // AWS's archives do not keep replayed events (an archive's rule matches only events without "replay-name").
  if (routed.archives.length && !('replay-name' in event)) {
    const text = JSON.stringify(event);
    for (const archive of routed.archives) {
      archived.push({
        archiveArn: archive.arn,
        eventId: event.id,
        event: text,
        ...(archive.retentionDays > 0 ? { expiresAt: now + archive.retentionDays * DAY_MS } : {}),
      });
    }
  }
}

const DAY_MS = 86_400_000;

async function deliveryOf(
  rt: EventsRuntime,
  rule: RuleRecord,
  target: TargetRecord,
  event: EventEnvelope,
  ctx: CallContext,
  now: number,
): Promise<FanoutDelivery | undefined> {
  const key = parseQueueArn(target.arn);
  const queue = key && (await rt.queues.getQueue(key));
  if (!queue) {
    // AWS fails the invocation (and retries, then drops or dead-letters it); Postbox logs and drops.
    rt.logger.warn({ rule: rule.arn, target: target.id, queue: target.arn }, 'EventBridge delivery skipped: the queue does not exist');
    return undefined;
  }
  const t = target.target as Target;
  const body = targetInput(t, event, rule, now);
  if (body === undefined) {
    rt.logger.warn({ rule: rule.arn, target: target.id }, 'EventBridge delivery skipped: InputPath found nothing in the event');
    return undefined;
  }
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
    rt.logger.warn({ rule: rule.arn, target: target.id, queue: queue.name, reason: err.message }, 'EventBridge delivery refused by the queue');
    return undefined;
  }
}
