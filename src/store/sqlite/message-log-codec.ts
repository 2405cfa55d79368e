/**
 * The text form of the message log's records (see message-log.ts). Not JSON: encoding a send record as JSON escaped
 * every body and attribute string character by character, which cost about a tenth of the whole server's CPU under
 * load. Here a string is written as its length and its characters as they are (`<length>:<text>`, `~` for absent),
 * so writing a record is string concatenation, and reading one slices by length without scanning the text.
 *
 * Records follow each other with nothing between them; each starts with its kind:
 * - `s` send: `s<id>,<queueId>,<visibleAt>,<expiresAt>,<receiveCount>,<firstReceivedAt>,<receivedAt>,<sentAt>;`
 *   then the strings receiptToken, messageId, body, md5OfBody, senderId, messageAttributes, md5OfMessageAttributes,
 *   systemAttributes, md5OfSystemAttributes, groupId, deduplicationId, deadLetterSourceArn (absent numbers are empty);
 * - `r` receive: `r<queueId>,<visibleAt>,<receivedAt>,<id>,<id>…;` then the string receiptToken;
 * - `v` visibility: `v<queueId>,<visibleAt>,<id>;`
 * - `d` delete: `d<queueId>,<id>,<id>…;`
 * - `p` purge: `p<queueId>;` (every message of the queue sent before it).
 * Every record names its queue, so that replay finds a message in its queue's map without a map of all ids.
 * Lengths count UTF-16 code units, as JavaScript strings do; the row is stored as TEXT and read back as the same
 * string.
 */
import type { MessageContent } from './queue-index.js';

/** A message's state as a send record carries it. */
export interface SendState {
  id: number;
  queueId: number;
  visibleAt: number;
  expiresAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  receivedAt: number | null;
  receiptToken: string | null;
}

export type LogRecord =
  /** `content` is undefined only when the reader asked to skip it (see decodeRecords). */
  | { kind: 'send'; state: SendState; content: MessageContent | undefined }
  | { kind: 'receive'; queueId: number; visibleAt: number; receivedAt: number; token: string; ids: number[] }
  | { kind: 'visibility'; queueId: number; visibleAt: number; id: number }
  | { kind: 'delete'; queueId: number; ids: number[] }
  | { kind: 'purge'; queueId: number };

const str = (s: string | null | undefined): string => (s === undefined || s === null ? '~' : s.length + ':' + s);
const num = (n: number | null): string => (n === null ? '' : String(n));

export function encodeSend(st: SendState, c: MessageContent): string {
  return (
    's' +
    st.id +
    ',' +
    st.queueId +
    ',' +
    st.visibleAt +
    ',' +
    st.expiresAt +
    ',' +
    st.receiveCount +
    ',' +
    num(st.firstReceivedAt) +
    ',' +
    num(st.receivedAt) +
    ',' +
    c.sentAt +
    ';' +
    str(st.receiptToken) +
    str(c.messageId) +
    str(c.body) +
    str(c.md5OfBody) +
    str(c.senderId) +
    str(c.messageAttributes) +
    str(c.md5OfMessageAttributes) +
    str(c.systemAttributes) +
    str(c.md5OfSystemAttributes) +
    str(c.groupId) +
    str(c.deduplicationId) +
    str(c.deadLetterSourceArn)
  );
}

export const encodeReceive = (queueId: number, visibleAt: number, receivedAt: number, token: string, ids: number[]): string =>
  'r' + queueId + ',' + visibleAt + ',' + receivedAt + ',' + ids.join(',') + ';' + str(token);

export const encodeVisibility = (queueId: number, visibleAt: number, id: number): string => 'v' + queueId + ',' + visibleAt + ',' + id + ';';

export const encodeDelete = (queueId: number, ids: number[]): string => 'd' + queueId + ',' + ids.join(',') + ';';

export const encodePurge = (queueId: number): string => 'p' + queueId + ';';

/**
 * Reads a row's records in order. Throws on text that is not a well-formed row (a damaged file is not guessed at).
 * `wantContent`, asked before each send record's content, lets a reader that has no room for it (replaying a deep
 * backlog beyond the memory budget) step over those strings without copying them out.
 */
