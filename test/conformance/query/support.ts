/**
 * Helpers shared by the Query-protocol conformance tests (test/conformance/query/*.test.ts). Nothing here starts a
 * server: every test file starts and stops its own.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

/** The SQS Query namespace every SQS response and error is rendered in. */
export const SQS_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';
export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const SQS_VERSION = '2012-11-05';
export const NON_EXISTENT_QUEUE = 'AWS.SimpleQueueService.NonExistentQueue';
/** The Query-protocol wording of QueueDoesNotExist (the JSON protocol says "…does not exist."). */
export const NON_EXISTENT_QUEUE_MESSAGE = 'The specified queue does not exist for this wsdl version.';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ExpectedError {
  /** `e.name` as the SDK surfaces it: the shape name for modeled errors, the code for unmodeled ones. */
  name?: string;
  /** The Query `<Code>`. */
  code: string;
  status: number;
  message?: string | RegExp;
}

/**
 * Awaits a call that must fail and checks the error the way client-sqs 3.445 exposes a Query error: modeled errors
 * carry the XML `<Error>` as `e.Error` (Code, Type, Message); unmodeled ones put the code in `e.Code`/`e.name` and
 * the text in `e.message`. The HTTP status and the request id (read from `x-amzn-RequestId`) are in `$metadata`.
 */
export async function expectQueryError(call: Promise<unknown>, want: ExpectedError): Promise<any> {
  let caught: any;
  try {
    await call;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected the call to fail with ${want.code}, but it succeeded`);
  const code = caught.Error?.Code ?? caught.Code;
  const message = caught.Error?.Message ?? caught.message;
  const got = `(got name=${caught.name} code=${code} status=${caught.$metadata?.httpStatusCode} message=${JSON.stringify(message)})`;
  assert.equal(code, want.code, `error code ${got}`);
  assert.equal(caught.$metadata?.httpStatusCode, want.status, `HTTP status ${got}`);
  if (want.name !== undefined) assert.equal(caught.name, want.name, `error name ${got}`);
  if (typeof want.message === 'string') assert.equal(message, want.message, `error message ${got}`);
  else if (want.message) assert.match(String(message), want.message, `error message ${got}`);
  assert.match(String(caught.$metadata?.requestId), UUID, 'the SDK reads the request id from x-amzn-RequestId');
  return caught;
}

export const nonExistentQueue: ExpectedError = {
  name: 'QueueDoesNotExist',
  code: NON_EXISTENT_QUEUE,
  status: 400,
  message: NON_EXISTENT_QUEUE_MESSAGE,
};

export const md5 = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');

type Attr = { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array };

/**
 * MD5OfMessageAttributes computed independently of src/ (docs/aws-sqs-behaviour.md §4): names sorted; for each the
 * length-prefixed name and DataType, a transport byte (1 string/number, 2 binary) and the length-prefixed value.
 */
export function md5OfAttributes(attributes: Record<string, Attr>): string {
  const parts: Buffer[] = [];
  const lp = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!;
    lp(Buffer.from(name, 'utf8'));
    lp(Buffer.from(a.DataType!, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lp(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      lp(Buffer.from(a.StringValue!, 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** POSTs a form-encoded Query request, as the pre-JSON SDKs do. */
export async function postForm(
  endpoint: string,
  path: string,
  params: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  const res = await fetch(endpoint + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function getQuery(endpoint: string, path: string, params?: Record<string, string>): Promise<RawResponse> {
  const qs = params ? `?${new URLSearchParams(params).toString()}` : '';
  const res = await fetch(endpoint + path + qs);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The text of every `<tag>…</tag>` element, in document order (good enough for the flat documents SQS answers). */
export function xmlAll(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...xml.matchAll(re)].map((m) => unescapeXml(m[1]!));
}

export function xmlOne(xml: string, tag: string): string | undefined {
  return xmlAll(xml, tag)[0];
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      case 'amp':
        return '&';
      default:
        return String.fromCodePoint(e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    }
  });
}

/** Checks a successful Query response: 200, text/xml, `<{Action}Response xmlns=…>`, ResponseMetadata/RequestId equal to the header. */
export function assertQueryEnvelope(res: RawResponse, action: string, ns = SQS_NS): void {
  assert.equal(res.status, 200, `${action}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /xml/);
  const requestId = res.headers.get('x-amzn-requestid');
  assert.match(requestId ?? '', UUID, 'x-amzn-RequestId header');
  assert.match(res.text, new RegExp(`<${action}Response xmlns="${ns.replace(/[.]/g, '\\.')}">`), res.text);
  assert.match(res.text, new RegExp(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\\s*$`), res.text);
}

/** Checks a Query error document: the status, `<ErrorResponse xmlns=…><Error><Type/><Code/><Message/>…<RequestId/>`, and the header. */
export function assertQueryErrorDocument(
  res: RawResponse,
  want: { status: number; code: string; type?: 'Sender' | 'Receiver'; message?: string | RegExp; ns?: string },
): void {
  assert.equal(res.status, want.status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /xml/);
  const requestId = res.headers.get('x-amzn-requestid');
  assert.match(requestId ?? '', UUID, 'x-amzn-RequestId header');
  assert.match(res.text, new RegExp(`<ErrorResponse xmlns="${(want.ns ?? SQS_NS).replace(/[.]/g, '\\.')}">`), res.text);
  assert.equal(xmlOne(res.text, 'Type'), want.type ?? 'Sender');
  assert.equal(xmlOne(res.text, 'Code'), want.code, res.text);
  if (typeof want.message === 'string') assert.equal(xmlOne(res.text, 'Message'), want.message);
  else if (want.message) assert.match(xmlOne(res.text, 'Message') ?? '', want.message);
  assert.equal(xmlOne(res.text, 'RequestId'), requestId, 'the body RequestId equals the header');
}

/** Polls `check` while letting I/O and background work run (never waits on a clock the test controls). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}
