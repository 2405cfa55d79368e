// Runs one load-generator task in a fresh child process and returns its result.
// A separate process keeps the generator's CPU off the orchestrator and makes it
// measurable; a generous timeout guarantees the benchmark ends even if a task hangs.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CycleResult, CycleTask, LoadMessage, LoadResult, LoadTask, PreloadResult, PreloadTask } from './load-protocol.js';

const LOAD_SCRIPT = fileURLToPath(new URL('./load.js', import.meta.url));
const SLACK_SECONDS = 90;

function taskBudgetSeconds(task: LoadTask): number {
  return (task.kind === 'cycle' ? task.warmupSeconds + task.seconds : task.timeLimitSeconds) + SLACK_SECONDS;
}

function runTask(task: LoadTask, onProgress: (text: string) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(LOAD_SCRIPT, [JSON.stringify(task)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The SDK warns about future Node versions on every start; it is noise here.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let settled = false;
    const finish = (error: Error | undefined, result?: LoadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result!);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`load generator exceeded ${taskBudgetSeconds(task)} s`));
    }, taskBudgetSeconds(task) * 1000);
    child.on('message', (message: LoadMessage) => {
      if (message.type === 'progress') onProgress(message.text);
      else if (message.type === 'result') finish(undefined, message.result);
      else finish(new Error(`load generator failed: ${message.error}`));
    });
    // 'close' (not 'exit') fires only after every IPC message has been delivered.
    child.on('close', (code) => finish(new Error(`load generator exited (code ${code}) without a result`)));
    child.on('error', (error) => finish(error));
  });
}

export async function runCycle(task: CycleTask): Promise<CycleResult> {
  const result = await runTask(task, () => {});
  if (result.kind !== 'cycle') throw new Error('expected a cycle result');
  return result;
}

export async function runPreload(task: PreloadTask, onProgress: (text: string) => void): Promise<PreloadResult> {
  const result = await runTask(task, onProgress);
  if (result.kind !== 'preload') throw new Error('expected a preload result');
  return result;
}
