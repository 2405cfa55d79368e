/**
 * HTTP/S delivery policies (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html): how SNS
 * retries a delivery to an HTTP/S endpoint. A topic's DeliveryPolicy holds `http.defaultHealthyRetryPolicy`
 * (and `defaultThrottlePolicy`, `defaultRequestPolicy`, `disableSubscriptionOverrides`); a subscription's holds
 * `healthyRetryPolicy` (`throttlePolicy`, `requestPolicy`) and overrides the topic's unless the topic disables
 * overrides.
 *
 * A retry policy has four phases, in order: `numNoDelayRetries` at once, `numMinDelayRetries` `minDelayTarget`
 * seconds apart, the backoff phase (the retries left over) whose delays grow from `minDelayTarget` to
 * `maxDelayTarget` along `backoffFunction`, and `numMaxDelayRetries` `maxDelayTarget` seconds apart. `numRetries`
 * counts them all (so it must be at least the sum of the three fixed phases); AWS's default is 3 retries 20 seconds
 * apart. The whole policy may not take longer than 3,600 seconds.
 */
import { JITTER_SHARE, jitteredDelayMs } from '../../delivery/jitter.js';
import { snsInvalidParameter } from '../errors.js';

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';

export interface RetryPolicy {
  readonly minDelayTarget: number;
  readonly maxDelayTarget: number;
  readonly numRetries: number;
  readonly numMaxDelayRetries: number;
  readonly numNoDelayRetries: number;
  readonly numMinDelayRetries: number;
  readonly backoffFunction: BackoffFunction;
}

/** The policy in force for one subscription's deliveries. */
export interface HttpDeliveryPolicy {
  readonly retry: RetryPolicy;
  /** Deliveries per second at most (throttlePolicy.maxReceivesPerSecond); undefined: no limit. */
  readonly maxReceivesPerSecond?: number;
  /** Content-Type of the POSTs (requestPolicy.headerContentType). */
  readonly contentType: string;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: 'linear',
};

export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/** The limits AWS enforces: at most 100 retries, delays of at most an hour, the whole policy within an hour. */
const NUM_RETRIES_MAX = 100;
const DELAY_MAX = 3_600;
const TOTAL_MAX = 3_600;
const BACKOFF = new Set<string>(['linear', 'arithmetic', 'geometric', 'exponential']);
/** The Content-Types requestPolicy.headerContentType may name (AWS's list for HTTP/S delivery policies). */
const CONTENT_TYPES = new Set([
  'application/json',
  'application/xml',
  'text/plain',
  'text/html',
  'text/xml',
  'text/csv',
  'text/css',
  'text/javascript',
  'application/javascript',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'multipart/form-data',
]);

/** A header value an HTTP request may carry (RFC 9110 field-value: visible ASCII, space, tab). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a DeliveryPolicy as SetTopicAttributes/CreateTopic (`scope` topic) or Subscribe/SetSubscriptionAttributes
 * (`scope` subscription) take it. AWS names the failing member by its path, e.g. "DeliveryPolicy:
 * http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100". `lead` is the wording's prefix
 * ("Attributes Reason: " inside Subscribe and CreateTopic).
 */
export function checkDeliveryPolicy(text: string, scope: 'topic' | 'subscription', lead = ''): void {
  const fail = (reason: string) => snsInvalidParameter(`${lead}DeliveryPolicy: ${reason}`);
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw fail('failed to parse JSON.');
  }
  if (!isObject(policy)) throw fail('failed to parse JSON.');
  if (scope === 'topic') {
    for (const key of Object.keys(policy)) {
      // Delivery policies of other protocols exist on AWS but cannot be changed; accept and ignore them.
      if (key !== 'http' && !['sqs', 'lambda', 'firehose', 'application', 'sms', 'email', 'https'].includes(key)) {
        throw fail(`Unsupported protocol: ${key}`);
      }
    }
    const http = policy['http'];
    if (http === undefined) return;
    if (!isObject(http)) throw fail('http must be an object');
    checkMembers(http, 'http', {
      defaultHealthyRetryPolicy: (v, p) => checkRetryPolicy(v, p, fail),
      defaultSicklyRetryPolicy: () => {},
      defaultThrottlePolicy: (v, p) => checkThrottlePolicy(v, p, fail),
      defaultRequestPolicy: (v, p) => checkRequestPolicy(v, p, fail),
      disableSubscriptionOverrides: (v, p) => {
        if (typeof v !== 'boolean') throw fail(`${p} must be a boolean`);
      },
    }, fail);
  } else {
    checkMembers(policy, '', {
      healthyRetryPolicy: (v, p) => checkRetryPolicy(v, p, fail),
      sicklyRetryPolicy: () => {},
      throttlePolicy: (v, p) => checkThrottlePolicy(v, p, fail),
      requestPolicy: (v, p) => checkRequestPolicy(v, p, fail),
      guaranteed: () => {},
    }, fail);
  }
}

