import type { Database } from 'better-sqlite3';
import { convertStandardRowsToLog } from './message-log-conversion.js';

/** Migration 11 (below): the table, then the one-time conversion of existing standard-queue rows. */
function createMessageLog(db: Database): void {
  db.exec('CREATE TABLE message_log (seq INTEGER PRIMARY KEY, records TEXT NOT NULL)');
  convertStandardRowsToLog(db);
}

/**
 * Versioned migrations, applied in order inside one transaction each; `PRAGMA user_version` records the last one.
 * Never edit a migration that has shipped: add the next one.
 */
const MIGRATIONS: (string | ((db: Database) => void))[] = [
  `
  -- AUTOINCREMENT: a deleted queue's id is never handed to a new queue (a stale long poll or receipt must not
  -- reach the newcomer).
  CREATE TABLE queues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    dead_letter_arn TEXT,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    UNIQUE (account_id, region, name)
  );
  CREATE INDEX queues_dead_letter ON queues (dead_letter_arn, name) WHERE dead_letter_arn IS NOT NULL;

  -- One row per message. The row id is the order of arrival (FIFO sequence numbers derive from it).
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attributes TEXT,
    md5_attributes TEXT,
    system_attributes TEXT,
    md5_system_attributes TEXT,
    sender_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    -- When the receive that issued the current receipt happened: visibility is capped at 12 hours from it.
    received_at INTEGER,
    receipt_token TEXT,
    group_id TEXT,
    dedup_id TEXT,
    sequence_number TEXT,
    dead_letter_source_arn TEXT
  );
  -- What a receive looks for: the queue's messages that are visible now, earliest first.
  CREATE INDEX messages_visible ON messages (queue_id, visible_at);
  -- FIFO: a group's messages in order.
  CREATE INDEX messages_group ON messages (queue_id, group_id, id) WHERE group_id IS NOT NULL;
  -- Retention: a receive drops its queue's expired rows first, and the sweep walks queue by queue.
  CREATE INDEX messages_expiry ON messages (queue_id, expires_at);

  -- FIFO message groups that hold messages: when the group can next deliver, and its oldest message.
  CREATE TABLE fifo_groups (
    queue_id INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    available_at INTEGER NOT NULL,
    head_id INTEGER NOT NULL,
    PRIMARY KEY (queue_id, group_id)
  ) WITHOUT ROWID;
  -- Receives seek the groups available now; blocked groups are never walked past.
  CREATE INDEX fifo_groups_available ON fifo_groups (queue_id, available_at, head_id);

  -- FIFO deduplication ids seen within the window.
  CREATE TABLE fifo_dedup (
    queue_id INTEGER NOT NULL,
    scope TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (queue_id, scope, dedup_id)
  ) WITHOUT ROWID;
  CREATE INDEX fifo_dedup_expiry ON fifo_dedup (expires_at);

  -- FIFO ReceiveRequestAttemptId: the rows a receive returned, so a retried receive returns them again.
  CREATE TABLE receive_attempts (
    queue_id INTEGER NOT NULL,
    attempt_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    receipts TEXT NOT NULL,
    PRIMARY KEY (queue_id, attempt_id)
  ) WITHOUT ROWID;

  CREATE TABLE move_tasks (
    task_handle TEXT PRIMARY KEY,
    source_arn TEXT NOT NULL,
    record TEXT NOT NULL,
    started_at INTEGER NOT NULL
  );
  CREATE INDEX move_tasks_source ON move_tasks (source_arn, started_at);
  `,
  `
  -- Amazon SNS (src/store/sqlite/sns.ts). Topics by ARN; listings walk (account, region, arn).
  CREATE TABLE sns_topics (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    data_protection_policy TEXT,
    subscriptions_deleted INTEGER NOT NULL DEFAULT 0,
    -- FIFO topics: the last sequence number handed out.
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sns_topics_list ON sns_topics (account_id, region, arn);

  CREATE TABLE sns_subscriptions (
    arn TEXT PRIMARY KEY,
    topic_arn TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    owner TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    attributes TEXT NOT NULL,
    pending INTEGER NOT NULL,
    token TEXT,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
  CREATE INDEX sns_subscriptions_list ON sns_subscriptions (account_id, region, arn);

  -- FIFO topics deduplicate publishes for five minutes.
  CREATE TABLE sns_fifo_dedup (
    topic_arn TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
  ) WITHOUT ROWID;
  CREATE INDEX sns_fifo_dedup_expiry ON sns_fifo_dedup (expires_at);

  -- The key that signs notifications, and its certificate (served at SigningCertURL). One row, kept for good.
  CREATE TABLE sns_signing_key (
    id TEXT PRIMARY KEY,
    private_key TEXT NOT NULL,
    certificate TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // 3: Amazon EventBridge — event buses, rules and targets. Records are kept as JSON beside the columns that are
  // searched, so that new settable members need no migration.
  `
  CREATE TABLE events_buses (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX events_buses_list ON events_buses (account_id, region, name);

  CREATE TABLE events_rules (
    arn TEXT PRIMARY KEY,
    bus_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX events_rules_bus ON events_rules (bus_arn, name);

  CREATE TABLE events_targets (
    rule_arn TEXT NOT NULL,
    id TEXT NOT NULL,
    target_arn TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (rule_arn, id)
  ) WITHOUT ROWID;
  CREATE INDEX events_targets_arn ON events_targets (target_arn, rule_arn);

  CREATE TABLE events_archives (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    bus_arn TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX events_archives_list ON events_archives (account_id, region, name);
  CREATE INDEX events_archives_bus ON events_archives (bus_arn);

  -- Events kept by archives; expires_at NULL for archives that keep them for ever.
  CREATE TABLE events_archived (
    archive_arn TEXT NOT NULL,
    event_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    expires_at INTEGER,
    event TEXT NOT NULL,
    PRIMARY KEY (archive_arn, event_id)
  ) WITHOUT ROWID;
  CREATE INDEX events_archived_expiry ON events_archived (expires_at) WHERE expires_at IS NOT NULL;
  `,

  // 4: deliveries recorded instead of made (e-mail, SMS, mobile push, Lambda, Firehose), newest last.
  `
  CREATE TABLE delivery_log (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    source TEXT,
    subject TEXT,
    payload TEXT NOT NULL,
    details TEXT,
    recorded_at INTEGER NOT NULL
  );
  CREATE INDEX delivery_log_endpoint ON delivery_log (endpoint, id);
  `,

  // 5: SNS subscriptions awaiting confirmation: when their token expires, and whether the confirmation was
  // authenticated (AuthenticateOnUnsubscribe), which makes Unsubscribe require a signed request.
  `
  ALTER TABLE sns_subscriptions ADD COLUMN token_expires_at INTEGER;
  ALTER TABLE sns_subscriptions ADD COLUMN authenticated INTEGER NOT NULL DEFAULT 1;
  `,

  // 6: EventBridge deliveries beyond SQS: connections and API destinations (records as JSON, secrets included — never
  // returned by the API), and each scheduled rule's next fire time, claimed by compare-and-set so that a schedule
  // fires once however many schedulers look at it.
  `
  CREATE TABLE events_connections (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX events_connections_list ON events_connections (account_id, region, name);

  CREATE TABLE events_api_destinations (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    connection_arn TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX events_api_destinations_list ON events_api_destinations (account_id, region, name);
  CREATE INDEX events_api_destinations_connection ON events_api_destinations (connection_arn);

  CREATE TABLE events_schedules (
    rule_arn TEXT PRIMARY KEY,
    next_fire_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX events_schedules_due ON events_schedules (next_fire_at);
  `,

  // 7: EventBridge replays, global endpoints and partner event sources. Records as JSON, as in migration 3. Replays
  // read an archive in event-time order: the index is on the envelope's ISO 8601 time, which sorts as text.
  `
  CREATE INDEX events_archived_time ON events_archived (archive_arn, json_extract(event, '$.time'), event_id);

  CREATE TABLE events_replays (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    archive_arn TEXT NOT NULL,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX events_replays_list ON events_replays (account_id, region, name);
  CREATE INDEX events_replays_state ON events_replays (state);

  CREATE TABLE events_endpoints (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    endpoint_id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX events_endpoints_list ON events_endpoints (account_id, region, name);

  -- A partner event source exists once per customer account it was created for (the partner's side), and is seen
  -- by that account as an event source (the customer's side).
  CREATE TABLE events_partner_sources (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id TEXT NOT NULL,
    partner_account_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (region, name, account_id)
  ) WITHOUT ROWID;
  CREATE INDEX events_partner_sources_customer ON events_partner_sources (account_id, region, name);
  `,

  // 8: SNS mobile push and SMS — platform applications and their endpoints, per-account SMS settings, phone-number
  // opt-outs and SMS sandbox destination numbers.
  `
  CREATE TABLE sns_platform_applications (
    arn TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sns_platform_applications_list ON sns_platform_applications (account_id, region, arn);

  CREATE TABLE sns_platform_endpoints (
    arn TEXT PRIMARY KEY,
    application_arn TEXT NOT NULL,
    token TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sns_platform_endpoints_list ON sns_platform_endpoints (application_arn, arn);
  CREATE INDEX sns_platform_endpoints_token ON sns_platform_endpoints (application_arn, token);

  CREATE TABLE sns_sms_settings (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    attributes TEXT NOT NULL,
    in_sandbox INTEGER NOT NULL,
    PRIMARY KEY (account_id, region)
  ) WITHOUT ROWID;

  -- A row per phone number that was ever opted out or in; opted_in_at enforces OptInPhoneNumber's 30-day rule.
  CREATE TABLE sns_sms_phone_numbers (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    opted_out INTEGER NOT NULL,
    opted_in_at INTEGER,
    PRIMARY KEY (account_id, region, phone_number)
  ) WITHOUT ROWID;

  CREATE TABLE sns_sms_sandbox_numbers (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    status TEXT NOT NULL,
    one_time_password TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, phone_number)
  ) WITHOUT ROWID;
  `,

  // 9: standard queues are indexed in memory (src/store/sqlite/queue-index.ts), so the messages table keeps only its
  // primary key for them: the secondary indexes cover FIFO rows only (those, and only those, carry a sequence
  // number). Ids are handed out by the engine instead of AUTOINCREMENT, and never reused: message_ids.next_id is
  // above every id ever used (the engine reserves ids in blocks), so that a receipt handle of a deleted message
  // never names a later one. The table is rebuilt to drop AUTOINCREMENT; the old high-water mark seeds next_id.
  `
  CREATE TABLE message_ids (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    next_id INTEGER NOT NULL
  );
  INSERT INTO message_ids (only, next_id)
    SELECT 1, max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0),
                  coalesce((SELECT max(id) FROM messages), 0)) + 1;

  CREATE TABLE messages_v2 (
    id INTEGER PRIMARY KEY,
    queue_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    md5_body TEXT NOT NULL,
    attributes TEXT,
    md5_attributes TEXT,
    system_attributes TEXT,
    md5_system_attributes TEXT,
    sender_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at INTEGER,
    received_at INTEGER,
    receipt_token TEXT,
    group_id TEXT,
    dedup_id TEXT,
    sequence_number TEXT,
    dead_letter_source_arn TEXT
  );
  INSERT INTO messages_v2 (id, queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes,
      md5_system_attributes, sender_id, sent_at, visible_at, expires_at, receive_count, first_received_at, received_at,
      receipt_token, group_id, dedup_id, sequence_number, dead_letter_source_arn)
    SELECT id, queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes,
      md5_system_attributes, sender_id, sent_at, visible_at, expires_at, receive_count, first_received_at, received_at,
      receipt_token, group_id, dedup_id, sequence_number, dead_letter_source_arn
    FROM messages;
  DROP TABLE messages;
  ALTER TABLE messages_v2 RENAME TO messages;
  -- FIFO: what a receive, the counts and retention look for; a group's messages in order.
  CREATE INDEX messages_fifo_visible ON messages (queue_id, visible_at) WHERE sequence_number IS NOT NULL;
  CREATE INDEX messages_fifo_group ON messages (queue_id, group_id, id) WHERE sequence_number IS NOT NULL;
  CREATE INDEX messages_fifo_expiry ON messages (queue_id, expires_at) WHERE sequence_number IS NOT NULL;
  `,

  // 10: SNS: one subscription per topic, protocol and endpoint (a repeated Subscribe answers the one there is; the
  // unique index makes that hold however Subscribes race), and when a subscription still pending confirmation lapses
  // (AWS deletes it after 48 hours). Duplicates that racing Subscribes left behind are dropped first, keeping a
  // confirmed one before a pending one, then the oldest. Subscriptions pending now lapse 48 hours after they were made.
  `
  DELETE FROM sns_subscriptions WHERE arn IN (
    SELECT arn FROM (
      SELECT arn, row_number() OVER (PARTITION BY topic_arn, protocol, endpoint ORDER BY pending, created_at, arn) AS n
      FROM sns_subscriptions)
    WHERE n > 1);
  CREATE UNIQUE INDEX sns_subscriptions_endpoint ON sns_subscriptions (topic_arn, protocol, endpoint);
  ALTER TABLE sns_subscriptions ADD COLUMN pending_expires_at INTEGER;
  UPDATE sns_subscriptions SET pending_expires_at = created_at + 172800000 WHERE pending = 1;
  `,

  // 11: standard queues' messages move from one row each in `messages` to the append-only message log (one row per
  // commit group; see message-log.ts). FIFO rows stay where they are. Existing standard rows are converted once.
  createMessageLog,

  // 12: the last writer of the file. Every commit leaves its store's token here, so that a store whose commits run
  // on a thread of their own (log-committer.ts) can tell that another connection wrote in between.
  `ALTER TABLE message_ids ADD COLUMN writer TEXT NOT NULL DEFAULT ''`,
];

const indexOfMigration = (text: string) => MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes(text));
export const MESSAGES_IN_MEMORY_MIGRATION = indexOfMigration('CREATE TABLE messages_v2');
export const SNS_ONE_SUBSCRIPTION_PER_ENDPOINT_MIGRATION = indexOfMigration('sns_subscriptions_endpoint');
export const MESSAGE_LOG_MIGRATION = MIGRATIONS.indexOf(createMessageLog);

/** Applies the migrations not yet applied (up to `upTo`, exclusive: tests build databases of earlier versions). */
export function migrate(db: Database, upTo = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  // A file a newer Postbox has migrated may hold what this one cannot read, and this one would write it without
  // what the newer one relies on (for one, the writer token the commit thread checks for other writers).
  if (current > MIGRATIONS.length) {
    throw new Error(`this database has schema version ${current}, newer than this Postbox knows (${MIGRATIONS.length}): use a newer Postbox`);
  }
  for (let v = current; v < upTo; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v]!;
      if (typeof m === 'string') db.exec(m);
      else m(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
