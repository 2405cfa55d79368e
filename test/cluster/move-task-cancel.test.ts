/**
 * A message move task cancelled while the leader is in the middle of a step (CancelMessageMoveTask served by
 * another node): the step's own write must not bring the task back to RUNNING.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.js';
import type { MoveDestination, MoveTaskRecord } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/engine.js';
import { stepMoveTasks } from '../../src/sqs/move-tasks.js';
import { ReceiveWaiters } from '../../src/sqs/receive-waiters.js';
import type { SqsRuntime } from '../../src/sqs/runtime.js';
import { message, queueInput } from '../store/contract-suite.js';

test('a cancel that lands during a step wins over the step', async () => {
  const clock = new ManualClock();
  const store = new SqliteStore({ path: ':memory:' });
  try {
    const dlq = (await store.createQueue(queueInput('dlq'))).queue;
    const dest = (await store.createQueue(queueInput('dest'))).queue;
    await store.send(dlq, Array.from({ length: 20 }, (_, i) => message(`m${i}`, clock.now())));
    const task: MoveTaskRecord = {
      taskHandle: 'handle',
      sourceArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      destinationArn: 'arn:aws:sqs:us-east-1:000000000000:dest',
      maxPerSecond: 5,
      status: 'RUNNING',
      startedAt: clock.now(),
      moved: 0,
      toMove: 20,
    };
    await store.saveMoveTask(task);
    // The cancel arrives while the step is moving messages.
    const moveMessages = store.moveMessages.bind(store);
    store.moveMessages = async (id: number, resolve: (arn: string | undefined) => MoveDestination | undefined, limit: number, now: number) => {
      const result = await moveMessages(id, resolve, limit, now);
      const current = (await store.getMoveTask('handle'))!;
      await store.saveMoveTask({ ...current, status: 'CANCELLING' });
      return result;
    };
    const rt: SqsRuntime = {
      store,
      clock,
      waiters: new ReceiveWaiters(clock),
      logger: pino({ level: 'silent' }),
      options: { strictDelays: false },
      deletedAt: new Map(),
      purgedAt: new Map(),
      kickMoveTasks: () => {},
    };
    await stepMoveTasks(rt);
    const after = (await store.getMoveTask('handle'))!;
    assert.equal(after.status, 'CANCELLED', 'the step overwrote the cancel');
    assert.equal(after.moved, 5, 'what the step moved is recorded');
    assert.equal((await store.counts(dest.id, clock.now())).visible, 5);
    // Nothing more moves.
    clock.advance(1_000);
    await stepMoveTasks(rt);
    assert.equal((await store.counts(dest.id, clock.now())).visible, 5);
  } finally {
    await store.close();
  }
});
