import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreateSMSSandboxPhoneNumberCommand,
  DeleteSMSSandboxPhoneNumberCommand,
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  ListOriginationNumbersCommand,
  ListPhoneNumbersOptedOutCommand,
  ListSMSSandboxPhoneNumbersCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  SetSMSAttributesCommand,
  VerifySMSSandboxPhoneNumberCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { Postbox } from '../../../src/index.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPostgres, startClockedPostbox, startTestPostbox } from '../../support/postbox.js';
import { deliveries } from './recorded-deliveries.js';
import { rejects, snsClient } from './support.js';

/** Restarts on one SQLite data directory; PostgreSQL restarts and node failures: test/cluster/sns-nodes.test.ts. */
const sqliteRestart = onPostgres() && 'restarts a SQLite data directory (PostgreSQL: test/cluster/sns-nodes.test.ts)';

let postbox: Postbox;
let clock: ManualClock;
let sns: SNSClient;

before(async () => {
  ({ postbox, clock } = await startClockedPostbox());
  sns = snsClient(postbox.endpoint);
});
after(async () => {
  sns.destroy();
  await postbox.stop();
});

let next = 0;
/** A phone number no other test uses. */
const phone = (): string => `+1555${String(process.pid % 1000).padStart(3, '0')}${String(++next).padStart(4, '0')}`;

/** What replying STOP does: the number opts out of this account's SMS. */
async function optOut(number: string, account?: string): Promise<Response> {
  const q = new URLSearchParams({ phoneNumber: number, ...(account ? { account } : {}) });
  return fetch(`${postbox.endpoint}/_postbox/sns/sms/opt-out?${q}`, { method: 'POST' });
}

async function setSandbox(inSandbox: boolean, region = 'us-east-1'): Promise<void> {
  const res = await fetch(`${postbox.endpoint}/_postbox/sns/sms/sandbox?inSandbox=${inSandbox}&region=${region}`, { method: 'PUT' });
  assert.equal(res.status, 200, await res.text());
}

describe('SMS attributes', () => {
  test('GetSMSAttributes starts from the defaults; SetSMSAttributes merges; a list picks names', async () => {
    const client = snsClient(postbox.endpoint, 'eu-west-1');
    try {
      assert.deepEqual((await client.send(new GetSMSAttributesCommand({}))).attributes, { MonthlySpendLimit: '1' });
      await client.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: 'Transactional', DefaultSenderID: 'Postbox1' } }));
      await client.send(new SetSMSAttributesCommand({ attributes: { MonthlySpendLimit: '20', DeliveryStatusSuccessSamplingRate: '100' } }));
      assert.deepEqual((await client.send(new GetSMSAttributesCommand({}))).attributes, {
        MonthlySpendLimit: '20',
        DefaultSMSType: 'Transactional',
        DefaultSenderID: 'Postbox1',
        DeliveryStatusSuccessSamplingRate: '100',
      });
      assert.deepEqual((await client.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType', 'UsageReportS3Bucket'] }))).attributes, {
        DefaultSMSType: 'Transactional',
      });
      // Per region: another region still has the defaults.
      assert.deepEqual((await sns.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType'] }))).attributes ?? {}, {});
    } finally {
      client.destroy();
    }
  });

  test('SetSMSAttributes refuses unknown names and values outside the documented rules', async () => {
    const set = (attributes: Record<string, string>) => sns.send(new SetSMSAttributesCommand({ attributes }));
    await rejects(set({ Colour: 'red' }), 'InvalidParameterException', 400, 'Invalid parameter: Colour Reason: Colour is not a valid attribute');
    await rejects(set({ DefaultSMSType: 'Urgent' }), 'InvalidParameterException', 400, 'Invalid parameter: DefaultSMSType Reason: Invalid value [Urgent]');
    await rejects(set({ DefaultSenderID: '123456' }), 'InvalidParameterException', 400, /DefaultSenderID/);
    await rejects(set({ DefaultSenderID: 'TwelveChars1' }), 'InvalidParameterException', 400, /DefaultSenderID/);
    await rejects(set({ DeliveryStatusSuccessSamplingRate: '101' }), 'InvalidParameterException', 400, /DeliveryStatusSuccessSamplingRate/);
    await rejects(set({ MonthlySpendLimit: 'lots' }), 'InvalidParameterException', 400, /MonthlySpendLimit/);
    await rejects(set({ DeliveryStatusIAMRole: 'arn:aws:iam::123:user/x' }), 'InvalidParameterException', 400, /DeliveryStatusIAMRole/);
    await rejects(set({ UsageReportS3Bucket: 'Bad_Bucket' }), 'InvalidParameterException', 400, /UsageReportS3Bucket/);
    await rejects(sns.send(new SetSMSAttributesCommand({ attributes: undefined as never })), 'ValidationError', 400);
    // A refused call changes nothing.
    assert.equal((await sns.send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] }))).attributes!['MonthlySpendLimit'], '1');
  });
});

