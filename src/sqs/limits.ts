/** Every limit Amazon SQS enforces, in one place. Values as AWS documents them (November 2026). */

export const QUEUE_NAME_MAX = 80;
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
export const FIFO_SUFFIX = '.fifo';

/** Body plus message attributes; raised from 256 KiB to 1 MiB in August 2025. */
export const MESSAGE_SIZE_MAX = 1_048_576;
export const MESSAGE_SIZE_MIN_SETTING = 1_024;

export const DELAY_SECONDS_MAX = 900;
export const VISIBILITY_TIMEOUT_MAX = 43_200;
export const WAIT_TIME_SECONDS_MAX = 20;
export const RETENTION_MIN = 60;
export const RETENTION_MAX = 1_209_600;
export const RETENTION_DEFAULT = 345_600;
export const VISIBILITY_TIMEOUT_DEFAULT = 30;
export const KMS_REUSE_MIN = 60;
export const KMS_REUSE_MAX = 86_400;
export const KMS_REUSE_DEFAULT = 300;
export const MAX_RECEIVE_COUNT_MAX = 1_000;

export const RECEIVE_MAX_MESSAGES = 10;
export const BATCH_MAX_ENTRIES = 10;
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export const MESSAGE_ATTRIBUTES_MAX = 10;
export const ATTRIBUTE_NAME_MAX = 256;
export const ATTRIBUTE_DATA_TYPE_MAX = 256;
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** Numbers in message attributes: up to 38 digits of precision, between 10^-128 and 10^+126. */
export const NUMBER_PRECISION_MAX = 38;

export const FIFO_ID_MAX = 128;
/** MessageGroupId, MessageDeduplicationId and ReceiveRequestAttemptId: printable ASCII. */
export const FIFO_ID_PATTERN = /^[!-~]{1,128}$/;
export const DEDUP_WINDOW_MS = 5 * 60_000;

export const TAGS_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;

export const LIST_QUEUES_MAX = 1_000;
export const PURGE_INTERVAL_MS = 60_000;
export const DELETED_QUEUE_REUSE_MS = 60_000;

export const MOVE_RATE_MAX = 500;
/** Without MaxNumberOfMessagesPerSecond AWS adapts the rate; we move at this rate. */
export const MOVE_RATE_DEFAULT = 500;
