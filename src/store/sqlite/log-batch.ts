/**
 * What one commit group writes to the database when its writes were the message log's only (see group-commit.ts):
 * shipped to the log commit thread, which commits the batches in order.
 */
export interface LogBatch {
  /** The group's row of the message log (absent: the group wrote no records). */
  seq?: number;
  records?: string;
  /** Log rows below this seq hold nothing live any more: delete them. */
  deleteBefore?: number;
  /** The message id reservation to persist (message_ids.next_id), when the group needed a new block. */
  reserve?: number;
}
