import { AwsError } from '../core/errors.js';
import type { QueueRecord, QueueCounts } from '../store/contract.js';
import * as L from './limits.js';
import { parseQueueArn, queueArn } from './queue-ref.js';

/** Attributes a client may set, and on which kind of queue. */
const SETTABLE_ANY = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
] as const;
const SETTABLE_FIFO = ['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'] as const;
const COMPUTED = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Every attribute name GetQueueAttributes knows, for `All` and for rejecting unknown names. */
export const ALL_QUEUE_ATTRIBUTES: ReadonlySet<string> = new Set<string>([...SETTABLE_ANY, ...SETTABLE_FIFO, 'FifoQueue', ...COMPUTED]);

/** What a new queue holds when created without attributes (AWS's defaults, SSE-SQS on since 2023). */
export function defaultAttributes(fifo: boolean): Record<string, string> {
  const a: Record<string, string> = {
    DelaySeconds: '0',
    MaximumMessageSize: String(L.MESSAGE_SIZE_MAX),
    MessageRetentionPeriod: String(L.RETENTION_DEFAULT),
    ReceiveMessageWaitTimeSeconds: '0',
    VisibilityTimeout: String(L.VISIBILITY_TIMEOUT_DEFAULT),
    SqsManagedSseEnabled: 'true',
  };
  if (fifo) {
    a['FifoQueue'] = 'true';
    a['ContentBasedDeduplication'] = 'false';
    a['DeduplicationScope'] = 'queue';
    a['FifoThroughputLimit'] = 'perQueue';
  }
  return a;
}

function invalidValue(name: string, reason?: string): AwsError {
  return new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);
}

function integerIn(name: string, value: string, min: number, max: number): string {
  if (!/^\d+$/.test(value.trim())) throw invalidValue(name);
  const n = Number(value.trim());
  if (n < min || n > max) throw invalidValue(name);
  return String(n);
}

function bool(name: string, value: string): string {
  const v = value.toLowerCase();
  if (v !== 'true' && v !== 'false') throw invalidValue(name);
  return v;
}

function json(name: string, value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalidValue(name, 'Invalid JSON');
}

/**
 * Checks the attributes of a CreateQueue or SetQueueAttributes call and returns them normalized (AWS answers
 * `true`/`false` in lower case and integers without padding). Cross-queue checks (the dead-letter target exists)
 * need the store and are done by `checkRedriveTarget`.
 */
