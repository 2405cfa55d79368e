// The contract between the orchestrator (run.ts) and the load-generator process
// (load.ts): a task goes in as argv JSON, progress and one result come back over IPC.
import type { LatencySummary } from './histogram.js';

/**
 * lean: raw keep-alive sockets with pre-serialised requests (the default; cheapest).
 * node-http: node:http with a keep-alive Agent (cross-check).
 * sdk: @aws-sdk/client-sqs, signing and MD5 checks included (what users see).
 */
export type ClientKind = 'lean' | 'node-http' | 'sdk';

export interface CycleTask {
  kind: 'cycle';
  client: ClientKind;
  endpoint: string;
  queueUrl: string;
  /** Concurrent send→receive→delete loops (= keep-alive connections). */
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  waitTimeSeconds: number;
  bodyBytes: number;
  /** Hard cap per loop so a loop ends even if the clock misbehaves. */
  maxCyclesPerLoop: number;
  requestTimeoutMs: number;
  /** Server pid, to read its CPU time over exactly the measured window. */
  serverPid?: number;
}

export interface PreloadTask {
  kind: 'preload';
  endpoint: string;
  queueUrl: string;
  concurrency: number;
  /** Rounded up to a whole number of batches. */
  messages: number;
  bodyBytes: number;
  timeLimitSeconds: number;
  requestTimeoutMs: number;
}

export type LoadTask = CycleTask | PreloadTask;

export type CallName = 'send' | 'receive' | 'delete';

export interface CallStats extends LatencySummary {
  errors: number;
  /** Entries reported in a batch response's Failed list. */
  failedEntries: number;
}

export interface CycleResult {
  kind: 'cycle';
  client: ClientKind;
  concurrency: number;
  measuredSeconds: number;
  /** Messages sent, received and deleted — deletes that succeeded inside the window. */
  cycledMessages: number;
  cycledPerSecond: number;
  sentPerSecond: number;
  receivedPerSecond: number;
  emptyReceives: number;
  calls: Record<CallName, CallStats>;
  /** CPU of the load generator / server over the window, in % of one core. */
  loadCpuPercent: number;
  serverCpuPercent?: number;
  /** The server's main thread alone (% of one core). */
  serverMainCpuPercent?: number;
  /** Everything else on the machine over the window (other processes, kernel), % of one core. */
  otherCpuPercent?: number;
  errorSamples: string[];
}

export interface PreloadResult {
  kind: 'preload';
  sentMessages: number;
  seconds: number;
  messagesPerSecond: number;
  errors: number;
  completed: boolean;
  errorSamples: string[];
}

export type LoadResult = CycleResult | PreloadResult;

export type LoadMessage =
  | { type: 'progress'; text: string }
  | { type: 'result'; result: LoadResult }
  | { type: 'failed'; error: string };
