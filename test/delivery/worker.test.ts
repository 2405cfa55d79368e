/**
 * The durable delivery worker (src/delivery): jobs in an internal queue, attempted until done, retried at the time
 * the attempt names, picked up again by a new worker after a crash — on both engines, with a ManualClock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.js';
import { internalQueue, jobMessage, INTERNAL_ACCOUNT } from '../../src/delivery/internal-queue.js';
import { DeliveryWorker, type AttemptOutcome, type JobContext } from '../../src/delivery/worker.js';
import type { Store } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import { openScratchStore } from '../support/postgres.js';

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 0, 1);

/** Lets the worker's promise chains run (it does I/O on PostgreSQL), without moving the manual clock. */
async function until(check: () => boolean, what: string, clock?: ManualClock): Promise<void> {
  // A deadline in wall time, generous for a loaded machine (a count of short pauses flaked at load average 14).
  // With a clock, each look also fires its due timers: a worker that arms its timer only after the test moved the
  // clock (its store writes were slow) sets it for "now", which a manual clock fires on its next move, not before.
  for (const deadline = Date.now() + 20_000; !check() && Date.now() < deadline; ) {
    clock?.advance(0);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(check(), `timed out waiting for ${what}`);
}

interface Job {
  n: number;
}

function defineWorkerSuite(engine: string, open: () => Promise<Store>): void {
  describe(`delivery worker on ${engine}`, () => {
    test('attempts each job once when it succeeds, and deletes it', async () => {
      const store = await open();
      const clock = new ManualClock(T0);
      const queue = await internalQueue(store, 'us-east-1', 'test-jobs', T0);
      assert.equal(queue.accountId, INTERNAL_ACCOUNT);
      await store.send(queue, [1, 2, 3].map((n) => jobMessage({ n }, T0)));
      const seen: number[] = [];
      const worker = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        queue: async () => queue,
        attempt: async (job) => {
          seen.push(job.n);
          return { kind: 'done' };
        },
      });
      worker.start();
      await until(() => seen.length === 3, 'three attempts');
      await worker.stop();
      assert.deepEqual(seen.sort(), [1, 2, 3]);
      assert.deepEqual(await store.counts(queue.id, clock.now()), { visible: 0, inflight: 0, delayed: 0 });
      await store.close();
    });

    test('retries at the time the attempt names, counting attempts', async () => {
      const store = await open();
      const clock = new ManualClock(T0);
      const queue = await internalQueue(store, 'us-east-1', 'retry-jobs', T0);
      const attempts: JobContext[] = [];
      const worker = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        queue: async () => queue,
        attempt: async (_job, ctx): Promise<AttemptOutcome> => {
          attempts.push(ctx);
          return ctx.attempt < 3 ? { kind: 'retry', at: ctx.now + 20_000 } : { kind: 'done' };
        },
      });
      worker.start();
      await store.send(queue, [jobMessage({ n: 1 }, T0)]);
      worker.kick();
      await until(() => attempts.length === 1, 'the first attempt');
      // Not before its time: 19.9 s later nothing has happened.
      await new Promise((r) => setTimeout(r, 30));
      clock.advance(19_900);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(attempts.length, 1);
      clock.advance(100);
      await until(() => attempts.length >= 2, 'the second attempt', clock);
      assert.deepEqual(attempts.map((a) => a.attempt), [1, 2], 'one attempt each');
      await new Promise((r) => setTimeout(r, 30));
      clock.advance(20_000);
      await until(() => attempts.length >= 3, 'the third attempt', clock);
      assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3], 'one attempt each');
      await worker.stop();
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.now - T0, a.enqueuedAt]),
        [
          [1, 0, T0],
          [2, 20_000, T0],
          [3, 40_000, T0],
        ],
      );
      assert.equal((await store.counts(queue.id, clock.now())).visible + (await store.counts(queue.id, clock.now())).inflight, 0);
      await store.close();
    });

    test('a job whose worker died mid-attempt is attempted again after the attempt timeout', async () => {
      const store = await open();
      const clock = new ManualClock(T0);
      const queue = await internalQueue(store, 'us-east-1', 'crash-jobs', T0);
      await store.send(queue, [jobMessage({ n: 7 }, T0)]);
      let started = 0;
      const hung = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        attemptTimeoutMs: 30_000,
        // One slot, held by the attempt that never ends: this worker takes nothing more, as a dead node would not.
        concurrency: 1,
        queue: async () => queue,
        attempt: () => {
          started++;
          return new Promise<AttemptOutcome>(() => {}); // never answers: the node died
        },
      });
      hung.start();
      await until(() => started === 1, 'the hung attempt');
      const done: JobContext[] = [];
      const survivor = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        queue: async () => queue,
        attempt: async (_job, ctx) => {
          done.push(ctx);
          return { kind: 'done' };
        },
      });
      survivor.start();
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(done.length, 0, 'hidden while the first attempt may still be running');
      clock.advance(30_000);
      // The survivor may arm its idle timer only after the advance (a slow database): keep time moving a little.
      for (let i = 0; i < 50 && done.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        clock.advance(1_000);
      }
      await until(() => done.length === 1, 'the retry on the surviving worker');
      // The attempt that never finished did not count: this is still the first (worker.ts).
      assert.equal(done[0]!.attempt, 1);
      assert.equal(done[0]!.enqueuedAt, T0);
      await survivor.stop();
      await store.close();
    });

    test('a kick while every slot is busy waits for a slot instead of spinning', async () => {
      const store = await open();
      const clock = new ManualClock(T0);
      const queue = await internalQueue(store, 'us-east-1', 'full-jobs', T0);
      await store.send(queue, [jobMessage({ n: 1 }, T0), jobMessage({ n: 2 }, T0)]);
      let release: () => void = () => {};
      const seen: number[] = [];
      const worker = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        concurrency: 1,
        queue: async () => queue,
        attempt: (job) => {
          seen.push(job.n);
          return job.n === seen[0] && seen.length === 1
            ? new Promise<AttemptOutcome>((resolve) => (release = () => resolve({ kind: 'done' })))
            : Promise.resolve({ kind: 'done' });
        },
      });
      worker.start();
      await until(() => seen.length === 1, 'the first attempt');
      worker.kick(); // new work announced while the only slot is busy
      clock.advance(1_000);
      // The event loop must still turn (a spinning drain would never let this timer fire).
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(seen.length, 1);
      release();
      await until(() => seen.length === 2, 'the second job once the slot freed');
      await worker.stop();
      await store.close();
    });

    test('a deferral is not an attempt: the attempt number counts only retries', async () => {
      const store = await open();
      const clock = new ManualClock(T0);
      const queue = await internalQueue(store, 'us-east-1', 'defer-jobs', T0);
      const attempts: number[] = [];
      const worker = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        queue: async () => queue,
        attempt: async (_job, ctx): Promise<AttemptOutcome> => {
          attempts.push(ctx.attempt);
          assert.equal(ctx.enqueuedAt, T0);
          if (attempts.length <= 2) return { kind: 'defer', at: ctx.now + 1_000 };
          if (attempts.length === 3) return { kind: 'retry', at: ctx.now + 1_000 };
          return { kind: 'done' };
        },
      });
      await store.send(queue, [jobMessage({ n: 1 }, T0)]);
      worker.start();
      for (let n = 1; n <= 4; n++) {
        await until(() => attempts.length >= n, `look ${n}`, clock);
        assert.equal(attempts.length, n, `one look at a time: ${JSON.stringify(attempts)}`);
        await new Promise((r) => setTimeout(r, 20));
        clock.advance(1_000);
      }
      await worker.stop();
      assert.deepEqual(attempts, [1, 1, 1, 2]);
      const c = await store.counts(queue.id, clock.now());
      assert.equal(c.visible + c.inflight + c.delayed, 0);
      await store.close();
    });

    test('a pool: one attempt that hangs holds one slot, and the other jobs go on through the rest', async () => {
      const store = await open();
      const clock = new ManualClock(T0);
      const queue = await internalQueue(store, 'us-east-1', 'pool-jobs', T0);
      await store.send(queue, [0, 1, 2, 3, 4, 5].map((n) => jobMessage({ n }, T0)));
      const done: number[] = [];
      let release: () => void = () => {};
      let hung = 0;
      const worker = new DeliveryWorker<Job>({
        store,
        clock,
        logger,
        concurrency: 2,
        queue: async () => queue,
        attempt: async (job): Promise<AttemptOutcome> => {
          if (hung === 0) {
            hung = job.n + 1;
            await new Promise<void>((r) => (release = r));
          }
          done.push(job.n);
          return { kind: 'done' };
        },
      });
      worker.start();
      await until(() => done.length === 5, 'the five other jobs, through the one free slot');
      assert.ok(!done.includes(hung - 1), 'the hung job is still running');
      // stop() waits for the attempt in progress.
      let stopped = false;
      const stopping = worker.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(stopped, false);
      release();
      await stopping;
      assert.equal(done.length, 6);
      await store.close();
    });

    test('internal queues are not listed to clients', async () => {
      const store = await open();
      await internalQueue(store, 'us-east-1', 'hidden-jobs', T0);
      assert.deepEqual(await store.listQueues('000000000000', 'us-east-1', '', undefined, 100), []);
      await store.close();
    });
  });
}

defineWorkerSuite('sqlite', async () => new SqliteStore({ path: ':memory:' }));
defineWorkerSuite('postgres', () => openScratchStore());
