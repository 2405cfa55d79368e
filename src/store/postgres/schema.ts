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
