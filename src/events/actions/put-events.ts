import { AwsError } from '../../core/errors.js';
import { newMessageId } from '../../core/ids.js';
import type { CallContext } from '../../core/service.js';
import type { EventBusKey } from '../../store/events-contract.js';
import { busArn } from '../arns.js';
import { busKeyOf } from '../bus-ref.js';
import { buildEvent, type EventEnvelope } from '../envelope.js';
import { constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import type { EventsRuntime } from '../runtime.js';
import { commitRouted, emptyRouted, routeEvent, type RouteOptions } from '../delivery/route.js';
import { endpointRouting } from './endpoints.js';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '../types.js';

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
 * matched against its bus's compiled rules and archives, and everything the whole request makes — writes into SQS
 * target queues, delivery jobs for every other target, archived copies — is committed in one transaction before
 * the answer (see delivery/route.ts). A 200 means the target queues have the events and every other delivery is
 * durably on its way. AWS delivers asynchronously, so this is stronger than it promises, never weaker.
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
  const replicas: AcceptedEvent[] = [];
  for (const entry of entries) {
    const checked = acceptEntry(entry, ctx, now);
    const accepted = viaEndpoint && 'event' in checked ? viaEndpoint.route(entry, checked) : checked;
    if (!('event' in accepted)) {
      results.push(accepted);
      continue;
    }
    results.push({ EventId: accepted.event.id });
    events.push(accepted);
    const replica = viaEndpoint?.replica(accepted, newMessageId);
    if (replica) replicas.push(replica);
  }
  await routeAndCommit(rt, replicas.length ? [...events, ...replicas] : events, ctx, now);
  return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
}

/**
 * The one way from events put on a bus to their deliveries: routes each event (rules and archives of its bus) and
 * commits every delivery and archived copy in one transaction (delivery/route.ts). PutEvents (direct or through a
 * global endpoint), PutPartnerEvents and replays all come through here, so a change to delivery applies to each.
 */
export async function routeAndCommit(
  rt: EventsRuntime,
  events: readonly AcceptedEvent[],
  ctx: CallContext,
  now: number,
  options: RouteOptions = {},
): Promise<void> {
  const out = emptyRouted();
  for (const accepted of events) await routeEvent(rt, busArn(accepted.bus), accepted.event, ctx, now, out, options);
  await commitRouted(rt, out, now);
}
