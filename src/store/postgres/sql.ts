/**
 * The engine's statements, each with a name so that node-postgres prepares it once per connection. `S` is the
 * quoted schema; every statement names its tables with it, so one database can hold several Postbox schemas.
 */

export interface Statement {
  readonly name: string;
  readonly text: string;
}

export const MESSAGE_COLUMNS =
  'id, queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes, md5_system_attributes, ' +
  'sender_id, sent_at, visible_at, expires_at, receive_count, first_received_at, received_at, receipt_token, group_id, ' +
  'dedup_id, sequence_number, dead_letter_source_arn';

const QUEUE_COLUMNS = 'id, account_id, region, name, fifo, attributes, tags, created_at, modified_at';

/** Rows to insert, one array per column ($4 .. $19), in arrival order; $1 queue, $2 channel, $3 payload. */
function insertMessages(S: string, fifo: boolean): string {
  const sequence = fifo ? '(10000000000000000000::numeric + x.id)::text' : 'NULL';
  return `
    WITH ins AS (
      INSERT INTO ${S}.messages (id, queue_id, message_id, body, md5_body, attributes, md5_attributes, system_attributes,
        md5_system_attributes, sender_id, sent_at, visible_at, expires_at, receive_count, first_received_at, group_id,
        dedup_id, sequence_number, dead_letter_source_arn)
      SELECT x.id, $1, x.message_id, x.body, x.md5_body, x.attributes, x.md5_attributes, x.system_attributes,
        x.md5_system_attributes, x.sender_id, x.sent_at, x.visible_at, x.expires_at, x.receive_count,
        x.first_received_at, x.group_id, x.dedup_id, ${sequence}, x.dead_letter_source_arn
      FROM (
        SELECT nextval('${S}.message_ids') AS id, t.*
        FROM unnest($4::text[], $5::bytea[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
          $12::bigint[], $13::bigint[], $14::bigint[], $15::integer[], $16::bigint[], $17::text[], $18::text[], $19::text[])
          WITH ORDINALITY AS t(message_id, body, md5_body, attributes, md5_attributes, system_attributes,
            md5_system_attributes, sender_id, sent_at, visible_at, expires_at, receive_count, first_received_at, group_id,
            dedup_id, dead_letter_source_arn, ord)
        ORDER BY t.ord
      ) x
      RETURNING id, sequence_number
    )
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(sequence_number ORDER BY id) AS seqs, pg_notify($2, $3) AS notified
    FROM ins`;
}

