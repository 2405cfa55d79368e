// What every part of the orchestrator shares: paths, the settings of this run,
// progress logging, and which source revision is being measured.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type BenchConfig } from './config.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Overridable so a frozen build can be measured while dist/ is being rebuilt.
export const POSTBOX_CLI = path.resolve(process.env['BENCH_POSTBOX_CLI'] ?? path.join(ROOT, 'dist', 'src', 'cli', 'main.js'));
export const NOOP_SERVER = fileURLToPath(new URL('./noop-server.js', import.meta.url));
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

export const config: BenchConfig = loadConfig();

export const log = (text: string): void => console.log(`· ${text}`);
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The commit measured, marked "+dirty" when src/ has uncommitted changes; undefined outside git.
 * A build given by BENCH_POSTBOX_CLI is described by BENCH_REVISION instead.
 */
export function sourceRevision(): string | undefined {
  if (process.env['BENCH_POSTBOX_CLI']) return process.env['BENCH_REVISION'] ?? 'a custom build';
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src') ? '+dirty' : '');
  } catch {
    return undefined;
  }
}