export function validateAttributes(input: Record<string, string>, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    const value = String(raw);
    switch (name) {
      case 'DelaySeconds':
        out[name] = integerIn(name, value, 0, L.DELAY_SECONDS_MAX);
        break;
      case 'MaximumMessageSize':
        out[name] = integerIn(name, value, L.MESSAGE_SIZE_MIN_SETTING, L.MESSAGE_SIZE_MAX);
        break;
      case 'MessageRetentionPeriod':
        out[name] = integerIn(name, value, L.RETENTION_MIN, L.RETENTION_MAX);
        break;
      case 'ReceiveMessageWaitTimeSeconds':
        out[name] = integerIn(name, value, 0, L.WAIT_TIME_SECONDS_MAX);
        break;
      case 'VisibilityTimeout':
        out[name] = integerIn(name, value, 0, L.VISIBILITY_TIMEOUT_MAX);
        break;
      case 'KmsDataKeyReusePeriodSeconds':
        out[name] = integerIn(name, value, L.KMS_REUSE_MIN, L.KMS_REUSE_MAX);
        break;
      case 'SqsManagedSseEnabled':
        out[name] = bool(name, value);
        break;
      case 'KmsMasterKeyId':
        out[name] = value;
        break;
      case 'Policy':
        if (value !== '') json(name, value);
        out[name] = value;
        break;
      case 'RedrivePolicy':
        out[name] = value === '' ? '' : normalizeRedrivePolicy(value);
        break;
      case 'RedriveAllowPolicy':
        out[name] = value === '' ? '' : normalizeRedriveAllowPolicy(value);
        break;
      case 'FifoQueue':
        // Only settable at creation, and then it must agree with the name (checked by CreateQueue).
        if (!creating) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
        out[name] = bool(name, value);
        break;
      case 'ContentBasedDeduplication':
        if (!fifo) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
        out[name] = bool(name, value);
        break;
      case 'DeduplicationScope':
        if (!fifo) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
        if (value !== 'messageGroup' && value !== 'queue') throw invalidValue(name);
        out[name] = value;
        break;
      case 'FifoThroughputLimit':
        if (!fifo) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
        if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidValue(name);
        out[name] = value;
        break;
      default:
        throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  // AWS: high-throughput FIFO needs DeduplicationScope=messageGroup with FifoThroughputLimit=perMessageGroupId.
  if (out['FifoThroughputLimit'] === 'perMessageGroupId' && out['DeduplicationScope'] === 'queue') {
    throw new AwsError(
      'InvalidAttributeValue',
      'Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is only valid with DeduplicationScope messageGroup.',
    );
  }
  return out;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

function normalizeRedrivePolicy(value: string): string {
  const p = json('RedrivePolicy', value);
  const arn = p['deadLetterTargetArn'];
  const count = typeof p['maxReceiveCount'] === 'string' ? Number(p['maxReceiveCount']) : p['maxReceiveCount'];
  if (typeof arn !== 'string' || !parseQueueArn(arn)) {
    throw new AwsError('InvalidParameterValue', `Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.`);
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > L.MAX_RECEIVE_COUNT_MAX) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${String(p['maxReceiveCount'])}, valid values are from 1 to ${L.MAX_RECEIVE_COUNT_MAX} both inclusive.`,
    );
  }
  return JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count });
}

function normalizeRedriveAllowPolicy(value: string): string {
  const p = json('RedriveAllowPolicy', value);
  const permission = p['redrivePermission'];
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
    throw new AwsError('InvalidParameterValue', `Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: Invalid value for redrivePermission.`);
  }
  const sources = p['sourceQueueArns'];
  if (permission === 'byQueue') {
    if (!Array.isArray(sources) || sources.length < 1 || sources.length > 10 || !sources.every((s) => typeof s === 'string')) {
      throw new AwsError(
        'InvalidParameterValue',
        `Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.`,
      );
    }
  } else if (sources !== undefined) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: sourceQueueArns is only allowed when redrivePermission is byQueue.`,
    );
  }
  return JSON.stringify(p);
}

export function redrivePolicyOf(queue: QueueRecord): RedrivePolicy | undefined {
  const raw = queue.attributes['RedrivePolicy'];
  return raw ? (JSON.parse(raw) as RedrivePolicy) : undefined;
}

export const numberAttribute = (queue: QueueRecord, name: string, fallback: number): number => {
  const v = queue.attributes[name];
  return v === undefined ? fallback : Number(v);
};

/** Renders the attributes GetQueueAttributes asked for, computed ones included. */
export function renderAttributes(queue: QueueRecord, names: Set<string>, counts: QueueCounts | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const all = names.has('All');
  const want = (n: string) => all || names.has(n);
  for (const [k, v] of Object.entries(queue.attributes)) if (v !== '' && want(k)) out[k] = v;
  if (counts) {
    if (want('ApproximateNumberOfMessages')) out['ApproximateNumberOfMessages'] = String(counts.visible);
    if (want('ApproximateNumberOfMessagesNotVisible')) out['ApproximateNumberOfMessagesNotVisible'] = String(counts.inflight);
    if (want('ApproximateNumberOfMessagesDelayed')) out['ApproximateNumberOfMessagesDelayed'] = String(counts.delayed);
  }
  if (want('CreatedTimestamp')) out['CreatedTimestamp'] = String(Math.floor(queue.createdAt / 1000));
  if (want('LastModifiedTimestamp')) out['LastModifiedTimestamp'] = String(Math.floor(queue.modifiedAt / 1000));
  if (want('QueueArn')) out['QueueArn'] = queueArn(queue);
  return out;
}

export const needsCounts = (names: Set<string>): boolean =>
  names.has('All') ||
  names.has('ApproximateNumberOfMessages') ||
  names.has('ApproximateNumberOfMessagesNotVisible') ||
  names.has('ApproximateNumberOfMessagesDelayed');