export function decodeRecords(
  text: string,
  visit: (r: LogRecord, offset: number) => void,
  wantContent: () => boolean = () => true,
  /** Where to start (the offset a visit was given), and whether to stop after that one record. */
  from = 0,
  onlyOne = false,
): void {
  let at = from;
  const fail = (what: string): never => {
    throw new Error(`message log row damaged at ${at}: ${what}`);
  };
  // Digits are read in place (no slicing and splitting): replaying a deep backlog reads millions of them.
  /** Reads an optionally signed decimal integer up to a separator (`,` `;` or `:`, not consumed); null if empty. */
  const digits = (): number | null => {
    const negative = text.charCodeAt(at) === 45; /* - */
    if (negative) at++;
    const start = at;
    let n = 0;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 44 || c === 59 || c === 58) break;
      if (!(c >= 48 && c <= 57)) fail(Number.isNaN(c) ? 'cut short' : `not a digit: ${JSON.stringify(text[at])}`);
      n = n * 10 + (c - 48);
      at++;
    }
    if (at === start) {
      if (negative) fail('a sign without digits');
      return null;
    }
    if (!Number.isSafeInteger(n)) fail('an integer beyond 2^53');
    return negative ? -n : n;
  };
  /** Reads the comma-separated numbers up to and including the next `;` (empty ones are null). */
  const numbers = (): (number | null)[] => {
    const out: (number | null)[] = [];
    for (;;) {
      out.push(digits());
      const c = text.charCodeAt(at++);
      if (c === 59) return out;
      if (c !== 44) fail('numbers not separated by commas');
    }
  };
  const int = (n: number | null | undefined): number => (n === null || n === undefined ? fail('a required number is absent') : n);
  const intOrNull = (n: number | null | undefined): number | null => (n === undefined ? fail('a number is missing') : n);
  const length = (): number => {
    const n = digits();
    if (text.charCodeAt(at++) !== 58 /* : */) fail('a string length not followed by ":"');
    return n ?? fail('a string without its length');
  };
  const string = (): string | null => {
    if (text.charCodeAt(at) === 126 /* ~ */) {
      at++;
      return null;
    }
    const start = at;
    const n = length();
    const begin = at;
    const end = begin + n;
    if (end > text.length) fail(`string beyond the end of the row (from ${start})`);
    at = end;
    return text.slice(begin, end);
  };
  const required = (): string => string() ?? fail('a required string is absent');
  const skip = (strings: number): void => {
    for (let i = 0; i < strings; i++) {
      if (text.charCodeAt(at) === 126 /* ~ */) {
        at++;
        continue;
      }
      const n = length(); // (not `at += length()`: that would add to the position from before the length)
      at += n;
      if (at > text.length) fail('string beyond the end of the row');
    }
  };
  let offset = at;
  const emit = (r: LogRecord) => visit(r, offset);
  while (at < text.length) {
    if (onlyOne && at !== from) return;
    offset = at;
    const kind = text[at++];
    switch (kind) {
      case 's': {
        const n = numbers();
        if (n.length !== 8) fail('a send record has 8 numbers');
        const state: SendState = {
          id: int(n[0]),
          queueId: int(n[1]),
          visibleAt: int(n[2]),
          expiresAt: int(n[3]),
          receiveCount: int(n[4]),
          firstReceivedAt: intOrNull(n[5]),
          receivedAt: intOrNull(n[6]),
          receiptToken: string(),
        };
        if (!wantContent()) {
          skip(11);
          emit({ kind: 'send', state, content: undefined });
          break;
        }
        const content: MessageContent = { sentAt: int(n[7]), messageId: required(), body: required(), md5OfBody: required(), senderId: required() };
        const optional = (key: 'messageAttributes' | 'md5OfMessageAttributes' | 'systemAttributes' | 'md5OfSystemAttributes' | 'groupId' | 'deduplicationId' | 'deadLetterSourceArn') => {
          const v = string();
          if (v !== null) content[key] = v;
        };
        optional('messageAttributes');
        optional('md5OfMessageAttributes');
        optional('systemAttributes');
        optional('md5OfSystemAttributes');
        optional('groupId');
        optional('deduplicationId');
        optional('deadLetterSourceArn');
        emit({ kind: 'send', state, content });
        break;
      }
      case 'r': {
        const n = numbers();
        if (n.length < 4) fail('a receive record names at least one message');
        const ids = n.slice(3).map(int);
        emit({ kind: 'receive', queueId: int(n[0]), visibleAt: int(n[1]), receivedAt: int(n[2]), ids, token: required() });
        break;
      }
      case 'v': {
        const n = numbers();
        if (n.length !== 3) fail('a visibility record has 3 numbers');
        emit({ kind: 'visibility', queueId: int(n[0]), visibleAt: int(n[1]), id: int(n[2]) });
        break;
      }
      case 'd':
      {
        const n = numbers();
        if (n.length < 2) fail('a delete record names its queue and at least one message');
        emit({ kind: 'delete', queueId: int(n[0]), ids: n.slice(1).map(int) });
        break;
      }
      case 'p': {
        const n = numbers();
        if (n.length !== 1) fail('a purge record names one queue');
        emit({ kind: 'purge', queueId: int(n[0]) });
        break;
      }
      default:
        fail(`unknown record kind ${JSON.stringify(kind)}`);
    }
  }
}
