/**
 * What Subscribe accepts as an endpoint, per protocol (API_Subscribe), and which protocols start out pending
 * confirmation. Wording of the errors follows AWS's "Invalid parameter: …" family.
 */
import { parseQueueArn } from '../../sqs/queue-ref.js';
import { snsInvalidParameter } from '../errors.js';

/** Protocols whose subscriptions wait for the endpoint's owner to confirm them. */
export const CONFIRMED_BY_OWNER = new Set(['http', 'https', 'email', 'email-json']);

/** Protocols Postbox records in the delivery log instead of delivering. */
export const RECORDED = new Set(['email', 'email-json', 'sms', 'application', 'lambda', 'firehose']);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164: a plus sign and up to 15 digits (AWS also accepts the digits alone and common separators). */
const PHONE = /^\+?[0-9][0-9 ().-]{4,20}$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]+))?$/;
const FIREHOSE_ARN = /^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[A-Za-z0-9_.-]{1,64}$/;
const APPLICATION_ENDPOINT_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/[A-Za-z_]+\/[^/]+\/[0-9a-fA-F-]+$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Checks the endpoint for its protocol; answers it as stored. */
export function checkEndpoint(protocol: string, endpoint: string): string {
  switch (protocol) {
    case 'sqs':
      if (!parseQueueArn(endpoint)) throw snsInvalidParameter('SQS endpoint ARN');
      return endpoint;
    case 'http':
    case 'https': {
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== `${protocol}:` || !url.hostname) throw snsInvalidParameter('Endpoint must match the specified protocol');
      return endpoint;
    }
    case 'email':
    case 'email-json':
      if (!EMAIL.test(endpoint)) throw snsInvalidParameter('Email address');
      return endpoint;
    case 'sms':
      if (!PHONE.test(endpoint)) throw snsInvalidParameter(`Invalid SMS endpoint: ${endpoint}`);
      return endpoint;
    case 'lambda':
      if (!LAMBDA_ARN.test(endpoint)) throw snsInvalidParameter('Lambda endpoint ARN');
      return endpoint;
    case 'firehose':
      if (!FIREHOSE_ARN.test(endpoint)) throw snsInvalidParameter('Firehose endpoint ARN');
      return endpoint;
    case 'application':
      if (!APPLICATION_ENDPOINT_ARN.test(endpoint)) throw snsInvalidParameter('Application endpoint ARN');
      return endpoint;
    default:
      throw snsInvalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  }
}

/** Firehose subscriptions name the role SNS assumes to write to the stream (SubscriptionRoleArn), and must. */
export function checkSubscriptionRole(protocol: string, attributes: Record<string, string>): void {
  const role = attributes['SubscriptionRoleArn'];
  if (protocol === 'firehose' && !role) {
    throw snsInvalidParameter('Attributes Reason: SubscriptionRoleArn is required for firehose subscriptions');
  }
  if (role !== undefined && !IAM_ROLE_ARN.test(role)) throw snsInvalidParameter('Attributes Reason: SubscriptionRoleArn: Invalid role ARN');
}

/** The platform of an `application` endpoint ARN (`…:endpoint/GCM/app/id` → `GCM`), the key of its message in a
 *  MessageStructure=json publish. */
export const platformOf = (endpointArn: string): string => endpointArn.split(':').pop()!.split('/')[1] ?? '';

/**
 * An HTTP/S endpoint fit for a log line: without the `user:password@` an endpoint may carry for basic
 * authentication (which the POST still sends).
 */
export function endpointForLog(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (!url.username && !url.password) return endpoint;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return endpoint.replace(/\/\/[^/?#]*@/, '//');
  }
}
