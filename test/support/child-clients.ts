/**
 * Running other programs as clients of a Postbox under test (boto3 scripts, the AWS CLI): an environment with test
 * credentials and nothing of the developer's own AWS configuration, and a runner that never blocks the event loop
 * (the server under test usually lives in the test's own process) and never throws.
 */
import { execFile } from 'node:child_process';

export const CHILD_TIMEOUT_MS = 60_000;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT…). */
  spawnError?: string;
}

/** The environment of every child: test credentials, nothing from the developer's own AWS configuration. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/postbox-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/postbox-test/credentials',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Runs a program to completion. Never throws: a failure to start is `spawnError`, a timeout a note in stderr. */
export function runChild(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: childEnv(), timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && typeof e.code === 'string') {
        resolve({ code: null, stdout: String(stdout), stderr: String(stderr), spawnError: `${e.code} ${e.message}` });
        return;
      }
      const signal = (e as { signal?: string } | null)?.signal;
      const note = signal ? `\n[killed by ${signal}${signal === 'SIGTERM' ? ` after the ${CHILD_TIMEOUT_MS} ms timeout` : ''}]` : '';
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) + note });
    });
  });
}

export const describeRun = (r: RunResult): string =>
  r.spawnError ? `could not start: ${r.spawnError}` : `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
