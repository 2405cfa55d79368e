// Launching the servers under test and preparing them: data directories, the
// benchmark queue, and the setup-time calls that are not part of any measurement.
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { config, errorText, log, NOOP_SERVER, POSTBOX_CLI } from './context.js';
import { callJson } from './json-protocol.js';
import { LeanJsonClient } from './lean-json-client.js';
import type { ServerKind } from './scenarios.js';
import type { ServerLaunch } from './server-process.js';
import { QUEUE_NAME } from './workload.js';

export function launchFor(kind: ServerKind, dataDir?: string): ServerLaunch {
  if (kind === 'noop') {
    return { name: 'no-op server', script: NOOP_SERVER, args: ['--port', '{port}', '--body-bytes', String(config.bodyBytes)] };
  }
  const storage = kind === 'postbox-memory' ? ['--memory'] : ['--data', dataDir!];
  return {
    name: 'postbox',
    script: POSTBOX_CLI,
    args: ['start', '--host', '127.0.0.1', '--port', '{port}', ...storage, ...config.postboxArgs],
  };
}

export function newDataDir(): Promise<string> {
  return mkdtemp(path.join(config.dataParent, 'postbox-bench-'));
}

export async function directoryMiB(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += (await stat(path.join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return bytes / 1024 / 1024;
}

function setupClient(endpoint: string): LeanJsonClient {
  return new LeanJsonClient(endpoint, { maxSockets: 4, requestTimeoutMs: config.requestTimeoutMs });
}

export async function createQueue(endpoint: string): Promise<string> {
  const client = setupClient(endpoint);
  try {
    const out = await callJson<{ QueueUrl: string }>(client, 'CreateQueue', { QueueName: QUEUE_NAME });
    return out.QueueUrl;
  } finally {
    client.close();
  }
}

/** ApproximateNumberOfMessages, or undefined if the server cannot say. */
export async function queueDepth(endpoint: string, queueUrl: string): Promise<number | undefined> {
  const client = setupClient(endpoint);
  try {
    const out = await callJson<{ Attributes?: Record<string, string> }>(client, 'GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    });
    const value = Number(out.Attributes?.['ApproximateNumberOfMessages']);
    return Number.isFinite(value) ? value : undefined;
  } catch (error) {
    log(`GetQueueAttributes failed: ${errorText(error)}`);
    return undefined;
  } finally {
    client.close();
  }
}