function checkMembers(
  object: Json,
  path: string,
  members: Record<string, (value: unknown, path: string) => void>,
  fail: (reason: string) => Error,
): void {
  for (const [key, value] of Object.entries(object)) {
    const p = path ? `${path}.${key}` : key;
    const check = members[key];
    if (!check) throw fail(`Unrecognized field: ${p}`);
    if (value === null) continue;
    check(value, p);
  }
}

function checkRetryPolicy(value: unknown, path: string, fail: (reason: string) => Error): void {
  if (!isObject(value)) throw fail(`${path} must be an object`);
  const int = (name: keyof RetryPolicy, min: number, max: number): number | undefined => {
    const v = value[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`${path}.${name} must be an integer`);
    if (v < min) throw fail(`${path}.${name} must be greater than or equal to ${min}`);
    if (v > max) throw fail(`${path}.${name} must be less than or equal to ${max}`);
    return v;
  };
  for (const key of Object.keys(value)) {
    if (!(key in DEFAULT_RETRY_POLICY)) throw fail(`Unrecognized field: ${path}.${key}`);
  }
  const numRetries = int('numRetries', 0, NUM_RETRIES_MAX);
  const minDelay = int('minDelayTarget', 1, DELAY_MAX);
  const maxDelay = int('maxDelayTarget', 1, DELAY_MAX);
  int('numNoDelayRetries', 0, NUM_RETRIES_MAX);
  int('numMinDelayRetries', 0, NUM_RETRIES_MAX);
  int('numMaxDelayRetries', 0, NUM_RETRIES_MAX);
  const backoff = value['backoffFunction'];
  if (backoff !== undefined && backoff !== null && (typeof backoff !== 'string' || !BACKOFF.has(backoff))) {
    throw fail(`${path}.backoffFunction must be one of linear, arithmetic, geometric, exponential`);
  }
  const policy = retryPolicyOf(value);
  if (minDelay !== undefined && maxDelay !== undefined && minDelay > maxDelay) {
    throw fail(`${path}.minDelayTarget must be less than or equal to maxDelayTarget`);
  }
  if (policy.minDelayTarget > policy.maxDelayTarget) throw fail(`${path}.maxDelayTarget must be greater than or equal to minDelayTarget`);
  const fixed = policy.numNoDelayRetries + policy.numMinDelayRetries + policy.numMaxDelayRetries;
  if (numRetries !== undefined || fixed > 0) {
    if (policy.numRetries < fixed) {
      throw fail(`${path}.numRetries must be greater than or equal to numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries`);
    }
  }
  const total = retryDelays(policy).reduce((a, b) => a + b, 0) / 1000;
  if (total > TOTAL_MAX) throw fail(`${path}: the total retry time must be less than or equal to ${TOTAL_MAX} seconds`);
}

function checkThrottlePolicy(value: unknown, path: string, fail: (reason: string) => Error): void {
  if (!isObject(value)) throw fail(`${path} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'maxReceivesPerSecond') throw fail(`Unrecognized field: ${path}.${key}`);
    if (v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`${path}.maxReceivesPerSecond must be an integer`);
    if (v < 1) throw fail(`${path}.maxReceivesPerSecond must be greater than or equal to 1`);
  }
}

function checkRequestPolicy(value: unknown, path: string, fail: (reason: string) => Error): void {
  if (!isObject(value)) throw fail(`${path} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'headerContentType') throw fail(`Unrecognized field: ${path}.${key}`);
    if (v === null) continue;
    // The whole value becomes an HTTP header: its parameters too must be header-safe (visible ASCII, space and tab;
    // no line breaks, no other control or non-ASCII characters), or the POST could never be made.
    if (typeof v !== 'string' || !HEADER_VALUE.test(v)) throw fail(`${path}.headerContentType is not a supported content type`);
    const type = v.split(';')[0]!.trim().toLowerCase();
    if (!CONTENT_TYPES.has(type)) throw fail(`${path}.headerContentType is not a supported content type`);
  }
}

function retryPolicyOf(value: Json | undefined, base: RetryPolicy = DEFAULT_RETRY_POLICY): RetryPolicy {
  if (!value) return base;
  const pick = <K extends keyof RetryPolicy>(k: K): RetryPolicy[K] => (value[k] === undefined || value[k] === null ? base[k] : (value[k] as RetryPolicy[K]));
  return {
    minDelayTarget: pick('minDelayTarget'),
    maxDelayTarget: pick('maxDelayTarget'),
    numRetries: pick('numRetries'),
    numMaxDelayRetries: pick('numMaxDelayRetries'),
    numNoDelayRetries: pick('numNoDelayRetries'),
    numMinDelayRetries: pick('numMinDelayRetries'),
    backoffFunction: pick('backoffFunction'),
  };
}

