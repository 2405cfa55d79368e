import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { credentials } from '../../support/postbox.js';

/** Asserts an SDK call fails with this exception name, HTTP status and (optionally) message. */
export { rejects } from '../sns/support.js';

export function eventsClient(endpoint: string, region = 'us-east-1', accessKeyId = 'test'): EventBridgeClient {
  return new EventBridgeClient({ endpoint, region, credentials: { ...credentials, accessKeyId }, maxAttempts: 1 });
}
