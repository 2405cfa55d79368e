// Fills the queue for the deep-queue scenario with many concurrent
// SendMessageBatch calls; bounded by the message count and a time limit.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, ERROR_BACKOFF_MS, MAX_ERROR_SAMPLES } from './describe-error.js';
import { LeanJsonClient } from './lean-json-client.js';
import type { PreloadResult, PreloadTask } from './load-protocol.js';
import { RawCycleDriver } from './raw-cycle-driver.js';
import { BATCH_SIZE, messageBody } from './workload.js';

export async function runPreload(task: PreloadTask, progress: (text: string) => void): Promise<PreloadResult> {
  const client = new LeanJsonClient(task.endpoint, { maxSockets: task.concurrency, requestTimeoutMs: task.requestTimeoutMs });
  const driver = new RawCycleDriver(client, task.queueUrl, messageBody(task.bodyBytes), 0);
  const batches = Math.ceil(task.messages / BATCH_SIZE);
  const started = performance.now();
  const deadline = started + task.timeLimitSeconds * 1000;
  let claimed = 0;
  let sent = 0;
  let errors = 0;
  const errorSamples: string[] = [];

  const ticker = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    progress(`preloaded ${sent.toLocaleString('en-US')} messages in ${seconds.toFixed(0)} s`);
  }, 10_000);

  // Loops claim batches from a shared counter; a failed batch is retried by releasing its claim.
  const loop = async (): Promise<void> => {
    while (claimed < batches && performance.now() < deadline) {
      claimed += 1;
      try {
        const outcome = await driver.sendBatch();
        sent += outcome.succeeded;
        if (outcome.failed > 0) {
          errors += outcome.failed;
          if (errorSamples.length < MAX_ERROR_SAMPLES && outcome.firstFailure) errorSamples.push(outcome.firstFailure);
        }
      } catch (error) {
        claimed -= 1;
        errors += 1;
        if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(describeError(error));
        await sleep(ERROR_BACKOFF_MS);
      }
    }
  };
  await Promise.all(Array.from({ length: task.concurrency }, loop));
  clearInterval(ticker);
  driver.close();

  const seconds = (performance.now() - started) / 1000;
  return {
    kind: 'preload',
    sentMessages: sent,
    seconds: Math.round(seconds * 10) / 10,
    messagesPerSecond: Math.round(sent / seconds),
    errors,
    completed: sent >= batches * BATCH_SIZE,
    errorSamples,
  };
}

