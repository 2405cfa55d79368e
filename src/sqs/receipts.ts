import { AwsError, invalidParameter } from '../core/errors.js';
import type { QueueRecord, ReceiptOutcome, ReceiptRef } from '../store/contract.js';
import * as L from './limits.js';
import { decodeReceipt, expiredReceipt, invalidReceipt } from './receipt.js';
import type { SqsRuntime } from './runtime.js';

/** One entry of a delete or visibility change: its handle, and the new timeout for a visibility change. */
export interface HandleEntry {
  handle: string | undefined;
  timeout?: number | undefined;
}

/** Per entry: undefined when it succeeded, else the error AWS gives for it. */
export type EntryOutcome = AwsError | undefined;

function checkHandle(queue: QueueRecord, handle: string | undefined): ReceiptRef {
  if (handle === undefined || handle === '') throw new AwsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  const r = decodeReceipt(handle);
  if (r.queueId !== queue.id) throw invalidReceipt(handle);
  return { rowId: r.rowId, token: r.token };
}

/**
 * Runs the store call for the entries whose handles are well formed (one transaction for all of them) and maps
 * every entry to its outcome, in order. Plain loops: this runs once per deleted message.
 */
async function forEntries<T extends ReceiptRef>(
  entries: HandleEntry[],
  prepare: (e: HandleEntry) => T,
  run: (refs: T[]) => Promise<ReceiptOutcome[]>,
  failure: (outcome: ReceiptOutcome, handle: string) => AwsError | undefined,
): Promise<EntryOutcome[]> {
  const outcomes: EntryOutcome[] = new Array(entries.length);
  const refs: T[] = [];
  const positions: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      refs.push(prepare(entries[i]!));
      positions.push(i);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      outcomes[i] = err;
    }
  }
  if (refs.length) {
    const results = await run(refs);
    for (let k = 0; k < results.length; k++) outcomes[positions[k]!] = failure(results[k]!, entries[positions[k]!]!.handle!);
  }
  return outcomes;
}

/** DeleteMessage for one or many handles. */
export async function deleteByHandles(rt: SqsRuntime, queue: QueueRecord, entries: HandleEntry[]): Promise<EntryOutcome[]> {
  const outcomes = await forEntries(
    entries,
    (e) => checkHandle(queue, e.handle),
    (refs) => rt.store.deleteMessages(queue.id, refs, rt.clock.now()),
    // AWS: deleting an already-deleted message succeeds; a FIFO queue refuses a handle whose receive has lapsed.
    (outcome, handle) => (outcome === 'stale' ? expiredReceipt(handle) : undefined),
  );
  // In a FIFO queue a delete may free the message's group: the next message of the group is receivable now.
  if (queue.fifo && outcomes.some((o) => o === undefined)) rt.waiters.notify(queue.id);
  return outcomes;
}

/** ChangeMessageVisibility for one or many handles. */
export async function changeVisibilityByHandles(rt: SqsRuntime, queue: QueueRecord, entries: HandleEntry[]): Promise<EntryOutcome[]> {
  const now = rt.clock.now();
  const outcomes = await forEntries(
    entries,
    (e) => {
      if (e.timeout === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
      if (e.timeout < 0 || e.timeout > L.VISIBILITY_TIMEOUT_MAX) {
        throw invalidParameter('VisibilityTimeout', e.timeout, `VisibilityTimeout must be an integer between 0 and ${L.VISIBILITY_TIMEOUT_MAX}.`);
      }
      return { ...checkHandle(queue, e.handle), visibleAt: now + e.timeout * 1000 };
    },
    (refs) => rt.store.changeVisibilities(queue.id, refs, now, L.VISIBILITY_TIMEOUT_MAX * 1000),
    (outcome, handle) => {
      if (outcome === 'ok') return undefined;
      // AWS caps a message's visibility at 12 hours from the receive that returned it.
      if (outcome === 'beyondLimit') {
        const timeout = entries.find((e) => e.handle === handle)?.timeout;
        return invalidParameter('VisibilityTimeout', timeout, `Total VisibilityTimeout for the message is beyond the limit [${L.VISIBILITY_TIMEOUT_MAX} seconds]`);
      }
      return invalidParameter('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change.');
    },
  );
  // A message made visible sooner (or a FIFO group freed) may be what a waiting long poll is waiting for; a waiter
  // woken for nothing just computes its next deadline again.
  if (outcomes.some((o) => o === undefined)) rt.waiters.notify(queue.id);
  return outcomes;
}
