// What the EventBridge benchmark sends: PutEvents calls of ten entries, each event for one "tenant", and N rules
// on the default bus, rule i matching tenant i only, each with one SQS target (the same queue). With N rules every
// event matches exactly one rule, so every event is one SQS delivery whatever N is, and what changes with N is the
// routing index the event is matched against.
import type { PreparedRequest } from './json-protocol.js';
import type { LeanJsonClient } from './lean-json-client.js';

export const EVENTS_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const ENTRIES_PER_CALL = 10;
export const EVENTS_QUEUE = 'bench-events';
const FAKE_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/events/aws4_request, ' +
  'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + '0123456789abcdef'.repeat(4);

/** Rule i's pattern: the benchmark's source and detail-type, and tenant i. */
export const rulePattern = (i: number): string => JSON.stringify({ source: ['bench'], 'detail-type': ['order'], detail: { tenant: [`t-${i}`] } });

/** Padding that brings an event's detail to about 256 bytes, as the SQS benchmark's bodies are. */
const PAD = 'x'.repeat(180);

/** One PutEvents body: ten events, tenants `first`, `first + 1`, … modulo `rules`. */
export function putEventsBody(first: number, rules: number): string {
  const entries = [];
  for (let k = 0; k < ENTRIES_PER_CALL; k++) {
    const tenant = (first + k) % rules;
    entries.push({ Source: 'bench', DetailType: 'order', Detail: `{"tenant":"t-${tenant}","n":${first + k},"pad":"${PAD}"}` });
  }
  return JSON.stringify({ Entries: entries });
}

/** Request headers for an EventBridge (AWS JSON 1.1) action on the lean client. */
export function eventsRequest(action: string, endpoint: string): PreparedRequest {
  const url = new URL(endpoint);
  const headers = {
    Host: url.host,
    'Content-Type': EVENTS_CONTENT_TYPE,
    'X-Amz-Target': `AWSEvents.${action}`,
    'X-Amz-Date': '20260101T000000Z',
    Authorization: FAKE_AUTHORIZATION,
  };
  let wireHead = `POST / HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) wireHead += `${name}: ${value}\r\n`;
  // The lean client's PreparedRequest is typed for SQS actions; it only carries the action name for errors.
  return { action: action as PreparedRequest['action'], headers, wireHead };
}

/** Sends one EventBridge call and parses its answer; throws unless it is a 200. */
export async function callEvents<T>(client: LeanJsonClient, endpoint: string, action: string, body: unknown): Promise<T> {
  const response = await client.sendWithBody(eventsRequest(action, endpoint), JSON.stringify(body));
  if (response.status !== 200) throw new Error(`${action} -> HTTP ${response.status}: ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body) as T;
}
