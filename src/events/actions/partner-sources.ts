import { AwsError } from '../../core/errors.js';
import { newMessageId } from '../../core/ids.js';
import type { CallContext } from '../../core/service.js';
import type { EventBusRecord, PartnerSourceRecord } from '../../store/events-contract.js';
import { busArn } from '../arns.js';
import { buildEvent } from '../envelope.js';
import { checkName, constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '../types.js';
import { entrySize, routeAndCommit, type AcceptedEvent } from './put-events.js';

/**
 * Partner (SaaS) event sources. A partner account creates a source for a customer account
 * (CreatePartnerEventSource); the customer sees it as an event source, PENDING until it creates the partner bus of
 * the same name (CreateEventBus with EventSourceName), ACTIVE from then on. PutPartnerEvents from the partner
 * reaches that bus while the source is ACTIVE. DeactivateEventSource puts it back to PENDING; a source PENDING for
 * more than two weeks is deleted (API_DeactivateEventSource). A source the partner deletes while the customer has
 * its bus stays visible to the customer as DELETED (API_EventSource).
 */

/** API_CreatePartnerEventSource Name: aws.partner/<partner>/<…>, 1–256. */
const SOURCE_NAME_PATTERN = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;
const SOURCE_NAME_MAX = 256;
const ACCOUNT_PATTERN = /^\d{12}$/;
/** A source PENDING for more than two weeks is deleted. */
const PENDING_LIFETIME_MS = 14 * 86_400_000;

const seconds = (ms: number): number => ms / 1000;
const sourceName = (name: string | undefined, member = 'name'): string => checkName(name, member, SOURCE_NAME_MAX, SOURCE_NAME_PATTERN);
/** Event source ARNs carry no account: arn:aws:events:<region>::event-source/<name>. */
const sourceArn = (region: string, name: string): string => `arn:aws:events:${region}::event-source/${name}`;
/** CreatedBy: "the name of the partner that created the event source", the name's second segment. */
const partnerOf = (name: string): string => name.split('/')[1]!;
const sourceNotFound = (name: string): AwsError => new AwsError('EventsResourceNotFound', `Event source ${name} does not exist.`);
const pending = (source: PartnerSourceRecord, now: number): PartnerSourceRecord => ({ ...source, state: 'PENDING', expiresAt: now + PENDING_LIFETIME_MS });

/** The source as it stands at `now`: undefined once it has been PENDING past its expiry (and it is deleted then). */
async function live(rt: EventsRuntime, source: PartnerSourceRecord | undefined, now: number): Promise<PartnerSourceRecord | undefined> {
  if (!source) return undefined;
  if (source.state === 'PENDING' && source.expiresAt !== undefined && source.expiresAt <= now) {
    await rt.store.deletePartnerSource(source.region, source.name, source.accountId);
    return undefined;
  }
  return source;
}

async function liveAll(rt: EventsRuntime, sources: PartnerSourceRecord[]): Promise<PartnerSourceRecord[]> {
  const now = rt.clock.now();
  const out: PartnerSourceRecord[] = [];
  for (const s of sources) {
    const kept = await live(rt, s, now);
    if (kept) out.push(kept);
  }
  return out;
}

const partnerBusArn = (source: PartnerSourceRecord): string => busArn({ accountId: source.accountId, region: source.region, name: source.name });

function eventSourceOut(s: PartnerSourceRecord) {
  return {
    Arn: sourceArn(s.region, s.name),
    CreatedBy: partnerOf(s.name),
    CreationTime: seconds(s.createdAt),
    ...(s.state === 'PENDING' && s.expiresAt !== undefined ? { ExpirationTime: seconds(s.expiresAt) } : {}),
    Name: s.name,
    State: s.state,
  };
}

// The partner's side.

export async function createPartnerEventSource(rt: EventsRuntime, input: { Name?: string; Account?: string }, ctx: CallContext) {
  const name = sourceName(input.Name);
  if (input.Account === undefined) throw constraintError('null', 'account', 'Member must not be null');
  if (!ACCOUNT_PATTERN.test(input.Account)) throw constraintError(input.Account, 'account', 'Member must satisfy regular expression pattern: \\d{12}');
  const now = rt.clock.now();
  const existing = await live(rt, await rt.store.getPartnerSource(ctx.region, name, input.Account), now);
  if (existing) throw new AwsError('EventsResourceAlreadyExists', `Event source ${name} already exists.`);
  const source: PartnerSourceRecord = pending(
    { region: ctx.region, name, accountId: input.Account, partnerAccountId: ctx.accountId, state: 'PENDING', createdAt: now },
    now,
  );
  if (!(await rt.store.createPartnerSource(source))) throw new AwsError('EventsResourceAlreadyExists', `Event source ${name} already exists.`);
  return { EventSourceArn: sourceArn(ctx.region, name) };
}

/** The caller's (partner's) sources of that name, one per customer account, DELETED ones left out. */
async function ownSources(rt: EventsRuntime, ctx: CallContext, name: string): Promise<PartnerSourceRecord[]> {
  const all = await liveAll(rt, await rt.store.partnerSourceAccounts(ctx.region, name, undefined, Number.MAX_SAFE_INTEGER));
  return all.filter((s) => s.partnerAccountId === ctx.accountId && s.state !== 'DELETED');
}

export async function describePartnerEventSource(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  const name = sourceName(input.Name);
  if (!(await ownSources(rt, ctx, name)).length) throw sourceNotFound(name);
  return { Arn: sourceArn(ctx.region, name), Name: name };
}

export async function listPartnerEventSources(rt: EventsRuntime, input: { NamePrefix?: string; NextToken?: string; Limit?: number }, ctx: CallContext) {
  if (input.NamePrefix === undefined) throw constraintError('null', 'namePrefix', 'Member must not be null');
  const { limit, after } = pageRequest(input);
  const names = await rt.store.partnerSourceNames(ctx.accountId, ctx.region, input.NamePrefix, after, limit + 1);
  const { page, next } = pageOf(names, limit, (n) => n);
  return { PartnerEventSources: page.map((Name) => ({ Arn: sourceArn(ctx.region, Name), Name })), ...next };
}

export async function listPartnerEventSourceAccounts(rt: EventsRuntime, input: { EventSourceName?: string; NextToken?: string; Limit?: number }, ctx: CallContext) {
  const name = sourceName(input.EventSourceName, 'eventSourceName');
  const { limit, after } = pageRequest(input);
  const rows = (await liveAll(rt, await rt.store.partnerSourceAccounts(ctx.region, name, after, limit + 1))).filter((s) => s.partnerAccountId === ctx.accountId);
  if (!rows.length && after === undefined) throw sourceNotFound(name);
  const { page, next } = pageOf(rows, limit, (s) => s.accountId);
  return {
    PartnerEventSourceAccounts: page.map((s) => ({
      Account: s.accountId,
      CreationTime: seconds(s.createdAt),
      ...(s.state === 'PENDING' && s.expiresAt !== undefined ? { ExpirationTime: seconds(s.expiresAt) } : {}),
      State: s.state,
    })),
    ...next,
  };
}

/**
 * DeletePartnerEventSource (AWS declares no not-found error: deleting what is not there succeeds). A customer that
 * created the partner bus keeps seeing the source, DELETED; otherwise it goes.
 */
export async function deletePartnerEventSource(rt: EventsRuntime, input: { Name?: string; Account?: string }, ctx: CallContext) {
  const name = sourceName(input.Name);
  if (input.Account === undefined) throw constraintError('null', 'account', 'Member must not be null');
  const source = await rt.store.getPartnerSource(ctx.region, name, input.Account);
  if (!source || source.partnerAccountId !== ctx.accountId) return {};
  if (await rt.store.getBus(partnerBusArn(source))) {
    const { expiresAt: _gone, ...rest } = source;
    await rt.store.updatePartnerSource({ ...rest, state: 'DELETED' });
  } else {
    await rt.store.deletePartnerSource(source.region, source.name, source.accountId);
  }
  return {};
}

/**
 * PutPartnerEvents: each entry's Source names one of the caller's partner event sources; the event goes to the
 * partner bus of every account the source is ACTIVE for, through the same routing as PutEvents. Events of a source
 * that is PENDING (no bus yet, or deactivated) are accepted and dropped, as PutEvents drops events for a bus that
 * does not exist.
 */
export async function putPartnerEvents(rt: EventsRuntime, input: { Entries?: PutEventsRequestEntry[] }, ctx: CallContext) {
  const entries = input.Entries;
  if (!entries) throw constraintError('null', 'entries', 'Member must not be null');
  if (entries.length < 1) throw constraintError('[]', 'entries', 'Member must have length greater than or equal to 1');
  if (entries.length > L.PUT_EVENTS_ENTRIES_MAX) throw constraintError('[…]', 'entries', `Member must have length less than or equal to ${L.PUT_EVENTS_ENTRIES_MAX}`);
  if (entries.reduce((sum, e) => sum + entrySize(e), 0) > L.PUT_EVENTS_SIZE_MAX) throw validation('Total size of the entries in the request is over the limit.');
  const now = rt.clock.now();
  const results: PutEventsResultEntry[] = [];
  const events: AcceptedEvent[] = [];
  const sourcesByName = new Map<string, PartnerSourceRecord[]>();
  for (const e of entries) {
    const failure = entryFailure(e);
    if (failure) {
      results.push(failure);
      continue;
    }
    let sources = sourcesByName.get(e.Source!);
    if (!sources) {
      sources = SOURCE_NAME_PATTERN.test(e.Source!) ? await ownSources(rt, ctx, e.Source!) : [];
      sourcesByName.set(e.Source!, sources);
    }
    if (!sources.length) {
      results.push({ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' });
      continue;
    }
    const id = newMessageId();
    results.push({ EventId: id });
    const time = e.Time === undefined ? now : typeof e.Time === 'number' ? e.Time * 1000 : Date.parse(e.Time);
    for (const source of sources) {
      if (source.state !== 'ACTIVE') continue;
      const bus = { accountId: source.accountId, region: source.region, name: source.name };
      const event = buildEvent({
        id,
        detailType: e.DetailType!,
        source: e.Source!,
        account: source.accountId,
        time: Number.isFinite(time) ? time : now,
        region: source.region,
        resources: e.Resources ?? [],
        detail: JSON.parse(e.Detail!) as Record<string, unknown>,
      });
      events.push({ bus, event });
    }
  }
  await routeAndCommit(rt, events, ctx, now);
  return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
}

/** The per-entry checks PutEvents makes (API_PutPartnerEventsRequestEntry): Source, DetailType, Detail as a JSON object. */
function entryFailure(e: PutEventsRequestEntry): PutEventsResultEntry | undefined {
  for (const member of ['Source', 'DetailType', 'Detail'] as const) {
    if (!e[member]) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail!);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}

// The customer's side.

async function findEventSource(rt: EventsRuntime, ctx: CallContext, name: string): Promise<PartnerSourceRecord> {
  const source = await live(rt, await rt.store.getPartnerSource(ctx.region, name, ctx.accountId), rt.clock.now());
  if (!source) throw sourceNotFound(name);
  return source;
}

export async function describeEventSource(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  return eventSourceOut(await findEventSource(rt, ctx, sourceName(input.Name)));
}

export async function listEventSources(rt: EventsRuntime, input: { NamePrefix?: string; NextToken?: string; Limit?: number }, ctx: CallContext) {
  const { limit, after } = pageRequest(input);
  const rows = await liveAll(rt, await rt.store.eventSourcesOf(ctx.accountId, ctx.region, input.NamePrefix ?? '', after, limit + 1));
  const { page, next } = pageOf(rows, limit, (s) => s.name);
  return { EventSources: page.map(eventSourceOut), ...next };
}

/** ActivateEventSource: a PENDING source whose partner bus exists becomes ACTIVE again. */
export async function activateEventSource(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  const source = await findEventSource(rt, ctx, sourceName(input.Name));
  if (source.state !== 'PENDING' || !(await rt.store.getBus(partnerBusArn(source)))) {
    throw new AwsError('EventsInvalidState', `Event source ${source.name} is in state ${source.state} and cannot be activated.`);
  }
  const { expiresAt: _none, ...rest } = source;
  await rt.store.updatePartnerSource({ ...rest, state: 'ACTIVE' });
  return {};
}

/** DeactivateEventSource: an ACTIVE source goes PENDING (its bus stays). */
export async function deactivateEventSource(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  const source = await findEventSource(rt, ctx, sourceName(input.Name));
  if (source.state !== 'ACTIVE') throw new AwsError('EventsInvalidState', `Event source ${source.name} is in state ${source.state} and cannot be deactivated.`);
  await rt.store.updatePartnerSource(pending(source, rt.clock.now()));
  return {};
}

/**
 * CreateEventBus for a partner bus (a name with `/`, or EventSourceName given): the name must be the event
 * source's, and the source must exist for the caller's account and not have a bus yet. Answers the source, which
 * `partnerBusCreated` makes ACTIVE once the bus is stored.
 */
export async function partnerBusSource(rt: EventsRuntime, ctx: CallContext, name: string, eventSourceName: string | undefined): Promise<PartnerSourceRecord> {
  if (eventSourceName === undefined) throw validation('Event bus name must not contain \'/\'.');
  if (eventSourceName !== name) throw validation(`Event bus name ${name} must match the event source name ${eventSourceName}.`);
  const source = await live(rt, await rt.store.getPartnerSource(ctx.region, eventSourceName, ctx.accountId), rt.clock.now());
  if (!source || source.state === 'DELETED') throw sourceNotFound(eventSourceName);
  return source;
}

export async function partnerBusCreated(rt: EventsRuntime, source: PartnerSourceRecord): Promise<void> {
  const { expiresAt: _none, ...rest } = source;
  await rt.store.updatePartnerSource({ ...rest, state: 'ACTIVE' });
}

/** DeleteEventBus of a partner bus: its source is PENDING again (or gone, if the partner had deleted it). */
export async function partnerBusDeleted(rt: EventsRuntime, bus: EventBusRecord): Promise<void> {
  if (bus.eventSourceName === undefined) return;
  const source = await rt.store.getPartnerSource(bus.region, bus.eventSourceName, bus.accountId);
  if (!source) return;
  if (source.state === 'DELETED') await rt.store.deletePartnerSource(source.region, source.name, source.accountId);
  else await rt.store.updatePartnerSource(pending(source, rt.clock.now()));
}