const parse = (text: string | undefined): Json | undefined => {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
};
const member = (o: Json | undefined, key: string): Json | undefined => (o && isObject(o[key]) ? (o[key] as Json) : undefined);

/**
 * The policy a subscription's deliveries follow: AWS's defaults, overlaid with the topic's `http` defaults, overlaid
 * with the subscription's own policy unless the topic sets `disableSubscriptionOverrides`.
 */
export function effectiveHttpPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): HttpDeliveryPolicy {
  const http = member(parse(topicPolicy), 'http');
  const sub = http?.['disableSubscriptionOverrides'] === true ? undefined : parse(subscriptionPolicy);
  let retry = retryPolicyOf(member(http, 'defaultHealthyRetryPolicy'));
  retry = retryPolicyOf(member(sub, 'healthyRetryPolicy'), retry);
  const throttle = member(sub, 'throttlePolicy') ?? member(http, 'defaultThrottlePolicy');
  const request = member(sub, 'requestPolicy') ?? member(http, 'defaultRequestPolicy');
  const rate = throttle?.['maxReceivesPerSecond'];
  const type = request?.['headerContentType'];
  return {
    retry,
    ...(typeof rate === 'number' ? { maxReceivesPerSecond: rate } : {}),
    contentType: typeof type === 'string' ? type : DEFAULT_CONTENT_TYPE,
  };
}

/** A subscription's EffectiveDeliveryPolicy attribute, laid out as AWS returns it. */
export function renderEffectiveSubscriptionPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): string {
  const p = effectiveHttpPolicy(topicPolicy, subscriptionPolicy);
  return JSON.stringify({
    healthyRetryPolicy: p.retry,
    sicklyRetryPolicy: null,
    throttlePolicy: p.maxReceivesPerSecond !== undefined ? { maxReceivesPerSecond: p.maxReceivesPerSecond } : null,
    requestPolicy: { headerContentType: p.contentType },
    guaranteed: false,
  });
}

/**
 * The delay each retry is due after by the policy, in milliseconds, in order (one per retry), before jitter (see
 * `jitteredDelayMs`): what the policy's limits are checked against. AWS publishes the phases but not the exact
 * curves of its backoff functions (only a graph); Postbox follows the phases exactly, and in the backoff phase grows
 * the delay from minDelayTarget to maxDelayTarget — reached at the phase's last retry — along t (linear), t²
 * (arithmetic), min·(max/min)^t (geometric) or (2^(10t) − 1)/(2^10 − 1) (exponential), t being how far through the
 * phase the retry is.
 */
export function retryDelays(p: RetryPolicy): number[] {
  const out: number[] = [];
  const backoffCount = Math.max(0, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries);
  for (let r = 1; r <= p.numRetries; r++) out.push(retryDelayMs(p, r, backoffCount));
  return out;
}

/** The delay before retry `r` (1 for the first retry, i.e. the second attempt). */
export function retryDelayMs(
  p: RetryPolicy,
  r: number,
  backoffCount = Math.max(0, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries),
): number {
  const min = p.minDelayTarget;
  const max = p.maxDelayTarget;
  if (r <= p.numNoDelayRetries) return 0;
  if (r <= p.numNoDelayRetries + p.numMinDelayRetries) return min * 1000;
  const i = r - p.numNoDelayRetries - p.numMinDelayRetries;
  if (i > backoffCount) return max * 1000;
  const t = i / backoffCount;
  let seconds: number;
  switch (p.backoffFunction) {
    case 'arithmetic':
      seconds = min + (max - min) * t * t;
      break;
    case 'geometric':
      seconds = min * Math.pow(max / min, t);
      break;
    case 'exponential':
      seconds = min + ((max - min) * (Math.pow(2, 10 * t) - 1)) / (Math.pow(2, 10) - 1);
      break;
    default:
      seconds = min + (max - min) * t;
  }
  return Math.round(seconds * 1000);
}

// Jitter is shared with EventBridge's retries (src/delivery/jitter.ts, where the AWS behaviour it matches is noted).
export { JITTER_SHARE, jitteredDelayMs };

/** The delays before each retry as deliveries wait them: `retryDelays` with jitter, one draw of `random` each. */
export function retrySchedule(p: RetryPolicy, random: () => number): number[] {
  return retryDelays(p).map((d) => (d === 0 ? 0 : jitteredDelayMs(d, random())));
}

/**
 * How AWS treats an endpoint's answer (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.prepare.html):
 * 2xx delivers; 5xx and 429 (and no answer within 15 seconds, or no connection) are retried under the delivery
 * policy; any other status is a permanent failure, not retried.
 */
export function classifyStatus(status: number): 'delivered' | 'retry' | 'failed' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || status === 429) return 'retry';
  return 'failed';
}

/** AWS's HTTP/S request timeout. */
export const HTTP_TIMEOUT_MS = 15_000;