describe('publish to a phone number', () => {
  test('records the SMS with its type and sender id, and answers a MessageId', async () => {
    const to = phone();
    const { MessageId } = await sns.send(
      new PublishCommand({
        PhoneNumber: to,
        Message: 'Your code is 1234',
        MessageAttributes: {
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'MyShop' },
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
        },
      }),
    );
    assert.match(MessageId!, /^[0-9a-f-]{36}$/);
    const [d, ...rest] = await deliveries(postbox, { endpoint: to });
    assert.equal(rest.length, 0);
    assert.equal(d!.protocol, 'sms');
    assert.equal(d!.payload, 'Your code is 1234');
    assert.deepEqual(d!.details, { kind: 'Notification', messageId: MessageId, smsType: 'Transactional', senderId: 'MyShop', maxPrice: '0.50' });
  });

  test('the digits without "+" are the same number; MessageStructure=json sends its "sms" entry', async () => {
    const to = phone();
    await sns.send(new PublishCommand({ PhoneNumber: to.slice(1), Message: JSON.stringify({ default: 'long', sms: 'short' }), MessageStructure: 'json' }));
    const [d] = await deliveries(postbox, { endpoint: to });
    assert.equal(d!.payload, 'short');
    assert.equal(d!.details!['smsType'], 'Promotional');
  });

  test('bad numbers, bad SMS attributes and a second destination are refused', async () => {
    await rejects(
      sns.send(new PublishCommand({ PhoneNumber: '+1-555-CALL', Message: 'x' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: PhoneNumber Reason: +1-555-CALL is not valid to publish to',
    );
    await rejects(sns.send(new PublishCommand({ PhoneNumber: '+0123456', Message: 'x' })), 'InvalidParameterException', 400, /is not valid to publish to$/);
    await rejects(
      sns.send(new PublishCommand({ PhoneNumber: phone(), Message: 'x', MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Spam' } } })),
      'InvalidParameterException',
      400,
      /AWS\.SNS\.SMS\.SMSType/,
    );
    await rejects(
      sns.send(new PublishCommand({ PhoneNumber: phone(), TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'x' })),
      'InvalidParameterException',
      400,
      /Only one of TopicArn, TargetArn or PhoneNumber/,
    );
    await rejects(sns.send(new PublishCommand({ PhoneNumber: phone(), Message: '' })), 'InvalidParameterException', 400, 'Invalid parameter: Empty message');
  });
});

describe('opt-outs', () => {
  test('a number that replied STOP is opted out: listed, checked, and publishing to it delivers nothing', async () => {
    const to = phone();
    assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: to }))).isOptedOut, false);
    assert.equal((await optOut(to)).status, 200);
    assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: to }))).isOptedOut, true);
    assert.ok((await sns.send(new ListPhoneNumbersOptedOutCommand({}))).phoneNumbers!.includes(to));
    const { MessageId } = await sns.send(new PublishCommand({ PhoneNumber: to, Message: 'anyone there?' }));
    assert.ok(MessageId);
    assert.deepEqual(await deliveries(postbox, { endpoint: to }), []);

    await sns.send(new OptInPhoneNumberCommand({ phoneNumber: to }));
    assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: to }))).isOptedOut, false);
    await sns.send(new PublishCommand({ PhoneNumber: to, Message: 'welcome back' }));
    assert.equal((await deliveries(postbox, { endpoint: to })).length, 1);
  });

  test('OptInPhoneNumber works once every 30 days', async () => {
    const to = phone();
    await optOut(to);
    await sns.send(new OptInPhoneNumberCommand({ phoneNumber: to }));
    await optOut(to);
    await rejects(sns.send(new OptInPhoneNumberCommand({ phoneNumber: to })), 'InvalidParameterException', 400, /only once every 30 days/);
    clock.advance(30 * 24 * 3600_000);
    await sns.send(new OptInPhoneNumberCommand({ phoneNumber: to }));
    assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: to }))).isOptedOut, false);
    // A number that is not opted out: nothing to do, no error.
    await sns.send(new OptInPhoneNumberCommand({ phoneNumber: phone() }));
  });

  test('ListPhoneNumbersOptedOut pages by 100 with nextToken; opt-outs are per account', async () => {
    const account = '111122223333';
    const numbers: string[] = [];
    for (let i = 0; i < 103; i++) {
      const n = `+4420${String(i).padStart(8, '0')}`;
      numbers.push(n);
      assert.equal((await optOut(n, account)).status, 200);
    }
    const client = snsClient(postbox.endpoint, 'us-east-1', account);
    try {
      const first = await client.send(new ListPhoneNumbersOptedOutCommand({}));
      assert.equal(first.phoneNumbers!.length, 100);
      assert.ok(first.nextToken);
      const second = await client.send(new ListPhoneNumbersOptedOutCommand({ nextToken: first.nextToken }));
      assert.deepEqual([...first.phoneNumbers!, ...second.phoneNumbers!], numbers);
      assert.equal(second.nextToken, undefined);
      assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: numbers[0] }))).isOptedOut, false);
    } finally {
      client.destroy();
    }
  });

  test('malformed numbers are refused by the API and by the opt-out endpoint', async () => {
    await rejects(
      sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: 'call me' })),
      'InvalidParameterException',
      400,
      'Invalid parameter: PhoneNumber Reason: input incorrectly formatted',
    );
    await rejects(sns.send(new OptInPhoneNumberCommand({ phoneNumber: '12' .repeat(10) })), 'InvalidParameterException', 400, /input incorrectly formatted/);
    assert.equal((await optOut('nope')).status, 400);
    assert.equal((await fetch(`${postbox.endpoint}/_postbox/sns/sms/opt-out?phoneNumber=%2B15550000000`)).status, 405);
  });
});

