import type { LeaderLease } from '../store/leadership.js';
import { MOVE_STEP_MS, stepMoveTasks } from './move-tasks.js';
import type { SqsRuntime } from './runtime.js';

/** How often expired messages are swept, and how many per sweep (receives skip expired ones in between). */
const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 1_000;

/** The leadership role under which a node runs the SQS background work. */
export const SQS_BACKGROUND_ROLE = 'sqs-background';

/**
 * The SQS work that no request drives: deleting messages past their retention period and advancing message move
 * tasks. Runs on the injected clock; each loop re-arms itself only after its step has finished.
 *
 * Several nodes may share one storage: only the node holding the `sqs-background` lease does the work, so that
 * a move task moves MaxNumberOfMessagesPerSecond in all, not per node, and sweeps do not contend. The loops run on
 * every node and skip their step while the lease is elsewhere; a node that takes the lease over (the leader died)
 * steps at once, carrying on with the move tasks recorded in the store.
 */
export class SqsBackground {
  private stopped = false;
  private cancels: (() => void)[] = [];
  private moveStep: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly rt: SqsRuntime,
    private readonly lease: LeaderLease,
  ) {}

  start(): void {
    this.loop(SWEEP_INTERVAL_MS, () => this.sweep());
    this.loop(MOVE_STEP_MS, () => this.stepMoves());
    this.unwatch = this.lease.onChange((held) => {
      this.rt.logger.info({ role: this.lease.role, leader: held }, held ? 'took over background work' : 'background work is elsewhere now');
      if (held) this.kick();
    });
  }

  /** Advances move tasks now (a task was just started or cancelled); on a node that is not the leader, nothing. */
  kick(): void {
    if (!this.stopped && this.lease.held) void this.stepMoves(true);
  }

  /** `onlyNew`: an early step, for tasks that have not stepped yet (the others keep the regular rhythm). */
  private stepMoves(onlyNew = false): Promise<void> {
    this.moveStep = this.moveStep.then(
      // Checked when the step starts (not when it was queued): leadership may have moved meanwhile.
      () => (this.lease.held ? stepMoveTasks(this.rt, { onlyNew }).then(() => undefined) : undefined),
      () => undefined,
    ).catch((err: unknown) => this.rt.logger.error({ err }, 'message move step failed'));
    return this.moveStep;
  }

  private async sweep(): Promise<void> {
    for (;;) {
      if (!this.lease.held) break;
      const touched = await this.rt.store.deleteExpired(this.rt.clock.now(), SWEEP_BATCH);
      if (touched.length === 0) break;
      for (const id of touched) this.rt.waiters.notify(id);
      if (this.stopped) break;
    }
  }

  private loop(intervalMs: number, step: () => Promise<void>): void {
    const arm = () => {
      if (this.stopped) return;
      const cancel = this.rt.clock.setTimer(intervalMs, () => {
        this.cancels = this.cancels.filter((c) => c !== cancel);
        step()
          .catch((err: unknown) => this.rt.logger.error({ err }, 'background step failed'))
          .finally(arm);
      });
      this.cancels.push(cancel);
    };
    arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    for (const c of this.cancels) c();
    this.cancels = [];
    await this.moveStep;
  }
}