export function statements(S: string) {
  const st = (name: string, text: string): Statement => ({ name: `pb_${name}`, text });
  return {
    // Queues ---------------------------------------------------------------------------------------------------
    insertQueue: st(
      'insert_queue',
      `INSERT INTO ${S}.queues (account_id, region, name, fifo, attributes, tags, dead_letter_arn, created_at, modified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (account_id, region, name) DO NOTHING
       RETURNING ${QUEUE_COLUMNS}`,
    ),
    getQueue: st('get_queue', `SELECT ${QUEUE_COLUMNS} FROM ${S}.queues WHERE account_id = $1 AND region = $2 AND name = $3`),
    getQueueById: st('get_queue_by_id', `SELECT ${QUEUE_COLUMNS} FROM ${S}.queues WHERE id = $1`),
    // Without the lock a read-modify-write would lose a concurrent update (the contract suite checks it).
    lockQueueForUpdate: st('lock_queue_for_update', `SELECT ${QUEUE_COLUMNS} FROM ${S}.queues WHERE id = $1 FOR UPDATE`),
    lockQueueRow: st('lock_queue_row', `SELECT id FROM ${S}.queues WHERE id = $1 FOR SHARE`),
    listQueues: st(
      'list_queues',
      `SELECT ${QUEUE_COLUMNS} FROM ${S}.queues
       WHERE account_id = $1 AND region = $2 AND name >= $3 AND name < $4 AND name > $5
       ORDER BY name LIMIT $6`,
    ),
    listDeadLetterSources: st(
      'list_dead_letter_sources',
      `SELECT ${QUEUE_COLUMNS} FROM ${S}.queues WHERE dead_letter_arn = $1 AND name > $2 ORDER BY name LIMIT $3`,
    ),
    updateQueue: st(
      'update_queue',
      `UPDATE ${S}.queues SET attributes = $1, tags = $2, dead_letter_arn = $3, modified_at = $4 WHERE id = $5`,
    ),
    deleteQueueRow: st('delete_queue_row', `DELETE FROM ${S}.queues WHERE id = $1`),
    // Groups first: every change to a FIFO message takes its group's lock before the message's.
    purgeGroups: st('purge_groups', `DELETE FROM ${S}.fifo_groups WHERE queue_id = $1`),
    purgeMessages: st('purge_messages', `DELETE FROM ${S}.messages WHERE queue_id = $1`),
    purgeDedup: st('purge_dedup', `DELETE FROM ${S}.fifo_dedup WHERE queue_id = $1`),
    purgeAttempts: st('purge_attempts', `DELETE FROM ${S}.receive_attempts WHERE queue_id = $1`),
    notify: st('notify', `SELECT pg_notify($1, $2)`),

    // Sends ----------------------------------------------------------------------------------------------------
    insertStandard: st('insert_standard', insertMessages(S, false)),
    insertFifo: st('insert_fifo', insertMessages(S, true)),
    /**
     * Creates the groups a FIFO insert needs, and locks them (existing ones too), in one order for everybody so
     * that two sends never wait on each other in a circle. Returns the groups it created (xmax = 0: inserted, not
     * updated), which carry head_id 0 until completeFifoInsert.
     */
    lockOrCreateGroups: st(
      'lock_or_create_groups',
      `INSERT INTO ${S}.fifo_groups AS f (queue_id, group_id, available_at, head_id)
       SELECT $1, g, 0, 0 FROM unnest($2::text[]) AS g ORDER BY g COLLATE "C"
       ON CONFLICT (queue_id, group_id) DO UPDATE SET head_id = f.head_id
       RETURNING f.group_id, (f.xmax = 0) AS created`,
    ),
    /**
     * After a FIFO insert: the groups it created start at their first message, and the deduplication ids it claimed
     * learn their message's sequence number. (Both driven by arrays and primary keys: the planner cannot turn them
     * into a nested loop over a CTE.)
     */
    completeFifoInsert: st(
      'complete_fifo_insert',
      `WITH heads AS (
         UPDATE ${S}.fifo_groups f SET head_id = v.head_id, available_at = v.available_at
         FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS v(group_id, head_id, available_at)
         WHERE f.queue_id = $1 AND f.group_id = v.group_id
         RETURNING 1
       )
       UPDATE ${S}.fifo_dedup d SET sequence_number = v.sequence_number
       FROM unnest($5::text[], $6::text[], $7::text[]) AS v(scope, dedup_id, sequence_number)
       WHERE d.queue_id = $1 AND d.scope = v.scope AND d.dedup_id = v.dedup_id`,
    ),
    /**
     * Claims deduplication ids: a new id, or one whose window has passed, is taken (sequence number to follow);
     * one inside its window is not returned. A concurrent send of the same id waits here until this one commits.
     */
    claimDedup: st(
      'claim_dedup',
      `INSERT INTO ${S}.fifo_dedup (queue_id, scope, dedup_id, message_id, sequence_number, expires_at)
       SELECT $1, t.scope, t.dedup_id, t.message_id, '', t.sent_at + $6
       FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS t(scope, dedup_id, message_id, sent_at)
       ORDER BY t.scope COLLATE "C", t.dedup_id COLLATE "C"
       ON CONFLICT (queue_id, scope, dedup_id) DO UPDATE
         SET message_id = excluded.message_id, sequence_number = '', expires_at = excluded.expires_at
         WHERE ${S}.fifo_dedup.expires_at <= excluded.expires_at - $6
       RETURNING scope, dedup_id`,
    ),
    getDedup: st(
      'get_dedup',
      `SELECT d.scope, d.dedup_id, d.message_id, d.sequence_number
       FROM unnest($2::text[], $3::text[]) AS t(scope, dedup_id)
       JOIN ${S}.fifo_dedup d ON d.queue_id = $1 AND d.scope = t.scope AND d.dedup_id = t.dedup_id`,
    ),

    // Receives -------------------------------------------------------------------------------------------------
    /** A standard receive without redrive, whole: expired rows go, then up to $3 visible rows are taken. */
    receiveStandard: st(
      'receive_standard',
      `WITH expired AS (
         DELETE FROM ${S}.messages WHERE id IN (
           SELECT id FROM ${S}.messages WHERE queue_id = $1 AND expires_at <= $2 LIMIT $6 FOR UPDATE SKIP LOCKED)
       ), c AS (
         SELECT id FROM ${S}.messages
         WHERE queue_id = $1 AND visible_at <= $2 AND expires_at > $2
         ORDER BY visible_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${S}.messages m SET visible_at = $4, receive_count = m.receive_count + 1,
         first_received_at = coalesce(m.first_received_at, $2), received_at = $2, receipt_token = $5
       FROM c WHERE m.id = c.id
       RETURNING m.id, m.queue_id, m.message_id, m.body, m.md5_body, m.attributes, m.md5_attributes, m.system_attributes,
         m.md5_system_attributes, m.sender_id, m.sent_at, m.visible_at, m.expires_at, m.receive_count, m.first_received_at,
         m.received_at, m.receipt_token, m.group_id, m.dedup_id, m.sequence_number, m.dead_letter_source_arn`,
    ),
    deleteExpiredStandard: st(
      'delete_expired_standard',
      `DELETE FROM ${S}.messages WHERE id IN (
         SELECT id FROM ${S}.messages WHERE queue_id = $1 AND expires_at <= $2 LIMIT $3 FOR UPDATE SKIP LOCKED)`,
    ),
    selectExpiredInQueue: st(
      'select_expired_in_queue',
      `SELECT id, group_id FROM ${S}.messages WHERE queue_id = $1 AND expires_at <= $2 LIMIT $3`,
    ),
    deleteExpiredByIds: st(
      'delete_expired_by_ids',
      `DELETE FROM ${S}.messages WHERE id = ANY($1::bigint[]) AND expires_at <= $2`,
    ),
    /** Visible candidates, locked, skipping rows another receive holds; $4 are rows this receive already saw. */
    selectVisibleLocked: st(
      'select_visible_locked',
      `SELECT ${MESSAGE_COLUMNS} FROM ${S}.messages
       WHERE queue_id = $1 AND visible_at <= $2 AND expires_at > $2 AND NOT (id = ANY($4::bigint[]))
       ORDER BY visible_at, id LIMIT $3
       FOR UPDATE SKIP LOCKED`,
    ),
    selectVisible: st(
      'select_visible',
      `SELECT ${MESSAGE_COLUMNS} FROM ${S}.messages WHERE queue_id = $1 AND visible_at <= $2 ORDER BY visible_at, id LIMIT $3`,
    ),
    lockVisibleByIds: st(
      'lock_visible_by_ids',
      `SELECT ${MESSAGE_COLUMNS} FROM ${S}.messages WHERE id = ANY($1::bigint[]) AND queue_id = $2 AND visible_at <= $3
       FOR UPDATE SKIP LOCKED`,
    ),
    selectVisibleByIds: st(
      'select_visible_by_ids',
      `SELECT ${MESSAGE_COLUMNS} FROM ${S}.messages WHERE id = ANY($1::bigint[]) AND queue_id = $2 AND visible_at <= $3`,
    ),
    markTaken: st(
      'mark_taken',
      `UPDATE ${S}.messages SET visible_at = $1, receive_count = receive_count + 1,
         first_received_at = coalesce(first_received_at, $2), received_at = $2, receipt_token = $3
       WHERE id = ANY($4::bigint[])`,
    ),
    /** FIFO: the groups that can deliver now, oldest head first; a group another receive holds is skipped. */
    lockAvailableGroups: st(
      'lock_available_groups',
      `SELECT group_id FROM ${S}.fifo_groups WHERE queue_id = $1 AND available_at <= $2
       ORDER BY available_at, head_id LIMIT $3
       FOR UPDATE SKIP LOCKED`,
    ),
    /** FIFO: the first $3 messages of each group in $2, group by group, in order. */
    selectGroupHeads: st(
      'select_group_heads',
      `SELECT m.* FROM unnest($2::text[]) WITH ORDINALITY AS g(gid, ord)
       CROSS JOIN LATERAL (
         SELECT ${MESSAGE_COLUMNS} FROM ${S}.messages WHERE queue_id = $1 AND group_id = g.gid ORDER BY id LIMIT $3
       ) m
       ORDER BY g.ord, m.id`,
    ),
    lockGroups: st(
      'lock_groups',
      `SELECT group_id FROM ${S}.fifo_groups WHERE queue_id = $1 AND group_id = ANY($2::text[])
       ORDER BY group_id COLLATE "C" FOR UPDATE`,
    ),
    lockGroupsSkipLocked: st(
      'lock_groups_skip_locked',
      `SELECT group_id FROM ${S}.fifo_groups WHERE queue_id = $1 AND group_id = ANY($2::text[])
       ORDER BY group_id COLLATE "C" FOR UPDATE SKIP LOCKED`,
    ),
    /**
     * A FIFO group is available when its oldest message is visible and none of its messages is in flight. Messages
     * in flight are always among the first few of the group (a receive takes from the head, at most ten, and the
     * group stays blocked until they are gone), so looking at the head of the group is enough. A group left
     * without messages goes.
     */
    refreshGroups: st(
      'refresh_groups',
      `WITH agg AS (
         SELECT g.gid, h.head_id, h.available_at
         FROM unnest($2::text[]) AS g(gid)
         LEFT JOIN LATERAL (
           SELECT min(z.id) AS head_id,
             greatest((array_agg(z.visible_at ORDER BY z.id))[1],
                      max(z.visible_at) FILTER (WHERE z.receive_count > 0 AND z.visible_at > $3)) AS available_at
           FROM (SELECT id, visible_at, receive_count FROM ${S}.messages
                 WHERE queue_id = $1 AND group_id = g.gid ORDER BY id LIMIT 10) z
         ) h ON true
       ), gone AS (
         DELETE FROM ${S}.fifo_groups f USING agg
         WHERE f.queue_id = $1 AND f.group_id = agg.gid AND agg.head_id IS NULL
         RETURNING 1
       )
       UPDATE ${S}.fifo_groups f SET head_id = agg.head_id, available_at = agg.available_at
       FROM agg WHERE f.queue_id = $1 AND f.group_id = agg.gid AND agg.head_id IS NOT NULL`,
    ),
    getAttempt: st(
      'get_attempt',
      `SELECT receipts FROM ${S}.receive_attempts WHERE queue_id = $1 AND attempt_id = $2 AND expires_at > $3`,
    ),
    putAttempt: st(
      'put_attempt',
      `INSERT INTO ${S}.receive_attempts (queue_id, attempt_id, expires_at, receipts) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue_id, attempt_id) DO UPDATE SET expires_at = excluded.expires_at, receipts = excluded.receipts`,
    ),
    selectMessagesByIds: st(
      'select_messages_by_ids',
      `SELECT ${MESSAGE_COLUMNS} FROM ${S}.messages WHERE id = ANY($1::bigint[]) AND queue_id = $2`,
    ),
    setVisibleAtByIds: st(
      'set_visible_at_by_ids',
      `UPDATE ${S}.messages SET visible_at = $1 WHERE id = ANY($2::bigint[])`,
    ),
    deleteByIds: st('delete_by_ids', `DELETE FROM ${S}.messages WHERE id = ANY($1::bigint[])`),

    // Receipts -------------------------------------------------------------------------------------------------
    /**
     * Standard queues delete whatever handle names the message (AWS), so one statement does it. Rows of a FIFO
     * queue are only reported (deleted = false), for the caller to handle under their groups' locks.
     */
    deleteStandard: st(
      'delete_standard',
      `WITH d AS (
         DELETE FROM ${S}.messages WHERE id = ANY($2::bigint[]) AND queue_id = $1 AND sequence_number IS NULL RETURNING id
       )
       SELECT id, true AS deleted FROM d
       UNION ALL
       SELECT id, false FROM ${S}.messages WHERE id = ANY($2::bigint[]) AND queue_id = $1 AND sequence_number IS NOT NULL`,
    ),
    receiptGroups: st(
      'receipt_groups',
      `SELECT DISTINCT group_id FROM ${S}.messages
       WHERE id = ANY($1::bigint[]) AND queue_id = $2 AND sequence_number IS NOT NULL`,
    ),
    receiptStates: st(
      'receipt_states',
      `SELECT id, receipt_token, visible_at, received_at, group_id, sequence_number FROM ${S}.messages
       WHERE id = ANY($1::bigint[]) AND queue_id = $2 ORDER BY id FOR UPDATE`,
    ),
    setVisibleAtEach: st(
      'set_visible_at_each',
      `UPDATE ${S}.messages m SET visible_at = v.visible_at
       FROM unnest($1::bigint[], $2::bigint[]) AS v(id, visible_at) WHERE m.id = v.id`,
    ),

    // Counts ---------------------------------------------------------------------------------------------------
    counts: st(
      'counts',
      `SELECT count(*) FILTER (WHERE visible_at <= $2) AS visible,
         count(*) FILTER (WHERE visible_at > $2 AND receive_count > 0) AS inflight,
         count(*) FILTER (WHERE visible_at > $2 AND receive_count = 0) AS delayed
       FROM ${S}.messages WHERE queue_id = $1`,
    ),
    nextVisible: st('next_visible', `SELECT min(visible_at) AS t FROM ${S}.messages WHERE queue_id = $1 AND visible_at > $2`),

    // Retention ------------------------------------------------------------------------------------------------
    /** Expired rows, queue by queue on the (queue_id, expires_at) index, up to $2 in all. */
    selectExpired: st(
      'select_expired',
      `SELECT q.id AS queue_id, q.fifo, e.id, e.group_id
       FROM ${S}.queues q
       CROSS JOIN LATERAL (
         SELECT id, group_id FROM ${S}.messages m WHERE m.queue_id = q.id AND m.expires_at <= $1 LIMIT $2
       ) e
       LIMIT $2`,
    ),
    deleteByIdsSkipLocked: st(
      'delete_by_ids_skip_locked',
      `DELETE FROM ${S}.messages WHERE id IN (
         SELECT id FROM ${S}.messages WHERE id = ANY($1::bigint[]) AND expires_at <= $2 FOR UPDATE SKIP LOCKED)`,
    ),
    deleteExpiredDedup: st('delete_expired_dedup', `DELETE FROM ${S}.fifo_dedup WHERE expires_at <= $1`),
    deleteExpiredAttempts: st('delete_expired_attempts', `DELETE FROM ${S}.receive_attempts WHERE expires_at <= $1`),

    // Move tasks -----------------------------------------------------------------------------------------------
    putMoveTask: st(
      'put_move_task',
      `INSERT INTO ${S}.move_tasks (task_handle, source_arn, status, record, started_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (task_handle) DO UPDATE SET status = excluded.status, record = excluded.record`,
    ),
    listMoveTasks: st(
      'list_move_tasks',
      `SELECT record FROM ${S}.move_tasks WHERE source_arn = $1 ORDER BY started_at DESC LIMIT $2`,
    ),
    listActiveMoveTasks: st(
      'list_active_move_tasks',
      `SELECT record FROM ${S}.move_tasks WHERE status IN ('RUNNING', 'CANCELLING') ORDER BY started_at`,
    ),
    getMoveTask: st('get_move_task', `SELECT record FROM ${S}.move_tasks WHERE task_handle = $1`),
    lockMoveTask: st('lock_move_task', `SELECT record FROM ${S}.move_tasks WHERE task_handle = $1 FOR UPDATE`),
  };
}

export type Statements = ReturnType<typeof statements>;
