/** Every limit Amazon SNS enforces that Postbox checks, in one place, with where AWS documents it. */

/** CreateTopic: "up to 256 characters ... uppercase and lowercase ASCII letters, numbers, underscores, and hyphens";
 *  FIFO topic names end in `.fifo` (the suffix counts toward the 256). */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
export const FIFO_TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
export const FIFO_SUFFIX = '.fifo';

/** ListTopics, ListSubscriptions, ListSubscriptionsByTopic: "up to 100" per page. */
export const LIST_PAGE_SIZE = 100;

/** Message size (body plus attributes): 256 KiB by default; the MaximumMessageSize topic attribute takes
 *  1,024–1,048,576 bytes (https://docs.aws.amazon.com/sns/latest/dg/large-message-payloads.html). */
export const MESSAGE_SIZE_DEFAULT = 262_144;
export const MESSAGE_SIZE_SETTING_MIN = 1_024;
export const MESSAGE_SIZE_SETTING_MAX = 1_048_576;

/** Publish Subject: "ASCII text that begins with a letter, number, or punctuation mark; must not include line
 *  breaks or control characters; and must be less than 100 characters long." (API_Publish) */
export const SUBJECT_MAX = 100;

/** PublishBatch: up to 10 entries; ids of up to 80 alphanumerics, hyphens and underscores; the total size is
 *  limited as a single message's is (256 KiB). */
export const BATCH_MAX_ENTRIES = 10;
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
export const BATCH_SIZE_MAX = 262_144;

/** FIFO topics deduplicate for five minutes; MessageGroupId and MessageDeduplicationId are up to 128 printable
 *  ASCII characters. */
export const DEDUP_WINDOW_MS = 5 * 60_000;
export const FIFO_ID_PATTERN = /^[!-~]{1,128}$/;

/** Tags: up to 50 per resource, keys 1–128 and values 0–256 characters. */
export const TAGS_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;

/** Filter policies per topic (SNS quotas: 200, adjustable). */
export const FILTER_POLICIES_PER_TOPIC = 200;

/** AddPermission labels (statement ids). */
export const LABEL_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Message attribute names: as SQS's (letters, digits, `_ - .`, up to 256 bytes). */
export const ATTRIBUTE_NAME_MAX = 256;
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
