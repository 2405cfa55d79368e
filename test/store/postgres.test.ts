/**
 * The place for the PostgreSQL engine: it must pass the same conformance suite as SQLite, unchanged.
 *
 * When src/store/postgres/engine.ts exists, replace the placeholder below with something like:
 *
 *   import { PostgresStore } from '../../src/store/postgres/engine.js';
 *   import { defineStoreContract, defineStorePersistence } from './contract-suite.js';
 *
 *   const url = process.env['POSTBOX_TEST_POSTGRES_URL'];
 *   if (url) {
 *     // Each store gets its own schema (or database), so tests never see one another's queues.
 *     let n = 0;
 *     const fresh = () => `postbox_test_${process.pid}_${++n}`;
 *     defineStoreContract('postgres', async () => PostgresStore.open({ url, schema: fresh() }));
 *     defineStorePersistence('postgres', async () => {
 *       const schema = fresh();
 *       return {
 *         open: () => PostgresStore.open({ url, schema }),
 *         dispose: () => dropSchema(url, schema),
 *       };
 *     });
 *   }
 *
 * Note for the engine: listQueues / listDeadLetterSources order names by code point (use COLLATE "C"), and queue
 * ids must never be reused (an identity column does this).
 */
import { test } from 'node:test';

test('store contract: postgres', { skip: 'no PostgreSQL engine yet (src/store/postgres)' }, () => {});
