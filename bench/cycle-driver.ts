// What a cycle loop needs from a client. Two implementations: the lean raw
// JSON-protocol client (to measure the server) and the real AWS SDK (to measure
// what users will see, client overhead included).

export interface BatchOutcome {
  succeeded: number;
  failed: number;
  /** First failure's code/message, kept for the report so failures are explainable. */
  firstFailure?: string;
}

export interface CycleDriver {
  /** SendMessageBatch of BATCH_SIZE messages. */
  sendBatch(): Promise<BatchOutcome>;
  /** ReceiveMessage (up to BATCH_SIZE); returns the receipt handles. */
  receive(): Promise<string[]>;
  /** DeleteMessageBatch of the given receipt handles. */
  deleteBatch(receiptHandles: readonly string[]): Promise<BatchOutcome>;
  close(): void;
}

export interface BatchResultEntry {
  Id?: string;
  Code?: string;
  Message?: string;
}

export function outcomeOf(successful: readonly unknown[] | undefined, failed: readonly BatchResultEntry[] | undefined): BatchOutcome {
  const outcome: BatchOutcome = { succeeded: successful?.length ?? 0, failed: failed?.length ?? 0 };
  const first = failed?.[0];
  if (first) outcome.firstFailure = `${first.Code ?? 'UnknownCode'}: ${first.Message ?? ''}`;
  return outcome;
}
