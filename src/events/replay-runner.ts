import { newRequestId, randomToken } from '../core/ids.js';
import type { CallContext } from '../core/service.js';
import type { ReplayRecord, ReplayState } from '../store/events-contract.js';
import { routeAndCommit, type AcceptedEvent } from './actions/put-events.js';
import { parseBusArn } from './arns.js';
import { isoSeconds, type EventEnvelope } from './envelope.js';
import type { EventsRuntime } from './runtime.js';

/** Events one replay step reads from the archive and routes in one commit. */
export const REPLAY_BATCH = 100;
/** Clock time between two steps of a replay (0: as soon as the previous one is written, on the injected clock). */
export const REPLAY_STEP_MS = 0;

/** A replayed event: the archived envelope with the replay's name added, as AWS adds it. */
type ReplayedEvent = EventEnvelope & { readonly 'replay-name': string };

const ACTIVE: readonly ReplayState[] = ['STARTING', 'RUNNING'];

/**
 * How long a node's right to run a replay lasts without a step renewing it. Another node's runner looks again after
 * this long, and takes the replay over if the holder has gone.
 */
export const REPLAY_LEASE_MS = 30_000;

/** Leases on replays, in a store shared by several nodes: who may run a replay's next step (compare-and-set). */
export interface ReplayLeases {
  /** Takes or renews the lease for `owner` until `now + ttlMs`; false while another owner's lease runs. */
  claimReplay(arn: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
}

/** The window's bounds as envelope time texts: events of [start, end) to the second (envelope times have no milliseconds). */
export const windowTexts = (r: ReplayRecord): { from: string; to: string } => ({
  from: isoSeconds(Math.ceil(r.eventStartTime / 1000) * 1000),
  to: isoSeconds(Math.ceil(r.eventEndTime / 1000) * 1000),
});

/**
 * Runs replays in the background, on the injected clock: each step reads the next batch of archived events of the
 * replay's window in event-time order (AWS replays "based on the time in the event"), routes them to the
 * destination bus through the same path as PutEvents (`routeAndCommit`), then records how far it got. State lives in
 * the store, so a RUNNING replay carries on from its cursor after a restart; a batch interrupted before its progress
 * was written is routed again (at-least-once, as AWS's delivery is; FIFO targets drop the repeat by event id).
 */
export class ReplayRunner {
  private readonly timers = new Map<string, () => void>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  /** This runner's name in replay leases. */
  private readonly owner = randomToken(12);

  constructor(
    private readonly rt: EventsRuntime,
    /**
     * With several nodes on one store, every node's runner sees every unfinished replay (after StartReplay's node
     * kicked it, or on start): a lease lets one node route a replay's batches, so no batch is routed once per node.
     * Absent when this process is the store's only user (SQLite).
     */
    private readonly leases?: ReplayLeases,
  ) {}

  /** Picks up the replays a previous run left unfinished. */
  async start(): Promise<void> {
    for (const replay of await this.rt.store.unfinishedReplays()) this.kick(replay.arn);
  }

  /** Schedules a step of the replay (after StartReplay, CancelReplay, or the previous step). */
  kick(arn: string, delayMs = REPLAY_STEP_MS): void {
    if (this.stopped || this.timers.has(arn)) return;
    const cancel = this.rt.clock.setTimer(delayMs, () => {
      this.timers.delete(arn);
      const previous = this.running.get(arn) ?? Promise.resolve();
      const next = previous
        .then(() => this.step(arn))
        .catch((err: unknown) => this.rt.logger.error({ err, replay: arn }, 'replay step failed'))
        .finally(() => {
          if (this.running.get(arn) === next) this.running.delete(arn);
        });
      this.running.set(arn, next);
    });
    this.timers.set(arn, cancel);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    await Promise.all([...this.running.values()]);
  }

  private async step(arn: string): Promise<void> {
    if (this.stopped) return;
    const { store, clock } = this.rt;
    const replay = await store.getReplay(arn);
    if (!replay) return;
    const now = clock.now();
    // Finishing a cancel needs no lease: updateReplay's compare-and-set lets one node do it.
    if (this.leases && ACTIVE.includes(replay.state)) {
      if (!(await this.leases.claimReplay(arn, this.owner, now, REPLAY_LEASE_MS))) {
        // Another node runs it: look again once its lease would have run out, in case that node is gone.
        this.kick(arn, REPLAY_LEASE_MS);
        return;
      }
    }
    if (replay.state === 'CANCELLING') {
      await store.updateReplay({ ...replay, state: 'CANCELLED', replayEndTime: now }, 'CANCELLING');
      return;
    }
    if (!ACTIVE.includes(replay.state)) return;

    const archive = await store.getArchive(replay.archiveArn);
    const busKey = parseBusArn(replay.destination.Arn);
    const bus = busKey && (await store.getBus(replay.destination.Arn));
    if (!archive || !bus || !busKey) {
      // The archive or the bus went away under the replay.
      const reason = !archive ? `Archive ${replay.archiveArn.split('/').pop()} does not exist.` : `Event bus ${busKey?.name ?? replay.destination.Arn} does not exist.`;
      await store.updateReplay({ ...replay, state: 'FAILED', stateReason: reason, replayEndTime: now }, replay.state);
      return;
    }

    const { from, to } = windowTexts(replay);
    const rows = await store.archivedEventsInWindow(replay.archiveArn, from, to, replay.cursor, now, REPLAY_BATCH);
    if (rows.length) {
      const events: AcceptedEvent[] = rows.map((row) => {
        const event: ReplayedEvent = { ...(JSON.parse(row.event) as EventEnvelope), 'replay-name': replay.name };
        return { bus: busKey, event };
      });
      const filter = replay.destination.FilterArns;
      await routeAndCommit(this.rt, events, replayContext(replay), now, filter?.length ? { onlyRules: new Set(filter) } : {});
    }
    const last = rows[rows.length - 1];
    const done = rows.length < REPLAY_BATCH;
    const progressed: ReplayRecord = {
      ...replay,
      state: done ? 'COMPLETED' : 'RUNNING',
      ...(last ? { cursor: { time: last.time, eventId: last.eventId }, eventLastReplayedTime: Date.parse(last.time) } : {}),
      ...(done ? { replayEndTime: now } : {}),
    };
    // Written only if nobody cancelled meanwhile; a cancel seen here is finished by the next step.
    const written = await store.updateReplay(progressed, replay.state);
    if (!done || !written) this.kick(arn);
  }
}

/** Deliveries of a replay act as its account, in its region. */
function replayContext(replay: ReplayRecord): CallContext {
  return { requestId: newRequestId(), region: replay.region, accountId: replay.accountId, host: 'localhost', path: '/', protocol: 'json', accessKeyId: undefined };
}
