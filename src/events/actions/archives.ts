import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { ArchiveRecord } from '../../store/events-contract.js';
import { archiveArn, parseBusArn } from '../arns.js';
import { findBus } from '../bus-ref.js';
import { checkName, constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';
import { checkEventPattern } from './rules.js';

interface ArchiveRequest {
  ArchiveName?: string;
  EventSourceArn?: string;
  Description?: string;
  EventPattern?: string;
  RetentionDays?: number;
}

const seconds = (ms: number): number => ms / 1000;
const archiveNotFound = (name: string): AwsError => new AwsError('EventsResourceNotFound', `Archive ${name} does not exist.`);
const archiveName = (name: string | undefined): string => checkName(name, 'archiveName', L.ARCHIVE_NAME_MAX, L.ARCHIVE_NAME_PATTERN);

/** Checks the members CreateArchive and UpdateArchive share. */
function checkSettable(input: ArchiveRequest): void {
  if (input.Description !== undefined && input.Description.length > L.DESCRIPTION_MAX) {
    throw constraintError(input.Description, 'description', `Member must have length less than or equal to ${L.DESCRIPTION_MAX}`);
  }
  if (input.RetentionDays !== undefined && input.RetentionDays < 0) {
    throw constraintError(input.RetentionDays, 'retentionDays', 'Member must have value greater than or equal to 0');
  }
  if (input.EventPattern !== undefined) checkEventPattern(input.EventPattern);
}

async function findArchive(rt: EventsRuntime, ctx: CallContext, name: string): Promise<ArchiveRecord> {
  const archive = await rt.store.getArchive(archiveArn(ctx, name));
  if (!archive) throw archiveNotFound(name);
  return archive;
}

/**
 * Archives keep the events of one bus that their pattern (if any) matches, from their creation on, written in the
 * same transaction as the PutEvents call's deliveries. They are always ENABLED (AWS's CREATING/UPDATING are
 * instantaneous here).
 */
export async function createArchive(rt: EventsRuntime, input: ArchiveRequest, ctx: CallContext) {
  const name = archiveName(input.ArchiveName);
  if (!input.EventSourceArn) throw constraintError('null', 'eventSourceArn', 'Member must not be null');
  checkSettable(input);
  const busKey = parseBusArn(input.EventSourceArn);
  if (!busKey) throw validation(`Parameter EventSourceArn is not valid. Reason: ${input.EventSourceArn} is not an event bus ARN.`);
  const bus = await findBus(rt, busKey);
  const archive: ArchiveRecord = {
    arn: archiveArn(ctx, name),
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    busArn: bus.arn,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
    retentionDays: input.RetentionDays ?? 0,
    createdAt: rt.clock.now(),
  };
  if (!(await rt.store.createArchive(archive))) throw new AwsError('EventsResourceAlreadyExists', `Archive ${name} already exists.`);
  rt.routes.invalidate(bus.arn);
  return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: seconds(archive.createdAt) };
}

export async function describeArchive(rt: EventsRuntime, input: ArchiveRequest, ctx: CallContext) {
  const archive = await findArchive(rt, ctx, archiveName(input.ArchiveName));
  const stats = await rt.store.archiveStats(archive.arn, rt.clock.now());
  return {
    ArchiveArn: archive.arn,
    ArchiveName: archive.name,
    EventSourceArn: archive.busArn,
    ...(archive.description !== undefined ? { Description: archive.description } : {}),
    ...(archive.eventPattern !== undefined ? { EventPattern: archive.eventPattern } : {}),
    State: 'ENABLED',
    RetentionDays: archive.retentionDays,
    SizeBytes: stats.sizeBytes,
    EventCount: stats.eventCount,
    CreationTime: seconds(archive.createdAt),
  };
}

export async function listArchives(
  rt: EventsRuntime,
  input: { NamePrefix?: string; EventSourceArn?: string; State?: string; NextToken?: string; Limit?: number },
  ctx: CallContext,
) {
  const { limit, after } = pageRequest(input);
  if (input.State !== undefined && !(L.ARCHIVE_STATES as readonly string[]).includes(input.State)) {
    throw constraintError(input.State, 'state', `Member must satisfy enum value set: [${L.ARCHIVE_STATES.join(', ')}]`);
  }
  // Every archive is ENABLED: any other state filter finds none.
  const archives =
    input.State === undefined || input.State === 'ENABLED'
      ? await rt.store.listArchives(ctx.accountId, ctx.region, input.NamePrefix ?? '', input.EventSourceArn, after, limit + 1)
      : [];
  const { page, next } = pageOf(archives, limit, (a) => a.name);
  const now = rt.clock.now();
  const out = [];
  for (const a of page) {
    const stats = await rt.store.archiveStats(a.arn, now);
    out.push({
      ArchiveName: a.name,
      EventSourceArn: a.busArn,
      State: 'ENABLED',
      RetentionDays: a.retentionDays,
      SizeBytes: stats.sizeBytes,
      EventCount: stats.eventCount,
      CreationTime: seconds(a.createdAt),
    });
  }
  return { Archives: out, ...next };
}

export async function updateArchive(rt: EventsRuntime, input: ArchiveRequest, ctx: CallContext) {
  const archive = await findArchive(rt, ctx, archiveName(input.ArchiveName));
  checkSettable(input);
  const updated: ArchiveRecord = {
    ...archive,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
    ...(input.RetentionDays !== undefined ? { retentionDays: input.RetentionDays } : {}),
  };
  await rt.store.updateArchive(updated);
  rt.routes.invalidate(archive.busArn);
  return { ArchiveArn: updated.arn, State: 'ENABLED', CreationTime: seconds(updated.createdAt) };
}

export async function deleteArchive(rt: EventsRuntime, input: ArchiveRequest, ctx: CallContext) {
  const archive = await findArchive(rt, ctx, archiveName(input.ArchiveName));
  await rt.store.deleteArchive(archive.arn);
  rt.routes.invalidate(archive.busArn);
  return {};
}
