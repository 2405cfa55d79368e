import { SNSClient } from '@aws-sdk/client-sns';
import assert from 'node:assert/strict';
import { credentials } from '../../support/postbox.js';

export function snsClient(endpoint: string, region = 'us-east-1', accessKeyId = 'test'): SNSClient {
  return new SNSClient({ endpoint, region, credentials: { ...credentials, accessKeyId }, maxAttempts: 1 });
}

/** Asserts an SDK call fails with this exception name, HTTP status and (optionally) message. */
export async function rejects(p: Promise<unknown>, name: string, status: number, message?: string | RegExp) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
