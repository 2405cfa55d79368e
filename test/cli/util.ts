/** Small helpers shared by the CLI tests (not a test file itself). */
import { connect, type Socket } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { credentials } from '../support/postbox.js';

/** An SDK client for a CLI child: never retries, never hangs forever. */
export function cliClient(endpoint: string, region = 'us-east-1'): SQSClient {
  return new SQSClient({
    endpoint,
    region,
    credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 30_000, connectionTimeout: 2_000 },
  });
}

/**
 * An unsigned AWS JSON 1.0 call (no Authorization header), so the server falls back to its default region and
 * account, as for a client that names neither.
 */
export async function unsignedJson(endpoint: string, action: string, input: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * An HTTP request written in two parts over a raw socket, so a test can hold it open (headers and half the body
 * sent) while it signals the server, then finish it. `response` resolves with the status and body once the
 * server answers and closes.
 */
export interface SlowRequest {
  socket: Socket;
  /** Writes the rest of the body. */
  finish(): void;
  response: Promise<{ status: number; body: string }>;
}

export async function slowJsonRequest(port: number, action: string, input: object): Promise<SlowRequest> {
  const body = Buffer.from(JSON.stringify(input));
  const head =
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-amz-json-1.0\r\n` +
    `X-Amz-Target: AmazonSQS.${action}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const half = Math.floor(body.length / 2);
  socket.write(Buffer.concat([Buffer.from(head), body.subarray(0, half)]));
  let text = '';
  socket.setEncoding('utf8').on('data', (c: string) => (text += c));
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      if (!m || split < 0) reject(new Error(`no HTTP response (${JSON.stringify(text.slice(0, 200))})`));
      else resolve({ status: Number(m[1]), body: text.slice(split + 4) });
    });
  });
  return { socket, response, finish: () => socket.end(body.subarray(half)) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with how long `p` took, or rejects after `ms`. */
export async function within<T>(ms: number, p: Promise<T>, what: string): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
    ]);
    return { value, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** `p`'s value, or undefined once `ms` pass first (the timer is cleared either way). */
export async function orTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
