/**
 * Every `postbox start` option takes effect, by flag and by environment variable, and a flag beats its variable.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanup, freePort, getHealth, startCli, tempDir, type CliProcess, type SpawnOptions } from '../support/process.js';
import { cliClient, unsignedJson } from './util.js';

after(cleanup);

/** Starts, runs `body`, stops cleanly (asserting exit 0) — and kills the child whatever happens. */
async function withServer(o: SpawnOptions, body: (s: CliProcess) => Promise<void>): Promise<void> {
  const server = await startCli(o);
  try {
    await body(server);
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, `clean exit (stderr: ${server.stderr()})`);
  } finally {
    await server.kill9();
  }
}

async function arnOf(endpoint: string, name: string): Promise<string> {
  const created = await unsignedJson(endpoint, 'CreateQueue', { QueueName: name });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  const attrs = await unsignedJson(endpoint, 'GetQueueAttributes', { QueueUrl: created.json['QueueUrl'], AttributeNames: ['QueueArn'] });
  return (attrs.json['Attributes'] as Record<string, string>)['QueueArn']!;
}

describe('port', () => {
  test('--port N listens on N', async () => {
    const port = await freePort();
    await withServer({ cwd: tempDir(), args: ['--port', String(port)] }, async (s) => {
      assert.equal(s.port, port);
      assert.match(s.endpointLine, new RegExp(`:${port}\\b`));
      await getHealth(`http://127.0.0.1:${port}`);
    });
  });

  test('POSTBOX_PORT=N listens on N', async () => {
    const port = await freePort();
    await withServer({ cwd: tempDir(), env: { POSTBOX_PORT: String(port) } }, async (s) => {
      assert.equal(s.port, port);
      await getHealth(`http://127.0.0.1:${port}`);
    });
  });

  test('--port wins over POSTBOX_PORT', async () => {
    const port = await freePort();
    await withServer({ cwd: tempDir(), args: ['--port', String(port)], env: { POSTBOX_PORT: 'not-a-port' } }, async (s) => {
      assert.equal(s.port, port);
    });
  });

  test('a port already in use: exits non-zero with a message, without Ready.', async () => {
    const first = await startCli({ cwd: tempDir(), args: ['--port', '0'] });
    try {
      await assert.rejects(startCli({ cwd: tempDir(), args: ['--port', String(first.port)] }), (err: Error) => {
        assert.match(err.message, /exited \(1\) before Ready\./);
        assert.match(err.message, /EADDRINUSE/);
        return true;
      });
    } finally {
      await first.stop();
    }
  });
});

describe('account', () => {
  test('POSTBOX_ACCOUNT is the account of queue URLs and ARNs', async () => {
    await withServer({ cwd: tempDir(), args: ['--port', '0'], env: { POSTBOX_ACCOUNT: '123456789012' } }, async (s) => {
      const client = cliClient(s.endpoint);
      try {
        const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'acct' }));
        assert.equal(new URL(QueueUrl!).pathname, '/123456789012/acct');
        const a = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
        assert.equal(a.Attributes!['QueueArn'], 'arn:aws:sqs:us-east-1:123456789012:acct');
      } finally {
        client.destroy();
      }
    });
  });

  test('--account wins over POSTBOX_ACCOUNT', async () => {
    await withServer({ cwd: tempDir(), args: ['--port', '0', '--account', '210987654321'], env: { POSTBOX_ACCOUNT: '123456789012' } }, async (s) => {
      const client = cliClient(s.endpoint);
      try {
        const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'acct' }));
        assert.equal(new URL(QueueUrl!).pathname, '/210987654321/acct');
      } finally {
        client.destroy();
      }
    });
  });
});

describe('region', () => {
  test('--region is the region of requests that name none', async () => {
    await withServer({ cwd: tempDir(), args: ['--port', '0', '--region', 'eu-west-1'] }, async (s) => {
      assert.equal(await arnOf(s.endpoint, 'reg'), 'arn:aws:sqs:eu-west-1:000000000000:reg');
      // A signed request names its own region and keeps it.
      const client = cliClient(s.endpoint, 'ap-southeast-2');
      try {
        const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'signed' }));
        const a = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
        assert.equal(a.Attributes!['QueueArn'], 'arn:aws:sqs:ap-southeast-2:000000000000:signed');
      } finally {
        client.destroy();
      }
      // The unsigned queue lives in eu-west-1: a client of that region sees it.
      const eu = cliClient(s.endpoint, 'eu-west-1');
      try {
        const { QueueUrls } = await eu.send(new ListQueuesCommand({}));
        assert.deepEqual(QueueUrls?.map((u) => u.split('/').pop()), ['reg']);
      } finally {
        eu.destroy();
      }
    });
  });

  test('POSTBOX_REGION, and --region wins over it', async () => {
    await withServer({ cwd: tempDir(), args: ['--port', '0'], env: { POSTBOX_REGION: 'us-west-2' } }, async (s) => {
      assert.equal(await arnOf(s.endpoint, 'reg'), 'arn:aws:sqs:us-west-2:000000000000:reg');
    });
    await withServer({ cwd: tempDir(), args: ['--port', '0', '--region', 'eu-central-1'], env: { POSTBOX_REGION: 'us-west-2' } }, async (s) => {
      assert.equal(await arnOf(s.endpoint, 'reg'), 'arn:aws:sqs:eu-central-1:000000000000:reg');
    });
  });
});

