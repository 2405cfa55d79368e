import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const LAZY_LOGGER = new URL('../../src/lazy-logger.js', import.meta.url).href;

/** Runs `body` in a fresh process with `logger = lazyLogger(level)`; its stdout, and whether pino got loaded. */
function inChild(level: string, body: string): { lines: Record<string, unknown>[]; pinoLoaded: boolean; stderr: string; status: number | null } {
  const script = `
    import { createRequire } from 'node:module';
    import { lazyLogger } from ${JSON.stringify(LAZY_LOGGER)};
    const logger = lazyLogger(${JSON.stringify(level)});
    ${body}
    const pinoLoaded = Object.keys(createRequire(${JSON.stringify(LAZY_LOGGER)}).cache).some((p) => /[\\\\/]pino[\\\\/]pino\\.js$/.test(p));
    process.stderr.write('PINO ' + pinoLoaded + '\\n');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  const lines = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, pinoLoaded: /PINO true/.test(r.stderr), stderr: r.stderr, status: r.status };
}

test('below its level the logger writes nothing and never loads pino', () => {
  const r = inChild('info', `logger.debug({ a: 1 }, 'quiet'); logger.trace('quieter');`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.lines, []);
  assert.equal(r.pinoLoaded, false);
});

test('at its level it writes what pino writes, in order, with no pid or hostname', () => {
  const r = inChild('info', `logger.info({ queue: 'q' }, 'first'); logger.debug('skipped'); logger.warn('second'); logger.error({ err: new Error('boom') }, 'third');`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.pinoLoaded, true);
  assert.deepEqual(r.lines.map((l) => [l['level'], l['msg']]), [[30, 'first'], [40, 'second'], [50, 'third']]);
  assert.equal(r.lines[0]!['queue'], 'q');
  assert.equal(typeof r.lines[0]!['time'], 'number');
  assert.equal('pid' in r.lines[0]!, false);
  assert.equal('hostname' in r.lines[0]!, false);
  assert.equal((r.lines[2]!['err'] as { message: string }).message, 'boom');
});

test('silent writes nothing; debug writes debug', () => {
  const silent = inChild('silent', `logger.fatal('no'); logger.error('no');`);
  assert.deepEqual(silent.lines, []);
  assert.equal(silent.pinoLoaded, false);
  const debug = inChild('debug', `logger.debug('yes'); logger.trace('no');`);
  assert.deepEqual(debug.lines.map((l) => l['msg']), ['yes']);
});

test('a level pino does not know is refused at once, as pino refuses it', () => {
  const r = inChild('loud', ``);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown level|loud/i);
});
