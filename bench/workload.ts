// The workload every load generator and the no-op server agree on: one queue,
// batches of ten identical messages of a fixed size, and the request headers a
// real SDK client would send. Shared so the no-op server's canned answers are
// *valid* for exactly these requests (the SDK checks MD5s against what it sent).
import { createHash } from 'node:crypto';

export const QUEUE_NAME = 'postbox-bench';
export const BATCH_SIZE = 10;
export const DEFAULT_BODY_BYTES = 256;

/** The same IDs in every batch, so canned answers can echo them without parsing the request. */
export const ENTRY_IDS: readonly string[] = Array.from({ length: BATCH_SIZE }, (_, i) => String(i));

/** A JSON-looking payload padded to `bytes` (ASCII, so characters = bytes). */
export function messageBody(bytes: number = DEFAULT_BODY_BYTES): string {
  const head = '{"type":"order.created","orderId":"0000000000","pad":"';
  const tail = '"}';
  const padLength = Math.max(0, bytes - head.length - tail.length);
  return head + 'x'.repeat(padLength) + tail;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * A syntactically valid but fake SigV4 header. Postbox does not verify signatures,
 * but it does parse the header (e.g. for the access key / region), so sending one
 * keeps that code path inside the measurement, like a real client would.
 */
export const FAKE_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, ' +
  'SignedHeaders=content-type;host;x-amz-date;x-amz-target, ' +
  'Signature=' + '0123456789abcdef'.repeat(4);
export const FAKE_AMZ_DATE = '20260101T000000Z';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

export type SqsAction =
  | 'CreateQueue'
  | 'SendMessageBatch'
  | 'ReceiveMessage'
  | 'DeleteMessageBatch'
  | 'GetQueueAttributes';

export function targetHeader(action: SqsAction): string {
  return `AmazonSQS.${action}`;
}
