import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import * as L from '../limits.js';
import { commitPublish, planPublish, preparePublish, type PlannedPublish } from '../publish.js';
import type { SnsRuntime } from '../runtime.js';
import { maximumMessageSize } from '../topic-attributes.js';
import { resolveTopic } from '../topic-ref.js';
import type { BatchResultErrorEntry, PublishBatchInput, PublishBatchRequestEntry } from '../types.js';

/** The checks that fail a whole PublishBatch, worded as AWS's SNS exceptions describe them. */
function checkEntries(entries: PublishBatchRequestEntry[] | undefined): (PublishBatchRequestEntry & { Id: string })[] {
  if (!entries || entries.length === 0) throw new AwsError('SnsEmptyBatchRequest', "The batch request doesn't contain any entries.");
  if (entries.length > L.BATCH_MAX_ENTRIES) throw new AwsError('SnsTooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.Id === undefined || !L.BATCH_ID_PATTERN.test(e.Id)) {
      throw new AwsError('SnsInvalidBatchEntryId', "The Id of a batch entry in a batch request doesn't abide by the specification.");
    }
    if (seen.has(e.Id)) throw new AwsError('SnsBatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    seen.add(e.Id);
  }
  return entries as (PublishBatchRequestEntry & { Id: string })[];
}

/**
 * PublishBatch: up to ten messages, each validated on its own (a bad entry fails alone, as BatchResultErrorEntry),
 * each delivered atomically with its own publish. All entries commit in one group, in entry order, so FIFO
 * sequence numbers follow the batch's order.
 */
export async function publishBatch(rt: SnsRuntime, input: PublishBatchInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.TopicArn);
  const entries = checkEntries(input.PublishBatchRequestEntries);
  const failed: BatchResultErrorEntry[] = [];
  const accepted: { id: string; plan: Promise<PlannedPublish> }[] = [];
  let total = 0;
  for (const entry of entries) {
    try {
      const prepared = preparePublish(topic, entry);
      total += prepared.size;
      accepted.push({ id: entry.Id, plan: planPublish(rt, topic, prepared, ctx) });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      failed.push({ Id: entry.Id, Code: err.kind.queryCode, Message: err.message, SenderFault: err.kind.fault === 'Sender' });
    }
  }
  if (total > Math.max(L.BATCH_SIZE_MAX, maximumMessageSize(topic))) {
    throw new AwsError('SnsBatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
  }
  const plans = await Promise.all(accepted.map((a) => a.plan));
  const outcomes = await Promise.all(plans.map((plan) => commitPublish(rt, plan)));
  const successful = outcomes.map((o, i) => ({
    Id: accepted[i]!.id,
    MessageId: o.messageId,
    ...(o.sequenceNumber !== undefined ? { SequenceNumber: o.sequenceNumber } : {}),
  }));
  return { Successful: successful, Failed: failed };
}
