import { parseFilterPolicy, PatternError, snsFilterPolicyMessage, type FilterPolicyScope } from '../pattern/index.js';
import type { SubscriptionRecord } from '../store/sns-contract.js';
import { AwsError } from '../core/errors.js';
import { snsInvalidParameter } from './errors.js';
import { checkDeliveryPolicy, renderEffectiveSubscriptionPolicy } from './delivery/policy.js';

/** Attributes Subscribe and SetSubscriptionAttributes accept (API_SetSubscriptionAttributes). */
const SETTABLE = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);
/** RawMessageDelivery applies where there is a body to hand over bare. */
const RAW_PROTOCOLS = new Set(['http', 'https', 'sqs', 'firehose']);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Checks a subscription's attributes together (FilterPolicy depends on FilterPolicyScope) and answers them as
 * stored. `inSubscribe` selects AWS's wording: Subscribe says "Invalid parameter: Attributes Reason: …",
 * SetSubscriptionAttributes "Invalid parameter: …".
 */
export function checkSubscriptionAttributes(
  protocol: string,
  attributes: Record<string, string>,
  inSubscribe: boolean,
): Record<string, string> {
  const lead = inSubscribe ? 'Attributes Reason: ' : '';
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (!SETTABLE.has(name)) throw snsInvalidParameter(inSubscribe ? `Attributes Reason: Unknown attribute ${name}` : 'AttributeName');
    switch (name) {
      case 'RawMessageDelivery': {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false') throw snsInvalidParameter(`${lead}RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
        if (!RAW_PROTOCOLS.has(protocol)) throw snsInvalidParameter(`${lead}Delivery protocol [${protocol}] does not support raw message delivery.`);
        out[name] = v;
        break;
      }
      case 'FilterPolicyScope':
        if (value !== 'MessageAttributes' && value !== 'MessageBody') {
          throw snsInvalidParameter(`${lead}FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
        }
        out[name] = value;
        break;
      case 'RedrivePolicy': {
        const policy = parseJson(value) as { deadLetterTargetArn?: unknown } | undefined;
        if (value !== '' && (typeof policy !== 'object' || policy === null || typeof policy.deadLetterTargetArn !== 'string')) {
          throw snsInvalidParameter(`${lead}RedrivePolicy: Invalid RedrivePolicy: deadLetterTargetArn is missing or invalid`);
        }
        if (policy && !/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(policy.deadLetterTargetArn as string)) {
          throw snsInvalidParameter(`${lead}RedrivePolicy: Invalid RedrivePolicy: deadLetterTargetArn is not a valid SQS queue ARN`);
        }
        out[name] = value;
        break;
      }
      case 'DeliveryPolicy':
        if (value !== '') checkDeliveryPolicy(value, 'subscription', lead);
        out[name] = value;
        break;
      case 'ReplayPolicy': {
        const v = parseJson(value);
        if (value !== '' && (typeof v !== 'object' || v === null || Array.isArray(v))) throw snsInvalidParameter(`${lead}${name}: failed to parse JSON.`);
        out[name] = value;
        break;
      }
      default:
        out[name] = value;
    }
  }
  return out;
}

/** Validates the FilterPolicy in a subscription's attributes (after a change) with its scope. */
export function checkFilterPolicy(attributes: Record<string, string>, inSubscribe: boolean): void {
  const text = attributes['FilterPolicy'];
  if (text === undefined || text === '') return;
  const scope = (attributes['FilterPolicyScope'] ?? 'MessageAttributes') as FilterPolicyScope;
  try {
    parseFilterPolicy(text, scope);
  } catch (err) {
    if (err instanceof PatternError) throw new AwsError('SnsInvalidParameter', snsFilterPolicyMessage(err, inSubscribe));
    throw err;
  }
}

/** GetSubscriptionAttributes: the attributes AWS returns for every subscription, then whatever was set. */
export function renderSubscriptionAttributes(s: SubscriptionRecord, topicDeliveryPolicy?: string): Record<string, string> {
  const out: Record<string, string> = {
    Owner: s.owner,
    RawMessageDelivery: s.attributes['RawMessageDelivery'] ?? 'false',
    TopicArn: s.topicArn,
    Endpoint: s.endpoint,
    Protocol: s.protocol,
    PendingConfirmation: String(s.pendingConfirmation),
    // Subscriptions confirmed at creation count as authenticated; owner-confirmed ones only through a signed
    // ConfirmSubscription with AuthenticateOnUnsubscribe.
    ConfirmationWasAuthenticated: String(!s.pendingConfirmation && s.confirmationWasAuthenticated !== false),
    SubscriptionArn: s.arn,
    SubscriptionPrincipal: `arn:aws:iam::${s.owner}:root`,
  };
  for (const [k, v] of Object.entries(s.attributes)) if (v !== '') out[k] = v;
  if (out['FilterPolicy'] && !out['FilterPolicyScope']) out['FilterPolicyScope'] = 'MessageAttributes';
  if (s.protocol === 'http' || s.protocol === 'https') {
    out['EffectiveDeliveryPolicy'] = renderEffectiveSubscriptionPolicy(topicDeliveryPolicy, s.attributes['DeliveryPolicy']);
  }
  return out;
}