describe('SMS sandbox', () => {
  test('accounts start outside the sandbox; the sandbox endpoint moves them in and out', async () => {
    const client = snsClient(postbox.endpoint, 'ap-south-1');
    try {
      assert.equal((await client.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, false);
      await setSandbox(true, 'ap-south-1');
      assert.equal((await client.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, true);
      await setSandbox(false, 'ap-south-1');
      assert.equal((await client.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, false);
    } finally {
      client.destroy();
    }
  });

  test('the control endpoints refuse what they cannot do', async () => {
    const call = (path: string, method: string) => fetch(`${postbox.endpoint}/_postbox/sns/sms/${path}`, { method });
    assert.equal((await call('sandbox?inSandbox=maybe', 'PUT')).status, 400);
    assert.equal((await call('sandbox?inSandbox=true&account=42', 'PUT')).status, 400);
    assert.equal((await call('sandbox?inSandbox=true', 'POST')).status, 405);
    assert.equal((await call('somewhere', 'POST')).status, 404);
    assert.equal((await sns.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, false);
  });

  test('a number is verified with the one-time password recorded in the delivery log; in the sandbox only verified numbers get SMS', async () => {
    const client = snsClient(postbox.endpoint, 'ca-central-1');
    try {
      await setSandbox(true, 'ca-central-1');
      const to = phone();
      await client.send(new PublishCommand({ PhoneNumber: to, Message: 'before verification' }));
      assert.deepEqual(await deliveries(postbox, { endpoint: to }), []);

      await client.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: to, LanguageCode: 'fr-FR' }));
      assert.deepEqual((await client.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers, [{ PhoneNumber: to, Status: 'Pending' }]);
      const [otp] = await deliveries(postbox, { endpoint: to });
      assert.equal(otp!.protocol, 'sms');
      assert.equal(otp!.details!['kind'], 'SMSSandboxVerification');
      assert.equal(otp!.details!['languageCode'], 'fr-FR');
      const code = otp!.details!['oneTimePassword']!;
      assert.match(code, /^\d{6}$/);
      assert.ok(otp!.payload.includes(code));

      const wrong = code === '000000' ? '111111' : '000000';
      await rejects(client.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: to, OneTimePassword: wrong })), 'VerificationException', 400);
      await rejects(client.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: to, OneTimePassword: 'abc' })), 'InvalidParameterException', 400);
      await client.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: to, OneTimePassword: code }));
      assert.deepEqual((await client.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers, [{ PhoneNumber: to, Status: 'Verified' }]);

      await client.send(new PublishCommand({ PhoneNumber: to, Message: 'after verification' }));
      const sent = await deliveries(postbox, { endpoint: to });
      assert.deepEqual(sent.map((d) => d.payload).slice(1), ['after verification']);

      await client.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: to }));
      assert.deepEqual((await client.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers, []);
      await rejects(client.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: to })), 'ResourceNotFoundException', 404);
      await rejects(client.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: to, OneTimePassword: code })), 'ResourceNotFoundException', 404);
      await client.send(new PublishCommand({ PhoneNumber: to, Message: 'deleted again' }));
      assert.equal((await deliveries(postbox, { endpoint: to })).length, 2);
    } finally {
      client.destroy();
    }
  });

  test('sandbox numbers: validation, opted-out numbers, paging with MaxResults', async () => {
    await rejects(sns.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: '555-0100' })), 'InvalidParameterException', 400, /PhoneNumber/);
    await rejects(sns.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: phone(), LanguageCode: 'xx-XX' as never })), 'InvalidParameterException', 400, 'Invalid parameter: LanguageCode');
    const opted = phone();
    await optOut(opted);
    await rejects(sns.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: opted })), 'OptedOutException', 400);

    const client = snsClient(postbox.endpoint, 'sa-east-1');
    try {
      const numbers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const n = `+5511900000${i}0`;
        numbers.push(n);
        await client.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: n }));
      }
      const first = await client.send(new ListSMSSandboxPhoneNumbersCommand({ MaxResults: 2 }));
      assert.equal(first.PhoneNumbers!.length, 2);
      const second = await client.send(new ListSMSSandboxPhoneNumbersCommand({ MaxResults: 2, NextToken: first.NextToken }));
      const third = await client.send(new ListSMSSandboxPhoneNumbersCommand({ MaxResults: 2, NextToken: second.NextToken }));
      assert.equal(third.NextToken, undefined);
      assert.deepEqual([...first.PhoneNumbers!, ...second.PhoneNumbers!, ...third.PhoneNumbers!].map((p) => p.PhoneNumber), numbers);
      await rejects(client.send(new ListSMSSandboxPhoneNumbersCommand({ MaxResults: 101 })), 'InvalidParameterException', 400, 'Invalid parameter: MaxResults');
      await rejects(client.send(new ListSMSSandboxPhoneNumbersCommand({ MaxResults: 0 })), 'InvalidParameterException', 400);
    } finally {
      client.destroy();
    }
  });
});

