import { MOVE_STEP_MS, stepMoveTasks } from './move-tasks.js';
import type { SqsRuntime } from './runtime.js';

/** How often expired messages are swept, and how many per sweep (receives skip expired ones in between). */
const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 1_000;

/**
 * The SQS work that no request drives: deleting messages past their retention period and advancing message move
 * tasks. Runs on the injected clock; each loop re-arms itself only after its step has finished.
 */
export class SqsBackground {
  private stopped = false;
  private cancels: (() => void)[] = [];
  private moveStep: Promise<void> = Promise.resolve();

  constructor(private readonly rt: SqsRuntime) {}

  start(): void {
    this.loop(SWEEP_INTERVAL_MS, () => this.sweep());
    this.loop(MOVE_STEP_MS, () => this.stepMoves());
  }

  /** Advances move tasks now (a task was just started or cancelled). */
  kick(): void {
    if (!this.stopped) void this.stepMoves();
  }

  private stepMoves(): Promise<void> {
    this.moveStep = this.moveStep.then(
      () => stepMoveTasks(this.rt).then(() => undefined),
      () => undefined,
    ).catch((err: unknown) => this.rt.logger.error({ err }, 'message move step failed'));
    return this.moveStep;
  }

  private async sweep(): Promise<void> {
    for (;;) {
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
    for (const c of this.cancels) c();
    this.cancels = [];
    await this.moveStep;
  }
}
