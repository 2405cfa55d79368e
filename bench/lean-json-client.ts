// The default load-generator transport: HTTP/1.1 over plain keep-alive sockets
// (node:net), with every static request serialised to its final bytes once.
//
// Why not node:http? Measured on the 2-core bench box against the no-op server,
// the node:http client spent ~2x the CPU the node:http *server* spent per call,
// so the "ceiling" would have measured the load generator, not HTTP. This
// client does only what the benchmark needs: one request in flight per
// connection (no pipelining), status + Content-Length / chunked bodies,
// Connection: close honoured.
import net from 'node:net';
import {
  endpointParts,
  requestHeaders,
  serialiseBody,
  type JsonClientOptions,
  type JsonProtocolClient,
  type JsonResponse,
  type PreparedRequest,
} from './json-protocol.js';
import type { SqsAction } from './workload.js';

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

interface Pending {
  resolve(response: JsonResponse): void;
  reject(error: Error): void;
}

interface ParsedHead {
  status: number;
  bodyStart: number;
  contentLength: number; // -1 when absent
  chunked: boolean;
  close: boolean;
}

function parseHead(buffer: Buffer, headerEnd: number): ParsedHead {
  const head = buffer.toString('latin1', 0, headerEnd);
  const lines = head.split('\r\n');
  const status = Number(lines[0]!.split(' ', 3)[1]);
  let contentLength = -1;
  let chunked = false;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') contentLength = Number(value);
    else if (name === 'transfer-encoding') chunked = value.includes('chunked');
    else if (name === 'connection') close = value === 'close';
  }
  return { status, bodyStart: headerEnd + HEADER_END.length, contentLength, chunked, close };
}

/** Decodes a complete chunked body starting at `start`, or returns undefined if more bytes are needed. */
function decodeChunked(buffer: Buffer, start: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let position = start;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, position);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', position, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked encoding');
    if (size === 0) {
      // Last chunk: "0\r\n", optional trailer lines, then an empty line.
      return buffer.indexOf(HEADER_END, lineEnd) >= 0 ? Buffer.concat(parts) : undefined;
    }
    const dataStart = lineEnd + 2;
    if (buffer.length < dataStart + size + 2) return undefined;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    position = dataStart + size + 2;
  }
}

/** One keep-alive connection carrying one request at a time. */
class LeanConnection {
  private readonly socket: net.Socket;
  private buffered: Buffer | undefined;
  private head: ParsedHead | undefined;
  private pending: Pending | undefined;
  alive = true;

  constructor(host: string, port: number, private readonly timeoutMs: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('timeout', () => this.fail(new Error(`request timed out after ${timeoutMs} ms`)));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed by server')));
  }

  request(bytes: Buffer | string): Promise<JsonResponse> {
    if (this.pending) return Promise.reject(new Error('connection busy'));
    return new Promise<JsonResponse>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.setTimeout(this.timeoutMs);
      this.socket.write(bytes);
    });
  }

  destroy(): void {
    this.alive = false;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    const buffer = this.buffered;
    if (!this.head) {
      const headerEnd = buffer.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      this.head = parseHead(buffer, headerEnd);
    }
    const head = this.head;
    let body: Buffer | undefined;
    if (head.contentLength >= 0) {
      if (buffer.length < head.bodyStart + head.contentLength) return;
      body = buffer.subarray(head.bodyStart, head.bodyStart + head.contentLength);
    } else if (head.chunked) {
      body = decodeChunked(buffer, head.bodyStart);
      if (!body) return;
    } else {
      return; // Body delimited by connection close; completed in fail().
    }
    this.complete({ status: head.status, body: body.toString('utf8') }, head.close);
  }

  private complete(response: JsonResponse, close: boolean): void {
    const pending = this.pending;
    this.pending = undefined;
    this.buffered = undefined;
    this.head = undefined;
    this.socket.setTimeout(0);
    if (close) this.destroy();
    pending?.resolve(response);
  }

  private fail(error: Error): void {
    this.alive = false;
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    // A close-delimited body (no length, not chunked) ends here legitimately.
    if (this.head && this.head.contentLength < 0 && !this.head.chunked && this.buffered) {
      pending.resolve({ status: this.head.status, body: this.buffered.toString('utf8', this.head.bodyStart) });
    } else {
      pending.reject(error);
    }
    this.socket.destroy();
  }
}

export class LeanJsonClient implements JsonProtocolClient {
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  /** Idle keep-alive connections; there are as many as there were concurrent requests. */
  private readonly idle: LeanConnection[] = [];
  private readonly all = new Set<LeanConnection>();

  constructor(
    endpoint: string,
    private readonly options: JsonClientOptions,
  ) {
    ({ host: this.host, port: this.port, path: this.path } = endpointParts(endpoint));
  }

  prepare(action: SqsAction, body?: unknown): PreparedRequest {
    const headers = requestHeaders(action, this.host, this.port);
    const wireHead = this.headBlock(headers);
    if (body === undefined) return { action, headers, wireHead };
    const buffer = serialiseBody(body);
    const head = wireHead + `Content-Length: ${buffer.length}\r\n\r\n`;
    return { action, headers, body: buffer, wireHead, wire: Buffer.concat([Buffer.from(head, 'latin1'), buffer]) };
  }

  send(prepared: PreparedRequest): Promise<JsonResponse> {
    if (!prepared.wire) throw new Error(`${prepared.action} was prepared without a body`);
    return this.request(prepared.wire);
  }

  sendWithBody(prepared: PreparedRequest, body: string): Promise<JsonResponse> {
    const head = (prepared.wireHead ?? this.headBlock(prepared.headers)) + `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n`;
    return this.request(head + body);
  }

  close(): void {
    for (const connection of this.all) connection.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private headBlock(headers: Readonly<Record<string, string>>): string {
    let head = `POST ${this.path} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return head;
  }

  private async request(bytes: Buffer | string): Promise<JsonResponse> {
    let connection = this.idle.pop();
    while (connection && !connection.alive) {
      this.all.delete(connection);
      connection = this.idle.pop();
    }
    if (!connection) {
      if (this.all.size >= this.options.maxSockets) throw new Error(`more than ${this.options.maxSockets} concurrent requests`);
      connection = new LeanConnection(this.host, this.port, this.options.requestTimeoutMs);
      this.all.add(connection);
    }
    try {
      return await connection.request(bytes);
    } finally {
      if (connection.alive) this.idle.push(connection);
      else this.all.delete(connection);
    }
  }
}