test('ListOriginationNumbers: Postbox has no origination numbers; MaxResults is 1 to 30', async () => {
  const res = await sns.send(new ListOriginationNumbersCommand({ MaxResults: 30 }));
  assert.deepEqual(res.PhoneNumbers ?? [], []);
  assert.equal(res.NextToken, undefined);
  await rejects(
    sns.send(new ListOriginationNumbersCommand({ MaxResults: 31 })),
    'ValidationException',
    400,
    "1 validation error detected: Value '31' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 30",
  );
});

test('SMS settings, opt-outs and sandbox numbers survive a restart', { skip: sqliteRestart }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'postbox-sms-'));
  try {
    let box = await startTestPostbox({ dataDir: dir, memory: false });
    let client = snsClient(box.endpoint);
    await client.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: 'Transactional' } }));
    assert.equal((await fetch(`${box.endpoint}/_postbox/sns/sms/opt-out?phoneNumber=%2B15550001111`, { method: 'POST' })).status, 200);
    assert.equal((await fetch(`${box.endpoint}/_postbox/sns/sms/sandbox?inSandbox=true`, { method: 'PUT' })).status, 200);
    await client.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: '+15550002222' }));
    client.destroy();
    await box.stop();

    box = await startTestPostbox({ dataDir: dir, memory: false });
    client = snsClient(box.endpoint);
    assert.equal((await client.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType'] }))).attributes!['DefaultSMSType'], 'Transactional');
    assert.equal((await client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+15550001111' }))).isOptedOut, true);
    assert.equal((await client.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, true);
    assert.deepEqual((await client.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers, [{ PhoneNumber: '+15550002222', Status: 'Pending' }]);
    client.destroy();
    await box.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
