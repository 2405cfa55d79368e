/**
 * EventBridge's limits, named once (API reference constraints and the service quotas page). Checked at the edge,
 * each with the error AWS answers.
 */
export const DEFAULT_BUS = 'default';
export const BUS_NAME_MAX = 256;
/** Custom bus names; `/` belongs to partner buses (aws.partner/…), which need an event source. */
export const BUS_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
export const RULE_NAME_MAX = 64;
export const RULE_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
export const DESCRIPTION_MAX = 512;
export const SCHEDULE_EXPRESSION_MAX = 256;
export const TARGET_ID_MAX = 64;
export const TARGET_ID_PATTERN = /^[.\-_A-Za-z0-9]+$/;
/** Targets per rule (quota, not adjustable). */
export const TARGETS_PER_RULE_MAX = 5;
/** PutTargets and RemoveTargets take 1 to 10 entries. */
export const TARGETS_PER_REQUEST_MAX = 10;
export const INPUT_MAX = 8192;
export const INPUT_PATH_MAX = 256;
export const INPUT_TEMPLATE_MAX = 8192;
/** InputPathsMap: at most 100 variables, names of letters, digits, `_` and `-`. */
export const INPUT_PATHS_MAX = 100;
export const INPUT_PATH_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;
/** PutEvents takes 1 to 10 entries. */
export const PUT_EVENTS_ENTRIES_MAX = 10;
/**
 * Total entry size of a PutEvents request (eb-putevent-size). 1 MB since AWS raised event payloads from 256 KB on
 * 29 January 2026.
 */
export const PUT_EVENTS_SIZE_MAX = 1024 * 1024;
/** Entry size: a Time counts 14 bytes whatever its value (eb-putevent-size). */
export const TIME_ENTRY_BYTES = 14;
export const LIST_LIMIT_MAX = 100;
export const TAGS_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'] as const;
export const ARCHIVE_NAME_MAX = 48;
export const ARCHIVE_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
export const ARCHIVE_STATES = ['ENABLED', 'DISABLED', 'CREATING', 'UPDATING', 'CREATE_FAILED', 'UPDATE_FAILED'] as const;
