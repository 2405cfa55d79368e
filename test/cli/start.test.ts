/**
 * `postbox start`: what it prints, how fast it is ready, the health endpoints, and how it refuses bad usage.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanup, getHealth, portIsFree, runCli, startCli, tempDir } from '../support/process.js';
import { unsignedJson } from './util.js';

after(cleanup);

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('postbox start', () => {
  test('with no flags at all: port 4566, ./.postbox, account 000000000000, us-east-1', async (t) => {
    if (!(await portIsFree(4566))) {
      t.skip('port 4566 is taken on this machine');
      return;
    }
    const cwd = tempDir();
    const server = await startCli({ cwd, loopback: false, quiet: false });
    try {
      assert.equal(server.port, 4566);
      assert.match(server.endpointLine, /listening on http:\/\/localhost:4566\b/);
      assert.match(server.stdout(), /^Ready\.$/m);
      assert.ok(existsSync(join(cwd, '.postbox', 'postbox.db')), 'the default data directory is ./.postbox');
      const health = await getHealth(server.endpoint);
      assert.equal(health.status, 'ok');
      const created = await unsignedJson(server.endpoint, 'CreateQueue', { QueueName: 'defaults' });
      assert.equal(created.status, 200);
      assert.match(String(created.json['QueueUrl']), /\/000000000000\/defaults$/);
      const attrs = await unsignedJson(server.endpoint, 'GetQueueAttributes', { QueueUrl: created.json['QueueUrl'], AttributeNames: ['QueueArn'] });
      assert.equal((attrs.json['Attributes'] as Record<string, string>)['QueueArn'], 'arn:aws:sqs:us-east-1:000000000000:defaults');
      assert.deepEqual(await server.stop(), { code: 0, signal: null });
    } finally {
      await server.kill9();
    }
  });

  test('prints the endpoint line then Ready., is ready in under 3 s, and --port 0 prints the port it got', async () => {
    const cwd = tempDir();
    const server = await startCli({ cwd, args: ['--port', '0'] });
    try {
      const lines = server.stdout().split('\n');
      const endpointAt = lines.findIndex((l) => /listening on http:\/\/\S+:\d+/.test(l));
      const readyAt = lines.indexOf('Ready.');
      assert.ok(endpointAt >= 0 && readyAt > endpointAt, `endpoint line, then Ready.: ${JSON.stringify(lines)}`);
      assert.match(lines[endpointAt]!, new RegExp(`Postbox ${VERSION.replace(/\./g, '\\.')} listening on http://localhost:${server.port} \\(SQLite in \\.postbox\\)`));
      assert.ok(server.port > 0 && server.port !== 4566, `a port picked by the system, got ${server.port}`);
      assert.ok(server.readyMs < 3_000, `spawn to Ready. took ${Math.round(server.readyMs)} ms`);
      assert.equal(server.stderr(), '', 'nothing on stderr');
      // Ready. means ready: the very first request is answered.
      await getHealth(server.endpoint);
    } finally {
      await server.stop();
    }
  });

  test('health answers JSON on /_postbox/health and /_localstack/health', async () => {
    const server = await startCli({ cwd: tempDir(), args: ['--port', '0'] });
    try {
      for (const path of ['/_postbox/health', '/_localstack/health']) {
        const health = await getHealth(server.endpoint, path);
        assert.equal(health.status, 'ok', path);
        assert.equal(health.version, VERSION, path);
        assert.equal(health.services['sqs'], 'running', path);
        assert.equal(health.storage, 'sqlite', path);
      }
      const head = await fetch(server.endpoint + '/_localstack/health', { method: 'HEAD' });
      assert.equal(head.status, 200);
    } finally {
      await server.stop();
    }
  });

  test('--version and --help', async () => {
    const version = await runCli({ rawArgs: true, args: ['--version'] });
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), VERSION);
    const help = await runCli({ rawArgs: true, args: ['--help'] });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: postbox start \[options\]/);
    assert.match(help.stdout, /--durability/);
    assert.match(help.stdout, /--storage-wait/);
  });

  describe('bad usage exits 2 with the usage text on stderr, and starts nothing', () => {
    const cases: { name: string; args: string[]; env?: Record<string, string>; message: RegExp }[] = [
      { name: 'an unknown flag', args: ['start', '--bogus'], message: /Unknown option '--bogus'/ },
      { name: 'a flag missing its value', args: ['start', '--port'], message: /--port/ },
      { name: 'a stray argument', args: ['start', 'now'], message: /now/ },
      { name: 'a port out of range', args: ['start', '--port', '70000'], message: /invalid port "70000"/ },
      { name: 'a port that is no number', args: ['start', '--port', 'abc'], message: /invalid port "abc"/ },
      { name: 'a bad POSTBOX_PORT', args: ['start'], env: { POSTBOX_PORT: 'x1' }, message: /invalid port "x1"/ },
      { name: 'an unknown durability', args: ['start', '--durability', 'sometimes'], message: /invalid durability "sometimes"/ },
      { name: 'a bad POSTBOX_DURABILITY', args: ['start'], env: { POSTBOX_DURABILITY: 'FULL!' }, message: /invalid durability/ },
      { name: 'a negative storage wait', args: ['start', '--storage-wait=-1'], message: /invalid storage wait "-1"/ },
      { name: 'a bad POSTBOX_STORAGE_WAIT', args: ['start'], env: { POSTBOX_STORAGE_WAIT: 'soon' }, message: /invalid storage wait "soon"/ },
      { name: 'an unknown command', args: ['serve'], message: /unknown command "serve"/ },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const cwd = tempDir();
        const r = await runCli({ rawArgs: true, args: c.args, cwd, ...(c.env ? { env: c.env } : {}) });
        assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
        assert.match(r.stderr, c.message);
        assert.match(r.stderr, /Usage: postbox start \[options\]/);
        assert.doesNotMatch(r.stdout, /Ready\./);
        assert.ok(!existsSync(join(cwd, '.postbox')), 'no data directory was created');
      });
    }
  });

  // --port and --durability values are checked up front (exit 2 with usage); --account and --log-level values are
  // options just the same and should be refused the same way.
  describe('bad option values are usage errors like bad --port values', () => {
    const cases: { name: string; args: string[]; message: RegExp }[] = [
      { name: '--account that is not 12 digits', args: ['start', '--port', '0', '--host', '127.0.0.1', '--account', '12'], message: /12 digits/ },
      { name: '--log-level that pino does not know', args: ['start', '--port', '0', '--host', '127.0.0.1', '--log-level', 'loud'], message: /log.level|loud/i },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const cwd = tempDir();
        const r = await runCli({ rawArgs: true, args: c.args, cwd });
        assert.doesNotMatch(r.stdout, /Ready\./);
        assert.match(r.stderr, c.message);
        assert.equal(r.code, 2, `exit code (stderr: ${r.stderr.split('\n')[0]})`);
        assert.match(r.stderr, /Usage: postbox start \[options\]/);
      });
    }
  });
});
