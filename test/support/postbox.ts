import { SQSClient } from '@aws-sdk/client-sqs';
import { SQSClient as QuerySQSClient } from 'sqs-query';
import { startPostbox, type Postbox, type PostboxOptions } from '../../src/index.js';
import { ManualClock } from '../../src/core/clock.js';

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * A Postbox in this process, on a free port, quiet: in memory by default, or — when POSTBOX_TEST_STORAGE=postgres —
 * on the test PostgreSQL in a schema of its own (dropped at stop), so the same conformance tests cover both engines.
 */
export async function startTestPostbox(given: PostboxOptions = {}): Promise<Postbox> {
  // Retries wait their whole back-off unless a test asks for jitter: tests on a manual clock know when they come.
  const options: PostboxOptions = { random: () => 0, ...given };
  if (process.env['POSTBOX_TEST_STORAGE'] !== 'postgres' || options.storage || options.dataDir) {
    return startPostbox({ port: 0, host: '127.0.0.1', memory: true, logLevel: 'silent', ...options });
  }
  const { testDatabase, freshSchema, dropSchema } = await import('./postgres.js');
  const { connectionString } = await testDatabase();
  const schema = freshSchema();
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  const postbox = await startPostbox({ port: 0, host: '127.0.0.1', logLevel: 'silent', ...options, storage: url.toString() });
  const stop = postbox.stop.bind(postbox);
  return { ...postbox, stop: () => stop().then(() => dropSchema(schema)) };
}

/** True when this run drives the PostgreSQL engine (some services are SQLite-only so far). */
export const onPostgres = (): boolean => process.env['POSTBOX_TEST_STORAGE'] === 'postgres';

/** The current SDK (AWS JSON 1.0 protocol). */
export function jsonClient(endpoint: string, region = 'us-east-1', accessKeyId = 'test'): SQSClient {
  return new SQSClient({ endpoint, region, credentials: { ...credentials, accessKeyId }, maxAttempts: 1 });
}

/** @aws-sdk/client-sqs 3.445.0, the last release that speaks the AWS Query protocol. */
export function queryClient(endpoint: string, region = 'us-east-1', accessKeyId = 'test'): QuerySQSClient {
  return new QuerySQSClient({ endpoint, region, credentials: { ...credentials, accessKeyId }, maxAttempts: 1 });
}

/** A Postbox driven by a ManualClock, so tests move time instead of sleeping. */
export async function startClockedPostbox(options: PostboxOptions = {}): Promise<{ postbox: Postbox; clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const postbox = await startTestPostbox({ ...options, clock });
  return { postbox, clock };
}

let counter = 0;
/** A queue name unique within the test run. */
export const uniqueName = (prefix = 'q'): string => `${prefix}-${process.pid}-${++counter}`;

/** Lets pending I/O and timers run (for a request in flight to reach the server), without waiting on wall time. */
export const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));
