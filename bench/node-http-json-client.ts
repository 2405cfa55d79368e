// JSON-protocol transport on node:http with a keep-alive Agent. Kept as a
// cross-check for the lean transport (BENCH_TRANSPORT=node-http): it is the
// "obvious" client, but on a 2-core box it costs ~2x the CPU of the server it
// measures, which would make the load generator the bottleneck of the ceiling.
import http from 'node:http';
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

export class NodeHttpJsonClient implements JsonProtocolClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;

  constructor(
    endpoint: string,
    private readonly options: JsonClientOptions,
  ) {
    ({ host: this.host, port: this.port, path: this.path } = endpointParts(endpoint));
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      scheduling: 'lifo',
    });
  }

  prepare(action: SqsAction, body?: unknown): PreparedRequest {
    const headers = requestHeaders(action, this.host, this.port);
    if (body === undefined) return { action, headers };
    const buffer = serialiseBody(body);
    return { action, headers: { ...headers, 'Content-Length': String(buffer.length) }, body: buffer };
  }

  send(prepared: PreparedRequest): Promise<JsonResponse> {
    if (!prepared.body) throw new Error(`${prepared.action} was prepared without a body`);
    return this.request(prepared.headers, prepared.body);
  }

  sendWithBody(prepared: PreparedRequest, body: string): Promise<JsonResponse> {
    const buffer = Buffer.from(body, 'utf8');
    return this.request({ ...prepared.headers, 'Content-Length': String(buffer.length) }, buffer);
  }

  close(): void {
    this.agent.destroy();
  }

  private request(headers: Readonly<Record<string, string>>, body: Buffer): Promise<JsonResponse> {
    const timeoutMs = this.options.requestTimeoutMs;
    return new Promise<JsonResponse>((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, host: this.host, port: this.port, path: this.path, method: 'POST', headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, body: whole.toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
