/**
 * STS GetCallerIdentity (a Query-only API) and account selection: raw Query POSTs and @aws-sdk/client-sts, the
 * default account 000000000000, and a 12-digit access key id acting as that account for STS and for SQS (queue
 * URLs and ARNs carry it; queues are namespaced per account and per region).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, type SQSClient } from 'sqs-query';
import type { Postbox } from '../../../src/index.js';
import { credentials, queryClient, startTestPostbox, uniqueName } from '../../support/postbox.js';
import { STS_NS, assertQueryEnvelope, assertQueryErrorDocument, expectQueryError, nonExistentQueue, postForm, xmlOne } from './support.js';

const authorization = (accessKeyId: string, service: string, region = 'us-east-1') =>
  `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('Query protocol: STS and accounts', () => {
  let postbox: Postbox;
  const clients: { destroy(): void }[] = [];
  before(async () => {
    postbox = await startTestPostbox();
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await postbox?.stop();
  });
  const sts = (accessKeyId = 'test') => {
    const c = new STSClient({ endpoint: postbox.endpoint, region: 'us-east-1', credentials: { ...credentials, accessKeyId }, maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  const sqs = (accessKeyId = 'test', region = 'us-east-1'): SQSClient => {
    const c = queryClient(postbox.endpoint, region, accessKeyId);
    clients.push(c);
    return c;
  };

  describe('GetCallerIdentity', () => {
    it('answers the default account over a raw Query POST', async () => {
      const res = await postForm(postbox.endpoint, '/', 'Action=GetCallerIdentity&Version=2011-06-15');
      assertQueryEnvelope(res, 'GetCallerIdentity', STS_NS);
      assert.equal(xmlOne(res.text, 'Account'), '000000000000');
      assert.equal(xmlOne(res.text, 'Arn'), 'arn:aws:iam::000000000000:root');
      assert.ok(xmlOne(res.text, 'UserId'));
    });

    it('takes a 12-digit access key id in the credential scope as the account', async () => {
      const res = await postForm(postbox.endpoint, '/', 'Action=GetCallerIdentity&Version=2011-06-15', {
        authorization: authorization('111122223333', 'sts'),
      });
      assertQueryEnvelope(res, 'GetCallerIdentity', STS_NS);
      assert.equal(xmlOne(res.text, 'Account'), '111122223333');
      assert.equal(xmlOne(res.text, 'Arn'), 'arn:aws:iam::111122223333:root');
      assert.equal(xmlOne(res.text, 'UserId'), '111122223333');
    });

    it('answers @aws-sdk/client-sts with the default account', async () => {
      const out = await sts().send(new GetCallerIdentityCommand({}));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.Account, '000000000000');
      assert.equal(out.Arn, 'arn:aws:iam::000000000000:root');
      assert.ok(out.UserId);
      assert.ok(out.$metadata.requestId);
    });

    it('answers @aws-sdk/client-sts signed with a 12-digit key as that account', async () => {
      const out = await sts('111122223333').send(new GetCallerIdentityCommand({}));
      assert.equal(out.Account, '111122223333');
      assert.equal(out.Arn, 'arn:aws:iam::111122223333:root');
      assert.equal(out.UserId, '111122223333');
    });

    it('an unknown STS action is InvalidAction in the STS namespace', async () => {
      const res = await postForm(postbox.endpoint, '/', 'Action=Frobnicate&Version=2011-06-15');
      assertQueryErrorDocument(res, { status: 400, code: 'InvalidAction', ns: STS_NS });
    });
  });

  describe('SQS accounts and regions', () => {
    it('a 12-digit access key id creates queues in that account: URL and ARN carry it', async () => {
      const name = uniqueName('acct');
      const other = sqs('111122223333');
      const { QueueUrl } = await other.send(new CreateQueueCommand({ QueueName: name }));
      assert.equal(QueueUrl, `${postbox.endpoint}/111122223333/${name}`);
      const attrs = await other.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      assert.equal(attrs.Attributes!['QueueArn'], `arn:aws:sqs:us-east-1:111122223333:${name}`);
      const listed = await other.send(new ListQueuesCommand({ QueueNamePrefix: name }));
      assert.deepEqual(listed.QueueUrls, [QueueUrl]);
    });

    it('queues are namespaced per account', async () => {
      const name = uniqueName('ns');
      const mine = sqs();
      const theirs = sqs('444455556666');
      const { QueueUrl } = await theirs.send(new CreateQueueCommand({ QueueName: name }));
      assert.equal((await mine.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls, undefined);
      await expectQueryError(mine.send(new GetQueueUrlCommand({ QueueName: name })), nonExistentQueue);
      // Naming the owner finds it.
      const found = await mine.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: '444455556666' }));
      assert.equal(found.QueueUrl, QueueUrl);
      // The same name in the default account is a different queue.
      const own = await mine.send(new CreateQueueCommand({ QueueName: name }));
      assert.equal(own.QueueUrl, `${postbox.endpoint}/000000000000/${name}`);
    });

    it('the signing region selects the region: ARNs carry it and regions do not share queues', async () => {
      const name = uniqueName('region');
      const eu = sqs('test', 'eu-west-1');
      const { QueueUrl } = await eu.send(new CreateQueueCommand({ QueueName: name }));
      const attrs = await eu.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      assert.equal(attrs.Attributes!['QueueArn'], `arn:aws:sqs:eu-west-1:000000000000:${name}`);
      assert.equal((await sqs().send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls, undefined);
    });

    it('a raw Query request signed with a 12-digit key acts as that account', async () => {
      const name = uniqueName('rawacct');
      const res = await postForm(postbox.endpoint, '/', `Action=CreateQueue&QueueName=${name}&Version=2012-11-05`, {
        authorization: authorization('777788889999', 'sqs'),
      });
      assertQueryEnvelope(res, 'CreateQueue');
      assert.equal(xmlOne(res.text, 'QueueUrl'), `${postbox.endpoint}/777788889999/${name}`);
    });
  });
});
