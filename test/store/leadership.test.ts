/**
 * Leader election (src/store/leadership.ts): the SQLite engine's single node always leads; on PostgreSQL, nodes
 * sharing a schema elect one leader per role through session advisory locks, and a standby takes over when the
 * leader's session ends — closed, terminated by the server, or gone with its process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SoleLeadership } from '../../src/store/leadership.js';
import { PostgresLeadership } from '../../src/store/postgres/leadership.js';
import { freshSchema, testDatabase } from '../support/postgres.js';

const INTERVAL = 100;

const until = async (check: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function electors(n: number, schema = freshSchema(), applicationName?: string): Promise<PostgresLeadership[]> {
  const { connectionString } = await testDatabase();
  const url = new URL(connectionString);
  if (applicationName) url.searchParams.set('application_name', applicationName);
  return Array.from({ length: n }, () => new PostgresLeadership({ connectionString: url.toString() }, schema, { intervalMs: INTERVAL }));
}

test('sqlite: a single node holds every lease until it releases it', async () => {
  const leadership = new SoleLeadership();
  const lease = leadership.lease('work');
  assert.equal(lease.held, true);
  const changes: boolean[] = [];
  lease.onChange((h) => changes.push(h));
  await leadership.settled();
  await leadership.close();
  assert.equal(lease.held, false);
  assert.deepEqual(changes, [false]);
});

test('postgres: one leader per role among several nodes; roles are independent; schemas are independent', async () => {
  const schema = freshSchema();
  const nodes = await electors(3, schema);
  const elsewhere = (await electors(1))[0]!;
  try {
    const a = nodes.map((n) => n.lease('a'));
    const b = nodes.map((n) => n.lease('b'));
    const other = elsewhere.lease('a');
    await Promise.all([...nodes, elsewhere].map((n) => n.settled()));
    await until(() => a.filter((l) => l.held).length === 1 && b.filter((l) => l.held).length === 1);
    assert.equal(other.held, true, 'another schema has a leader of its own');
    // Stays that way over several rounds.
    await new Promise((r) => setTimeout(r, 4 * INTERVAL));
    assert.equal(a.filter((l) => l.held).length, 1);
    assert.equal(b.filter((l) => l.held).length, 1);
  } finally {
    for (const n of [...nodes, elsewhere]) await n.close();
  }
});

test('postgres: when the leader closes or releases, a standby takes over', async () => {
  const nodes = await electors(2);
  try {
    const leases = nodes.map((n) => n.lease('work'));
    await until(() => leases.some((l) => l.held));
    const leader = leases.findIndex((l) => l.held);
    const standby = 1 - leader;
    const heard: boolean[] = [];
    leases[standby]!.onChange((h) => heard.push(h));
    await leases[leader]!.release();
    assert.equal(leases[leader]!.held, false);
    await until(() => leases[standby]!.held, 3_000);
    assert.deepEqual(heard, [true]);
    // And back again when the new leader's node closes (its session and locks end).
    const again = nodes[leader]!.lease('work');
    await nodes[standby]!.close();
    await until(() => again.held, 3_000);
  } finally {
    for (const n of nodes) await n.close();
  }
});

test('postgres: a leader whose session the server ends steps down at once and campaigns again', async () => {
  const app = `postbox_leader_${process.pid}`;
  const nodes = await electors(1, freshSchema(), app);
  const { connectionString } = await testDatabase();
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    const lease = nodes[0]!.lease('work');
    await until(() => lease.held);
    const heard: boolean[] = [];
    lease.onChange((h) => heard.push(h));
    const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
    assert.equal(killed.rowCount, 1);
    await until(() => heard.length >= 1, 3_000);
    assert.equal(heard[0], false, 'stepped down when the session ended');
    await until(() => lease.held, 5_000);
    assert.deepEqual(heard, [false, true]);
  } finally {
    await admin.end();
    for (const n of nodes) await n.close();
  }
});
