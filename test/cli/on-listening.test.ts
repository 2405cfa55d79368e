/**
 * `onListening`, where the CLI prints `Ready.`: called once the server listens and serves, before SNS and EventBridge
 * run (startPostbox resolves only then), after a config file is applied; a stop from there, with SNS and EventBridge
 * still loading, completes and closes the store.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startPostbox, type Postbox } from '../../src/index.js';
import { cleanup, getHealth, tempDir } from '../support/process.js';
import { unsignedJson } from './util.js';

after(cleanup);

test('onListening comes once, while the server serves, before startPostbox resolves; the config is applied by then', async () => {
  const calls: Array<{ postbox: Postbox; resolved: boolean; queueUrl: Promise<unknown> }> = [];
  let resolved = false;
  const starting = startPostbox({
    port: 0,
    host: '127.0.0.1',
    memory: true,
    logLevel: 'silent',
    config: { queues: [{ name: 'from-config' }] },
    onListening: (postbox) => {
      // Asked at once: SQS answers from here on, and the config's queue is there already.
      const queueUrl = unsignedJson(postbox.endpoint, 'GetQueueUrl', { QueueName: 'from-config' }).then((r) => r.json['QueueUrl']);
      calls.push({ postbox, resolved, queueUrl });
    },
  });
  void starting.then(() => (resolved = true));
  const postbox = await starting;
  try {
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.postbox, postbox, 'the same Postbox startPostbox resolves with');
    assert.equal(calls[0]!.resolved, false, 'called before startPostbox resolved');
    assert.match(String(await calls[0]!.queueUrl), /\/000000000000\/from-config$/);
    assert.equal((await getHealth(postbox.endpoint)).status, 'ok');
  } finally {
    await postbox.stop();
  }
});

test('stop() from onListening, before SNS and EventBridge run: startPostbox resolves, the store is closed', async () => {
  const data = tempDir();
  let stopped: Promise<void> | undefined;
  const postbox = await startPostbox({
    port: 0,
    host: '127.0.0.1',
    dataDir: data,
    logLevel: 'silent',
    onListening: (pb) => (stopped = pb.stop()),
  });
  assert.ok(stopped, 'onListening was called');
  await stopped;
  await assert.rejects(getHealth(postbox.endpoint), 'no longer listening');
  // SQLite removes its write-ahead log when its last connection closes: the store was closed, not left open.
  assert.ok(existsSync(join(data, 'postbox.db')));
  assert.equal(existsSync(join(data, 'postbox.db-wal')), false, 'the store is closed');
});
