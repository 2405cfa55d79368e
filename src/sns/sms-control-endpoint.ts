/**
 * What a phone and a support case do to an AWS account, for tests and local development:
 *
 * - `POST /_postbox/sns/sms/opt-out?phoneNumber=+15555550100` opts the number out, as its owner replying STOP to an
 *   SMS does in AWS. OptInPhoneNumber opts it back in.
 * - `PUT /_postbox/sns/sms/sandbox?inSandbox=true|false` moves the account into or out of the SMS sandbox (in AWS,
 *   leaving it takes a support case).
 *
 * Both take `account` (12 digits) and `region`, defaulting to the server's. They answer JSON.
 */
import type { IncomingCall } from '../server/dispatch.js';
import type { WireResponse } from '../protocol/wire.js';
import { e164 } from './phone-numbers.js';
import type { SnsRuntime } from './runtime.js';
import { smsSettings } from './sms-account.js';

export const SMS_CONTROL_PREFIX = '/_postbox/sns/sms/';

export async function serveSmsControl(
  rt: SnsRuntime | undefined,
  call: IncomingCall,
  defaults: { accountId: string; region: string },
): Promise<WireResponse> {
  if (!rt) return json(501, { error: 'SNS needs the SQLite engine.' });
  const accountId = call.query.get('account') ?? defaults.accountId;
  const region = call.query.get('region') ?? defaults.region;
  if (!/^\d{12}$/.test(accountId)) return json(400, { error: '`account` must be 12 digits.' });
  if (!/^[a-z0-9-]{1,32}$/.test(region)) return json(400, { error: '`region` is not a region name.' });
  const action = call.path.slice(SMS_CONTROL_PREFIX.length);

  if (action === 'opt-out') {
    if (call.method !== 'POST') return json(405, { error: 'Use POST.' });
    const phoneNumber = e164(call.query.get('phoneNumber') ?? undefined);
    if (!phoneNumber) return json(400, { error: '`phoneNumber` must be an E.164 phone number.' });
    await rt.store.optOutPhoneNumber(accountId, region, phoneNumber);
    return json(200, { accountId, region, phoneNumber, optedOut: true });
  }
  if (action === 'sandbox') {
    if (call.method !== 'PUT') return json(405, { error: 'Use PUT.' });
    const flag = call.query.get('inSandbox');
    if (flag !== 'true' && flag !== 'false') return json(400, { error: '`inSandbox` must be true or false.' });
    const settings = await smsSettings(rt, accountId, region);
    await rt.store.putSmsSettings(accountId, region, { ...settings, inSandbox: flag === 'true' });
    return json(200, { accountId, region, inSandbox: flag === 'true' });
  }
  return json(404, { error: 'Not found' });
}

function json(status: number, body: unknown): WireResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
