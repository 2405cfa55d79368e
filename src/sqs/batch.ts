import { AwsError } from '../core/errors.js';
import * as L from './limits.js';
import type { BatchResultErrorEntry } from './types.js';

/** The checks that fail a whole batch request, in the order AWS applies them. */
export function checkBatchEntries(entries: { Id?: string }[] | undefined, entryName: string): { Id: string }[] {
  if (!entries || entries.length === 0) {
    throw new AwsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > L.BATCH_MAX_ENTRIES) {
    throw new AwsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${L.BATCH_MAX_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.Id === undefined || !L.BATCH_ID_PATTERN.test(e.Id)) {
      throw new AwsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(e.Id)) throw new AwsError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    seen.add(e.Id);
  }
  return entries as { Id: string }[];
}

/** A per-entry failure, carrying the Query-era short code as AWS does in batch results. */
export function entryError(id: string, err: AwsError): BatchResultErrorEntry {
  return { Id: id, SenderFault: err.kind.fault === 'Sender', Code: err.kind.queryCode, Message: err.message };
}

/** Successful and Failed lists of a batch whose entries ran in order, `outcomes[i]` undefined for success. */
export function batchResult(entries: { Id: string }[], outcomes: (AwsError | undefined)[]) {
  const successful: { Id: string }[] = [];
  const failed: BatchResultErrorEntry[] = [];
  entries.forEach((e, i) => {
    const err = outcomes[i];
    if (err) failed.push(entryError(e.Id, err));
    else successful.push({ Id: e.Id });
  });
  return { Successful: successful, Failed: failed };
}
