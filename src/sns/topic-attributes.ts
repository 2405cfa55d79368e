import type { TopicRecord } from '../store/sns-contract.js';
import { checkDeliveryPolicy } from './delivery/policy.js';
import { snsInvalidParameter } from './errors.js';
import * as L from './limits.js';

/** The access policy AWS gives a new topic: the owner account may do everything on it. */
export function defaultTopicPolicy(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  });
}

/** AWS's default delivery policy for HTTP/S endpoints, which EffectiveDeliveryPolicy shows when none is set. */
export const DEFAULT_DELIVERY_POLICY = {
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
};

type Json = Record<string, unknown>;

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? deepMerge(b as Json, v as Json) : v;
  }
  return out;
}

/** The delivery policy in force: AWS's defaults overlaid with the topic's DeliveryPolicy. */
export function effectiveDeliveryPolicy(deliveryPolicy: string | undefined): string {
  if (!deliveryPolicy) return JSON.stringify(DEFAULT_DELIVERY_POLICY);
  try {
    return JSON.stringify(deepMerge(DEFAULT_DELIVERY_POLICY, JSON.parse(deliveryPolicy) as Json));
  } catch {
    return JSON.stringify(DEFAULT_DELIVERY_POLICY);
  }
}

const FEEDBACK_PROTOCOLS = ['Application', 'Firehose', 'HTTP', 'Lambda', 'SQS'];
const FEEDBACK_ATTRIBUTES = FEEDBACK_PROTOCOLS.flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]);

/** Attributes SetTopicAttributes and CreateTopic accept (API_SetTopicAttributes), with FIFO-only ones apart. */
const SETTABLE = new Set([
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'TracingConfig',
  'KmsMasterKeyId',
  'SignatureVersion',
  'MaximumMessageSize',
  ...FEEDBACK_ATTRIBUTES,
]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'ArchivePolicy', 'FifoThroughputScope']);

const isJsonObject = (text: string): boolean => {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

/**
 * Checks one attribute for SetTopicAttributes (`creating` false) or CreateTopic, as AWS does; answers the value to
 * store. AWS names the failing attribute: "Invalid parameter: <AttributeName>" (wording of the reason varies).
 */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): string {
  if (name === 'FifoTopic') {
    // Fixed at creation.
    if (!creating) throw snsInvalidParameter('AttributeName');
    if (value !== 'true' && value !== 'false') throw snsInvalidParameter('FifoTopic');
    return value;
  }
  if (FIFO_ONLY.has(name)) {
    if (!fifo) throw snsInvalidParameter(`${name}`);
  } else if (!SETTABLE.has(name)) {
    throw snsInvalidParameter('AttributeName');
  }
  switch (name) {
    case 'Policy':
      if (!isJsonObject(value)) throw snsInvalidParameter('Policy Error: null');
      return value;
    case 'DeliveryPolicy':
      if (value !== '') checkDeliveryPolicy(value, 'topic', creating ? 'Attributes Reason: ' : '');
      return value;
    case 'ArchivePolicy':
      if (value !== '' && !isJsonObject(value)) throw snsInvalidParameter('ArchivePolicy');
      return value;
    case 'SignatureVersion':
      if (value !== '1' && value !== '2') throw snsInvalidParameter('SignatureVersion');
      return value;
    case 'TracingConfig':
      if (value !== 'PassThrough' && value !== 'Active') throw snsInvalidParameter('TracingConfig');
      return value;
    case 'ContentBasedDeduplication': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') throw snsInvalidParameter('ContentBasedDeduplication');
      return v;
    }
    case 'FifoThroughputScope':
      if (value !== 'Topic' && value !== 'MessageGroup') throw snsInvalidParameter('FifoThroughputScope');
      return value;
    case 'MaximumMessageSize': {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < L.MESSAGE_SIZE_SETTING_MIN || n > L.MESSAGE_SIZE_SETTING_MAX) {
        throw snsInvalidParameter(
          `MaximumMessageSize: must be an integer between ${L.MESSAGE_SIZE_SETTING_MIN} and ${L.MESSAGE_SIZE_SETTING_MAX}`,
        );
      }
      return value;
    }
    default:
      if (name.endsWith('SampleRate')) {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n > 100) throw snsInvalidParameter(name);
      }
      return value;
  }
}

export function maximumMessageSize(topic: TopicRecord): number {
  const v = topic.attributes['MaximumMessageSize'];
  return v ? Number(v) : L.MESSAGE_SIZE_DEFAULT;
}

/** GetTopicAttributes: what AWS returns for every topic, then whatever was set. */
export function renderTopicAttributes(topic: TopicRecord, counts: { confirmed: number; pending: number }): Record<string, string> {
  const out: Record<string, string> = {
    Policy: topic.attributes['Policy'] ?? defaultTopicPolicy(topic.arn, topic.accountId),
    Owner: topic.accountId,
    SubscriptionsPending: String(counts.pending),
    TopicArn: topic.arn,
    EffectiveDeliveryPolicy: effectiveDeliveryPolicy(topic.attributes['DeliveryPolicy']),
    SubscriptionsConfirmed: String(counts.confirmed),
    DisplayName: topic.attributes['DisplayName'] ?? '',
    SubscriptionsDeleted: String(topic.subscriptionsDeleted),
  };
  if (topic.fifo) {
    out['FifoTopic'] = 'true';
    out['ContentBasedDeduplication'] = topic.attributes['ContentBasedDeduplication'] ?? 'false';
  }
  for (const [k, v] of Object.entries(topic.attributes)) {
    if (k === 'FifoTopic' || k === 'DeliveryPolicy' && v === '') continue;
    if (!(k in out) || k === 'Policy') out[k] = v;
  }
  return out;
}
