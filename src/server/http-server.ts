import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatcher } from './dispatch.js';

/** Largest request body accepted: a 1 MiB message batch, JSON-escaped or base64-encoded, fits with room to spare. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpServerOptions {
  port: number;
  host: string | undefined;
  dispatcher: Dispatcher;
  /** The health answer: 200 when the node is ready, 503 (with the reason in the body) when it is not. */
  health: () => { status: number; body: object };
  logger: Logger;
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting connections and resolves once requests in flight have been answered. */
  close(): Promise<void>;
}

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, HEAD, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-expose-headers': 'x-amzn-requestid, x-amzn-query-error, x-amz-request-id',
};

const NO_QUERY = new URLSearchParams();
const HEALTH_PATHS = new Set(['/_postbox/health', '/_localstack/health']);

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { dispatcher, logger } = options;
  // Once stopping, every answer closes its connection, so keep-alive clients cannot hold the process open.
  let closing = false;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });
  // A client may half-close its side once it has sent a request (shutdown(SHUT_WR)) and still read the answer. By
  // default node:http then abandons the requests not yet answered and ends the socket; with this set it answers
  // them and closes after the last. It matters most for writes, which are answered only once committed (on the
  // commit thread, a few event-loop turns after the request arrived).
  (server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    // Browsers (the AWS SDK in a web page, the console) get CORS headers; other clients are spared the bytes.
    const cors = req.headers.origin ? CORS_HEADERS : undefined;
    if (req.method === 'OPTIONS') {
      res.writeHead(200, CORS_HEADERS).end();
      req.resume();
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && HEALTH_PATHS.has(path)) {
      req.resume();
      const health = options.health();
      res.writeHead(health.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(health.body));
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('Request body too large');
      return;
    }
    const out = await dispatcher.dispatch({
      method: req.method ?? 'GET',
      path,
      query: q < 0 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)),
      headers: req.headers,
      body,
    });
    res.writeHead(out.status, responseHead(out.headers, cors, out.body, closing));
    // Head and body leave in one write: node:http joins a string body to the head it has not sent yet.
    res.end(out.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * The response head as node:http's flat [name, value, …] list, which it takes as is: no merged header object per
 * request. A CORS header replaces the service's header of the same name, as spreading one object over the other
 * would.
 */
function responseHead(headers: Record<string, string>, cors: Record<string, string> | undefined, body: string, closing: boolean): string[] {
  const head: string[] = [];
  for (const name in headers) head.push(name, cors?.[name] ?? headers[name]!);
  if (cors) for (const name in cors) if (!(name in headers)) head.push(name, cors[name]!);
  head.push('content-length', String(Buffer.byteLength(body)));
  if (closing) head.push('connection', 'close');
  return head;
}

/** Reads the whole body, or answers undefined once it passes MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
