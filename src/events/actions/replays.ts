import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { ReplayRecord, ReplayState } from '../../store/events-contract.js';
import { parseBusArn, parseRuleArn } from '../arns.js';
import { busNotFound, checkName, constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';

interface StartReplayRequest {
  ReplayName?: string;
  Description?: string;
  EventSourceArn?: string;
  /** Epoch seconds on the JSON wire (or an ISO 8601 string from hand-written clients). */
  EventStartTime?: number | string;
  EventEndTime?: number | string;
  Destination?: { Arn?: string; FilterArns?: string[] };
}

const REPLAY_NAME_MAX = 64;
const REPLAY_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const REPLAY_STATES: readonly ReplayState[] = ['STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED'];
/** "A maximum of 10 active concurrent replays per account per AWS Region" (eb-replay-archived-event). */
export const ACTIVE_REPLAYS_MAX = 10;

const seconds = (ms: number): number => ms / 1000;
const replayArn = (ctx: { accountId: string; region: string }, name: string): string => `arn:aws:events:${ctx.region}:${ctx.accountId}:replay/${name}`;
const replayName = (name: string | undefined): string => checkName(name, 'replayName', REPLAY_NAME_MAX, REPLAY_NAME_PATTERN);
const replayNotFound = (name: string): AwsError => new AwsError('EventsResourceNotFound', `Replay ${name} does not exist.`);
const timeOf = (value: number | string | undefined, member: string): number => {
  if (value === undefined) throw constraintError('null', member, 'Member must not be null');
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw validation(`Parameter ${member === 'eventStartTime' ? 'EventStartTime' : 'EventEndTime'} is not valid. Reason: not a timestamp.`);
  return ms;
};

async function findReplay(rt: EventsRuntime, ctx: CallContext, name: string): Promise<ReplayRecord> {
  const replay = await rt.store.getReplay(replayArn(ctx, name));
  if (!replay) throw replayNotFound(name);
  return replay;
}

/**
 * StartReplay, with AWS's checks in AWS's order (wording as AWS answers them, where known): the destination must be
 * an event bus ARN, the archive must exist, the bus must exist and be the archive's own ("Cross event bus replay is
 * not permitted."), the window must end after it starts and not in the future. The replay is stored STARTING and run
 * by the ReplayRunner in the background.
 */
export async function startReplay(rt: EventsRuntime, input: StartReplayRequest, ctx: CallContext) {
  const name = replayName(input.ReplayName);
  if (input.Description !== undefined && input.Description.length > L.DESCRIPTION_MAX) {
    throw constraintError(input.Description, 'description', `Member must have length less than or equal to ${L.DESCRIPTION_MAX}`);
  }
  if (!input.EventSourceArn) throw constraintError('null', 'eventSourceArn', 'Member must not be null');
  const start = timeOf(input.EventStartTime, 'eventStartTime');
  const end = timeOf(input.EventEndTime, 'eventEndTime');
  const destination = input.Destination;
  if (!destination?.Arn) throw constraintError('null', 'destination.arn', 'Member must not be null');
  const filterArns = destination.FilterArns;

  const busKey = parseBusArn(destination.Arn);
  if (!busKey) throw validation('Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.');
  const archiveName = input.EventSourceArn.split('/').pop() ?? '';
  const archive = await rt.store.getArchive(input.EventSourceArn);
  if (!archive || archive.accountId !== ctx.accountId || archive.region !== ctx.region) {
    throw validation(`Parameter EventSourceArn is not valid. Reason: Archive ${archiveName} does not exist.`);
  }
  if (!(await rt.store.getBus(destination.Arn))) throw busNotFound(busKey.name);
  if (destination.Arn !== archive.busArn) throw validation('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
  for (const arn of filterArns ?? []) {
    const rule = parseRuleArn(arn);
    if (!rule || `arn:aws:events:${rule.bus.region}:${rule.bus.accountId}:event-bus/${rule.bus.name}` !== archive.busArn) {
      throw validation(`Parameter Destination.FilterArns is not valid. Reason: ${arn} is not a rule of event bus ${busKey.name}.`);
    }
  }
  if (end <= start) throw validation('Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.');
  const now = rt.clock.now();
  if (end > now) throw validation('Parameter EventEndTime is not valid. Reason: EventEndTime must not be in the future.');

  const replay: ReplayRecord = {
    arn: replayArn(ctx, name),
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    archiveArn: archive.arn,
    destination: { Arn: destination.Arn, ...(filterArns?.length ? { FilterArns: filterArns } : {}) },
    eventStartTime: start,
    eventEndTime: end,
    state: 'STARTING',
    replayStartTime: now,
  };
  // Replay names are unique in the account and region, finished or not (AWS keeps finished replays listed).
  const created = await rt.store.createReplay(replay, ACTIVE_REPLAYS_MAX);
  if (created === 'exists') throw new AwsError('EventsResourceAlreadyExists', `Replay ${name} already exists.`);
  if (created === 'limit') throw new AwsError('EventsLimitExceeded', 'The requested resource exceeds the maximum number allowed.');
  rt.replays?.kick(replay.arn);
  return { ReplayArn: replay.arn, State: replay.state, ReplayStartTime: seconds(now) };
}

function replayOut(r: ReplayRecord) {
  return {
    ReplayName: r.name,
    EventSourceArn: r.archiveArn,
    State: r.state,
    ...(r.stateReason !== undefined ? { StateReason: r.stateReason } : {}),
    EventStartTime: seconds(r.eventStartTime),
    EventEndTime: seconds(r.eventEndTime),
    ...(r.eventLastReplayedTime !== undefined ? { EventLastReplayedTime: seconds(r.eventLastReplayedTime) } : {}),
    ReplayStartTime: seconds(r.replayStartTime),
    ...(r.replayEndTime !== undefined ? { ReplayEndTime: seconds(r.replayEndTime) } : {}),
  };
}

export async function describeReplay(rt: EventsRuntime, input: { ReplayName?: string }, ctx: CallContext) {
  const r = await findReplay(rt, ctx, replayName(input.ReplayName));
  return {
    ...replayOut(r),
    ReplayArn: r.arn,
    ...(r.description !== undefined ? { Description: r.description } : {}),
    Destination: r.destination,
  };
}

export async function listReplays(
  rt: EventsRuntime,
  input: { NamePrefix?: string; State?: string; EventSourceArn?: string; NextToken?: string; Limit?: number },
  ctx: CallContext,
) {
  const { limit, after } = pageRequest(input);
  if (input.State !== undefined && !(REPLAY_STATES as readonly string[]).includes(input.State)) {
    throw constraintError(input.State, 'state', `Member must satisfy enum value set: [${REPLAY_STATES.join(', ')}]`);
  }
  const rows = await rt.store.listReplays(
    ctx.accountId,
    ctx.region,
    { prefix: input.NamePrefix ?? '', ...(input.State !== undefined ? { state: input.State } : {}), ...(input.EventSourceArn !== undefined ? { archiveArn: input.EventSourceArn } : {}) },
    after,
    limit + 1,
  );
  const { page, next } = pageOf(rows, limit, (r) => r.name);
  return { Replays: page.map(replayOut), ...next };
}

/**
 * CancelReplay: a STARTING or RUNNING replay goes CANCELLING, and the runner's next step makes it CANCELLED (events
 * already replayed stay delivered). Any other state: IllegalStatusException.
 */
export async function cancelReplay(rt: EventsRuntime, input: { ReplayName?: string }, ctx: CallContext) {
  const name = replayName(input.ReplayName);
  for (;;) {
    const r = await findReplay(rt, ctx, name);
    if (r.state !== 'STARTING' && r.state !== 'RUNNING') {
      throw new AwsError('EventsIllegalStatus', `Replay ${name} is not in a valid state for this operation.`);
    }
    // Compare-and-set against the runner's own progress writes; a lost race reads the new state and tries again.
    if (await rt.store.updateReplay({ ...r, state: 'CANCELLING' }, r.state)) {
      rt.replays?.kick(r.arn);
      return { ReplayArn: r.arn, State: 'CANCELLING' };
    }
  }
}
