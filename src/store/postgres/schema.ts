import type { PoolClient } from 'pg';

/**
 * Versioned migrations of one Postbox schema, applied in order, each recorded in `schema_migrations`. `{s}` stands
 * for the quoted schema name. Never edit a migration that has shipped: add the next one.
 *
 * Conventions: times are bigint milliseconds passed in by the caller (never `now()`); ids come from bigint
 * sequences and are never reused; queue names compare byte-wise (COLLATE "C"), as AWS lists them.
 */
const MIGRATIONS: string[] = [
  `
  -- An identity column: a deleted queue's id is never handed to a new queue (a stale long poll or receipt must not
  -- reach the newcomer).
  CREATE TABLE {s}.queues (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    fifo boolean NOT NULL,
    attributes text NOT NULL,
    tags text NOT NULL,
    dead_letter_arn text,
    created_at bigint NOT NULL,
    modified_at bigint NOT NULL,
    UNIQUE (account_id, region, name)
  );
  CREATE INDEX queues_dead_letter ON {s}.queues (dead_letter_arn, name) WHERE dead_letter_arn IS NOT NULL;

  -- Row ids: the order of arrival (FIFO sequence numbers derive from them). Taken explicitly by the inserts, so
  -- that a FIFO send draws its ids only after it holds the locks of its message groups.
  CREATE SEQUENCE {s}.message_ids AS bigint;

  CREATE TABLE {s}.messages (
    id bigint PRIMARY KEY DEFAULT nextval('{s}.message_ids'),
    queue_id bigint NOT NULL,
    message_id text NOT NULL,
    -- bytea: a message body may hold any character, U+0000 included, which a text column refuses.
    body bytea NOT NULL,
    md5_body text NOT NULL,
    attributes text,
    md5_attributes text,
    system_attributes text,
    md5_system_attributes text,
    sender_id text NOT NULL,
    sent_at bigint NOT NULL,
    visible_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    receive_count integer NOT NULL DEFAULT 0,
    first_received_at bigint,
    -- When the receive that issued the current receipt happened: visibility is capped at 12 hours from it.
    received_at bigint,
    receipt_token text,
    group_id text,
    dedup_id text,
    -- Set on the rows of FIFO queues only.
    sequence_number text,
    dead_letter_source_arn text
  );
  -- What a receive looks for: the queue's messages visible now, earliest first (id breaks ties, as arrival).
  CREATE INDEX messages_visible ON {s}.messages (queue_id, visible_at, id);
  -- FIFO: a group's messages in order.
  CREATE INDEX messages_group ON {s}.messages (queue_id, group_id, id) WHERE group_id IS NOT NULL;
  -- Retention: a receive drops its queue's expired rows first, and the sweep walks queue by queue.
  CREATE INDEX messages_expiry ON {s}.messages (queue_id, expires_at);

  -- FIFO message groups that hold messages: when the group can next deliver, and its oldest message. Every change
  -- to a FIFO message takes its group's row lock first, so the row also serializes a group across nodes.
  CREATE TABLE {s}.fifo_groups (
    queue_id bigint NOT NULL,
    group_id text NOT NULL,
    available_at bigint NOT NULL,
    head_id bigint NOT NULL,
    PRIMARY KEY (queue_id, group_id)
  );
  -- Receives seek the groups available now; blocked groups are never walked past.
  CREATE INDEX fifo_groups_available ON {s}.fifo_groups (queue_id, available_at, head_id);

  -- FIFO deduplication ids seen within the window; the primary key makes concurrent sends of one id wait for
  -- each other (INSERT ... ON CONFLICT).
  CREATE TABLE {s}.fifo_dedup (
    queue_id bigint NOT NULL,
    scope text NOT NULL,
    dedup_id text NOT NULL,
    message_id text NOT NULL,
    sequence_number text NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (queue_id, scope, dedup_id)
  );
  CREATE INDEX fifo_dedup_expiry ON {s}.fifo_dedup (expires_at);

  -- FIFO ReceiveRequestAttemptId: the rows a receive returned, so a retried receive returns them again.
  CREATE TABLE {s}.receive_attempts (
    queue_id bigint NOT NULL,
    attempt_id text NOT NULL,
    expires_at bigint NOT NULL,
    receipts text NOT NULL,
    PRIMARY KEY (queue_id, attempt_id)
  );
  CREATE INDEX receive_attempts_expiry ON {s}.receive_attempts (expires_at);

  CREATE TABLE {s}.move_tasks (
    task_handle text PRIMARY KEY,
    source_arn text NOT NULL,
    status text NOT NULL,
    record text NOT NULL,
    started_at bigint NOT NULL
  );
  CREATE INDEX move_tasks_source ON {s}.move_tasks (source_arn, started_at);
  CREATE INDEX move_tasks_active ON {s}.move_tasks (started_at) WHERE status IN ('RUNNING', 'CANCELLING');
  `,
  `
  -- Queue tables churn: every message row is inserted, updated by each receive and deleted within seconds, so dead
  -- rows pile up at the front of the receive index, and receives slow down, unless vacuum keeps pace. PostgreSQL's
  -- default waits for 20 % of a table to be dead — for a table that is nearly empty but busy, far too late.
  -- Vacuum these after a fixed number of dead rows, without cost-based pauses. (Measured on a server with autovacuum
  -- off: one VACUUM after 12 s of the benchmark cycle doubled its throughput.)
  ALTER TABLE {s}.messages SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0);
  ALTER TABLE {s}.fifo_groups SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0);
  ALTER TABLE {s}.fifo_dedup SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);
  `,

  // 3: Amazon SNS (src/store/postgres/sns.ts, sns-mobile.ts) and the delivery log (delivery-log.ts), table for table
  // as on SQLite. ARNs and phone numbers are listed in byte order (COLLATE "C"), as SQLite and AWS list them.
  `
  CREATE TABLE {s}.sns_topics (
    arn text COLLATE "C" PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text NOT NULL,
    fifo boolean NOT NULL,
    attributes text NOT NULL,
    tags text NOT NULL,
    data_protection_policy text,
    subscriptions_deleted integer NOT NULL DEFAULT 0,
    -- FIFO topics: the last sequence number handed out. A publish locks the row while it numbers and delivers, so
    -- a topic's publishes commit in sequence order across nodes.
    sequence bigint NOT NULL DEFAULT 0,
    -- Changes with every change to the topic's subscriptions (drawn from one sequence, so never repeated, even by a
    -- topic deleted and created again): how a node learns that its cached subscriptions are stale.
    subscriptions_version bigint NOT NULL,
    created_at bigint NOT NULL,
    modified_at bigint NOT NULL
  );
  CREATE SEQUENCE {s}.sns_subscriptions_versions AS bigint;
  CREATE INDEX sns_topics_list ON {s}.sns_topics (account_id, region, arn);

  CREATE TABLE {s}.sns_subscriptions (
    arn text COLLATE "C" PRIMARY KEY,
    topic_arn text COLLATE "C" NOT NULL,
    account_id text NOT NULL,
    region text NOT NULL,
    owner text NOT NULL,
    protocol text NOT NULL,
    endpoint text NOT NULL,
    attributes text NOT NULL,
    pending boolean NOT NULL,
    token text,
    token_expires_at bigint,
    authenticated boolean NOT NULL DEFAULT true,
    created_at bigint NOT NULL
  );
  CREATE INDEX sns_subscriptions_topic ON {s}.sns_subscriptions (topic_arn, arn);
  CREATE INDEX sns_subscriptions_list ON {s}.sns_subscriptions (account_id, region, arn);

  -- FIFO topics deduplicate publishes for five minutes.
  CREATE TABLE {s}.sns_fifo_dedup (
    topic_arn text NOT NULL,
    dedup_id text NOT NULL,
    message_id text NOT NULL,
    sequence_number text NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
  );
  CREATE INDEX sns_fifo_dedup_expiry ON {s}.sns_fifo_dedup (expires_at);

  -- The key that signs notifications, and its certificate: one row for every node (the primary key admits one), so
  -- the first node to store a key wins and the others read it.
  CREATE TABLE {s}.sns_signing_key (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id text NOT NULL,
    private_key text NOT NULL,
    certificate text NOT NULL,
    created_at bigint NOT NULL
  );

  -- Mobile push and SMS.
  CREATE TABLE {s}.sns_platform_applications (
    arn text COLLATE "C" PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text NOT NULL,
    platform text NOT NULL,
    attributes text NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX sns_platform_applications_list ON {s}.sns_platform_applications (account_id, region, arn);

  CREATE TABLE {s}.sns_platform_endpoints (
    arn text COLLATE "C" PRIMARY KEY,
    application_arn text COLLATE "C" NOT NULL,
    token text NOT NULL,
    attributes text NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE INDEX sns_platform_endpoints_list ON {s}.sns_platform_endpoints (application_arn, arn);
  CREATE INDEX sns_platform_endpoints_token ON {s}.sns_platform_endpoints (application_arn, token);

  CREATE TABLE {s}.sns_sms_settings (
    account_id text NOT NULL,
    region text NOT NULL,
    attributes text NOT NULL,
    in_sandbox boolean NOT NULL,
    PRIMARY KEY (account_id, region)
  );

  -- A row per phone number that was ever opted out or in; opted_in_at enforces OptInPhoneNumber's 30-day rule.
  CREATE TABLE {s}.sns_sms_phone_numbers (
    account_id text NOT NULL,
    region text NOT NULL,
    phone_number text COLLATE "C" NOT NULL,
    opted_out boolean NOT NULL,
    opted_in_at bigint,
    PRIMARY KEY (account_id, region, phone_number)
  );

  CREATE TABLE {s}.sns_sms_sandbox_numbers (
    account_id text NOT NULL,
    region text NOT NULL,
    phone_number text COLLATE "C" NOT NULL,
    status text NOT NULL,
    one_time_password text,
    created_at bigint NOT NULL,
    PRIMARY KEY (account_id, region, phone_number)
  );

  -- Deliveries recorded instead of made (e-mail, SMS, mobile push, Lambda, Firehose), in recording order.
  CREATE TABLE {s}.delivery_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service text NOT NULL,
    account_id text NOT NULL,
    region text NOT NULL,
    protocol text NOT NULL,
    endpoint text NOT NULL,
    source text,
    subject text,
    -- bytea, as message bodies: what was published may hold any character, U+0000 included.
    payload bytea NOT NULL,
    details text,
    recorded_at bigint NOT NULL
  );
  CREATE INDEX delivery_log_endpoint ON {s}.delivery_log (endpoint, id);
  `,

  // 4: Amazon EventBridge: the tables of SQLite migrations 3, 6 and 7 in one (src/store/postgres/events.ts). Records are
  // JSON text beside the columns that listings seek on; names compare byte-wise, as AWS lists them. Two additions
  // for several nodes: `events_route_versions`, bumped by every change to a bus's rules, targets or archives, so
  // that each node's compiled routing (src/events/bus-routes.ts) notices a change made on another node; and the
  // archived event's time as a column (SQLite indexes a json_extract of it), which replays read in order.
  `
  CREATE TABLE {s}.events_buses (
    arn text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX events_buses_list ON {s}.events_buses (account_id, region, name);

  CREATE TABLE {s}.events_rules (
    arn text PRIMARY KEY,
    bus_arn text NOT NULL,
    name text COLLATE "C" NOT NULL,
    record text NOT NULL,
    UNIQUE (bus_arn, name)
  );

  CREATE TABLE {s}.events_targets (
    rule_arn text NOT NULL,
    id text COLLATE "C" NOT NULL,
    target_arn text NOT NULL,
    target text NOT NULL,
    PRIMARY KEY (rule_arn, id)
  );
  CREATE INDEX events_targets_arn ON {s}.events_targets (target_arn, rule_arn);

  CREATE TABLE {s}.events_route_versions (
    bus_arn text PRIMARY KEY,
    version bigint NOT NULL
  );

  CREATE TABLE {s}.events_archives (
    arn text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    bus_arn text NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX events_archives_list ON {s}.events_archives (account_id, region, name);
  CREATE INDEX events_archives_bus ON {s}.events_archives (bus_arn);

  -- expires_at NULL for archives that keep events for ever; event_time is the envelope's ISO 8601 time.
  CREATE TABLE {s}.events_archived (
    archive_arn text NOT NULL,
    event_id text COLLATE "C" NOT NULL,
    size integer NOT NULL,
    expires_at bigint,
    event_time text COLLATE "C" NOT NULL,
    event text NOT NULL,
    PRIMARY KEY (archive_arn, event_id)
  );
  CREATE INDEX events_archived_expiry ON {s}.events_archived (expires_at) WHERE expires_at IS NOT NULL;
  CREATE INDEX events_archived_time ON {s}.events_archived (archive_arn, event_time, event_id);

  CREATE TABLE {s}.events_connections (
    arn text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    record text NOT NULL,
    UNIQUE (account_id, region, name)
  );

  CREATE TABLE {s}.events_api_destinations (
    arn text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    connection_arn text NOT NULL,
    record text NOT NULL,
    UNIQUE (account_id, region, name)
  );
  CREATE INDEX events_api_destinations_connection ON {s}.events_api_destinations (connection_arn);

  -- A scheduled rule's next firing, claimed by compare-and-set (UPDATE ... WHERE next_fire_at = expected): one node
  -- fires it, however many see it due.
  CREATE TABLE {s}.events_schedules (
    rule_arn text PRIMARY KEY,
    next_fire_at bigint NOT NULL
  );
  CREATE INDEX events_schedules_due ON {s}.events_schedules (next_fire_at);

  CREATE TABLE {s}.events_replays (
    arn text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    state text NOT NULL,
    archive_arn text NOT NULL,
    record text NOT NULL
  );
  CREATE INDEX events_replays_list ON {s}.events_replays (account_id, region, name);
  CREATE INDEX events_replays_state ON {s}.events_replays (state);

  -- Which node runs a replay's steps, until when (PostgresEventsStore.claimReplay): one node routes a replay's
  -- batches; when it dies its lease runs out and another node carries the replay on.
  CREATE TABLE {s}.events_replay_leases (
    arn text PRIMARY KEY,
    owner text NOT NULL,
    expires_at bigint NOT NULL
  );

  CREATE TABLE {s}.events_endpoints (
    arn text PRIMARY KEY,
    account_id text NOT NULL,
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    endpoint_id text NOT NULL UNIQUE,
    record text NOT NULL
  );
  CREATE INDEX events_endpoints_list ON {s}.events_endpoints (account_id, region, name);

  CREATE TABLE {s}.events_partner_sources (
    region text NOT NULL,
    name text COLLATE "C" NOT NULL,
    account_id text COLLATE "C" NOT NULL,
    partner_account_id text NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (region, name, account_id)
  );
  CREATE INDEX events_partner_sources_customer ON {s}.events_partner_sources (account_id, region, name);
  CREATE INDEX events_partner_sources_partner ON {s}.events_partner_sources (partner_account_id, region, name);
  `,

  // 5: SNS, as SQLite's migration 10: one subscription per topic, protocol and endpoint, and when a subscription still
  // pending confirmation lapses (AWS deletes it after 48 hours). Duplicates that racing Subscribes left behind are
  // dropped first (a confirmed one is kept before a pending one, then the oldest). The index holds the endpoint's
  // md5: an endpoint is a URL of any length, too long for a btree entry; SnsStore compares the endpoints themselves.
  `
  DELETE FROM {s}.sns_subscriptions WHERE arn IN (
    SELECT arn FROM (
      SELECT arn, row_number() OVER (PARTITION BY topic_arn, protocol, endpoint ORDER BY pending, created_at, arn) AS n
      FROM {s}.sns_subscriptions) AS ranked
    WHERE n > 1);
  CREATE UNIQUE INDEX sns_subscriptions_endpoint ON {s}.sns_subscriptions (topic_arn, protocol, md5(endpoint));
  ALTER TABLE {s}.sns_subscriptions ADD COLUMN pending_expires_at bigint;
  UPDATE {s}.sns_subscriptions SET pending_expires_at = created_at + 172800000 WHERE pending;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Creates the schema if needed and applies the migrations it lacks, in one transaction under an advisory lock
 * keyed by the schema name: nodes starting at once queue up here, and each finds the work of the first one done.
 */
export async function migrate(client: PoolClient, schema: string, quotedSchema: string, now: number): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`postbox-migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quotedSchema}.schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)`,
    );
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${quotedSchema}.schema_migrations`);
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`schema ${schema} is at version ${current}, newer than this Postbox knows (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v]!.replaceAll('{s}', quotedSchema));
      await client.query(`INSERT INTO ${quotedSchema}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [v + 1, now]);
    }
    await client.query('COMMIT');
    return MIGRATIONS.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
