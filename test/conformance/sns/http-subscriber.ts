/**
 * An HTTP/S subscriber for SNS tests: a node:http server on a free port that records every POST and answers with
 * the status its `respond` function picks (or never answers, to test timeouts). Also the signature check AWS's
 * documentation tells subscribers to make: fetch SigningCertURL, rebuild the canonical string, verify.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify, X509Certificate } from 'node:crypto';
import assert from 'node:assert/strict';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly path: string;
}

export class Subscriber {
  readonly received: Received[] = [];
  /** Status for the n-th request (0-based); `undefined` leaves the request hanging. */
  respond: (n: number, r: Received) => number | undefined = () => 200;
  private readonly hanging: ServerResponse[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(path = '/sns'): Promise<Subscriber> {
    let self: Subscriber | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' };
        const n = self!.received.length;
        self!.received.push(r);
        const status = self!.respond(n, r);
        if (status === undefined) self!.hanging.push(res);
        else res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new Subscriber(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return self;
  }

  /** Waits (in real time, briefly) until `n` requests have arrived. */
  async waitFor(n: number, what = `${n} requests`): Promise<Received[]> {
    for (let i = 0; i < 400 && this.received.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(this.received.length >= n, `timed out waiting for ${what} (got ${this.received.length})`);
    return this.received;
  }

  /** Asserts that no more than `n` requests arrive in a short while. */
  async expectNoMoreThan(n: number): Promise<void> {
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(this.received.length, n, `expected ${n} requests, got ${this.received.length}`);
  }

  json(i: number): Record<string, any> {
    return JSON.parse(this.received[i]!.body) as Record<string, any>;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Verifies any SNS message (Notification, SubscriptionConfirmation, UnsubscribeConfirmation) against its certificate. */
export async function verifySnsSignature(m: Record<string, any>): Promise<boolean> {
  const pem = await (await fetch(m['SigningCertURL'])).text();
  const cert = new X509Certificate(pem);
  const names =
    m['Type'] === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let text = '';
  for (const name of names) if (m[name] !== undefined) text += `${name}\n${m[name]}\n`;
  return verify(m['SignatureVersion'] === '2' ? 'sha256' : 'sha1', Buffer.from(text), cert.publicKey, Buffer.from(m['Signature'], 'base64'));
}
