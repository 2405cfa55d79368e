// The load generator's entry point, run as its own process (forked by
// load-runner.ts) so that its CPU use is separate from the server's and
// measurable. Takes one task as argv JSON and reports over IPC.
import { describeError } from './describe-error.js';
import type { LoadMessage, LoadTask } from './load-protocol.js';
import { runCycle } from './cycle-run.js';
import { runPreload } from './preload-run.js';

/** Resolves once the message is handed to the IPC channel, so disconnecting afterwards cannot drop it. */
function report(message: LoadMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send) process.send(message, undefined, undefined, () => resolve());
    else process.stdout.write(JSON.stringify(message) + '\n', () => resolve());
  });
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: load.js <task JSON>');
  const task = JSON.parse(raw) as LoadTask;
  const result = task.kind === 'cycle' ? await runCycle(task) : await runPreload(task, (text) => void report({ type: 'progress', text }));
  await report({ type: 'result', result });
}

main().then(
  () => process.disconnect?.(),
  async (error: unknown) => {
    process.exitCode = 1;
    await report({ type: 'failed', error: describeError(error) });
    process.disconnect?.();
  },
);