describe('storage', () => {
  test('--data DIR creates DIR (nested) and the SQLite file in it, and the endpoint line names it', async () => {
    const root = tempDir();
    const dir = join(root, 'a', 'b', 'data');
    await withServer({ cwd: tempDir(), args: ['--port', '0', '--data', dir] }, async (s) => {
      assert.ok(existsSync(join(dir, 'postbox.db')), 'postbox.db in --data');
      assert.match(s.endpointLine, new RegExp(`\\(SQLite in ${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
    });
  });

  test('POSTBOX_DATA, and --data wins over it', async () => {
    const envDir = join(tempDir(), 'env-data');
    const flagDir = join(tempDir(), 'flag-data');
    await withServer({ cwd: tempDir(), args: ['--port', '0'], env: { POSTBOX_DATA: envDir } }, async () => {
      assert.ok(existsSync(join(envDir, 'postbox.db')));
    });
    const cwd = tempDir();
    await withServer({ cwd, args: ['--port', '0', '--data', flagDir], env: { POSTBOX_DATA: envDir + '-unused' } }, async () => {
      assert.ok(existsSync(join(flagDir, 'postbox.db')));
      assert.ok(!existsSync(envDir + '-unused'));
      assert.ok(!existsSync(join(cwd, '.postbox')));
    });
  });

  test('--data relative to the working directory', async () => {
    const cwd = tempDir();
    await withServer({ cwd, args: ['--port', '0', '--data', 'rel/dir'] }, async () => {
      assert.ok(existsSync(join(cwd, 'rel', 'dir', 'postbox.db')));
    });
  });

  for (const how of ['--memory', 'POSTBOX_MEMORY=1'] as const) {
    test(`${how}: no data directory, no file, and nothing survives a restart`, async () => {
      const cwd = tempDir();
      const o: SpawnOptions = how === '--memory' ? { cwd, args: ['--port', '0', '--memory'] } : { cwd, args: ['--port', '0'], env: { POSTBOX_MEMORY: '1' } };
      await withServer(o, async (s) => {
        assert.match(s.endpointLine, /\(in memory\)/);
        const client = cliClient(s.endpoint);
        try {
          const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'ephemeral' }));
          await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'gone at stop' }));
        } finally {
          client.destroy();
        }
        assert.deepEqual(readdirSync(cwd), [], 'the working directory stays empty');
      });
      await withServer(o, async (s) => {
        const client = cliClient(s.endpoint);
        try {
          await assert.rejects(client.send(new GetQueueUrlCommand({ QueueName: 'ephemeral' })), { name: 'QueueDoesNotExist' });
        } finally {
          client.destroy();
        }
      });
      assert.deepEqual(readdirSync(cwd), []);
    });
  }

  test('--memory wins over POSTBOX_DATA', async () => {
    const envDir = join(tempDir(), 'never');
    await withServer({ cwd: tempDir(), args: ['--port', '0', '--memory'], env: { POSTBOX_DATA: envDir } }, async () => {
      assert.ok(!existsSync(envDir));
    });
  });

  test('--durability full and POSTBOX_DURABILITY=full start and serve', async () => {
    for (const o of [{ args: ['--durability', 'full'] }, { env: { POSTBOX_DURABILITY: 'full' } }, { args: ['--durability', 'normal'] }]) {
      const dir = tempDir();
      await withServer({ cwd: dir, ...o, args: ['--port', '0', ...(o.args ?? [])] }, async (s) => {
        const client = cliClient(s.endpoint);
        try {
          const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'd' }));
          await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
        } finally {
          client.destroy();
        }
        assert.ok(existsSync(join(dir, '.postbox', 'postbox.db')));
      });
    }
  });
});

describe('host and logging', () => {
  test('POSTBOX_HOST=127.0.0.1 is honoured like --host', async () => {
    await withServer({ cwd: tempDir(), args: ['--port', '0'], env: { POSTBOX_HOST: '127.0.0.1' } }, async (s) => {
      await getHealth(s.endpoint);
    });
  });

  test('--log-level silent and POSTBOX_LOG_LEVEL=silent: only the endpoint line and Ready. on stdout', async () => {
    for (const o of [{ args: ['--log-level', 'silent'] }, { env: { POSTBOX_LOG_LEVEL: 'silent' } }]) {
      const server = await startCli({ cwd: tempDir(), ...o, args: ['--port', '0', ...(o.args ?? [])] });
      try {
        // An internal error would be logged at error level; a bad request is not an error. Make a few requests.
        await unsignedJson(server.endpoint, 'GetQueueUrl', { QueueName: 'nope' });
        await unsignedJson(server.endpoint, 'NoSuchAction', {});
        const exit = await server.stop();
        assert.deepEqual(exit, { code: 0, signal: null });
        assert.deepEqual(
          server.stdout().trim().split('\n'),
          [server.endpointLine, 'Ready.', 'Received SIGTERM, stopping.'],
        );
        assert.equal(server.stderr(), '');
      } finally {
        await server.kill9();
      }
    }
  });
});
