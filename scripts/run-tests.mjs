#!/usr/bin/env node
// Runs every compiled test file under dist/test with Node's built-in test runner, one file at a time (the machine
// has two cores and several suites start servers of their own). Then the SQS, SNS and EventBridge conformance suites
// run a second time against a PostgreSQL-backed server (POSTBOX_TEST_STORAGE=postgres), so both engines face the same
// clients.
// No test may take over two minutes: one that waits forever fails instead of hanging CI.
// An argument filters files by path; `--no-postgres-pass` skips the second pass.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
const args = process.argv.slice(2);
const skipPostgresPass = args.includes('--no-postgres-pass');
const filter = args.find((a) => !a.startsWith('--'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return walk(full);
    return name.endsWith('.test.js') ? [full] : [];
  });
}

function run(files, env) {
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

const files = walk(root).filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
let status = run(files, {});
const postgresPass = files.filter((f) => /conformance\/(json|query|sns|events|libraries)\//.test(f));
if (!skipPostgresPass && postgresPass.length) {
  console.log('\n# SQS, SNS and EventBridge conformance again, on the PostgreSQL engine\n');
  status = run(postgresPass, { POSTBOX_TEST_STORAGE: 'postgres' }) || status;
}
process.exit(status);
