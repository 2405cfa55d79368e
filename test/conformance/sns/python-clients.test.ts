/**
 * SNS through second, independent clients: boto3 (test/conformance/python/boto3_sns.py) and the AWS CLI, run as
 * child processes against an in-process Postbox. SNS speaks the AWS Query protocol in every botocore, so any boto3
 * will do; like the SQS suite, a missing boto3 or AWS CLI makes these tests FAIL, not skip. Install them with
 *   apt-get update && apt-get install -y python3-boto3 awscli
 * POSTBOX_PYTHON and POSTBOX_AWS_CLI override where they are looked for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox } from '../../support/postbox.js';
import { describeRun, runChild } from '../../support/child-clients.js';

const INSTALL = 'apt-get update && apt-get install -y python3-boto3 awscli';
/** The compiled test runs from dist/test/conformance/sns/; the script stays in the source tree. */
const SCRIPT = fileURLToPath(new URL('../../../../test/conformance/python/boto3_sns.py', import.meta.url));

describe('SNS through boto3 and the AWS CLI', { concurrency: true }, () => {
  let postbox: Postbox;
  before(async () => {
    postbox = await startTestPostbox();
  });
  after(() => postbox?.stop());

  it('boto3 passes the SNS conformance script', async () => {
    const python = process.env['POSTBOX_PYTHON'] ?? '/usr/bin/python3';
    const r = await runChild(python, [SCRIPT, postbox.endpoint]);
    if (r.spawnError || r.code === 3) assert.fail(`no usable boto3 (${describeRun(r)}). Install it: ${INSTALL}`);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /^# boto3 .* SNS protocol query$/m, describeRun(r));
    assert.match(r.stdout, /^ALL OK \d+$/m, describeRun(r));
  });

  it('the AWS CLI creates a topic, subscribes a queue, publishes and reads the error of a missing topic', async () => {
    const aws = process.env['POSTBOX_AWS_CLI'] ?? '/usr/bin/aws';
    const cli = async (...args: string[]) => {
      const r = await runChild(aws, ['--endpoint-url', postbox.endpoint, '--output', 'json', ...args]);
      if (r.spawnError) assert.fail(`no AWS CLI at ${aws} (${r.spawnError}). Install it: ${INSTALL}`);
      assert.equal(r.code, 0, `aws ${args.join(' ')}: ${describeRun(r)}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    };
    const name = `cli-sns-${process.pid}`;
    const { TopicArn } = await cli('sns', 'create-topic', '--name', name);
    assert.equal(TopicArn, `arn:aws:sns:us-east-1:000000000000:${name}`);
    const { QueueUrl } = await cli('sqs', 'create-queue', '--queue-name', name);
    const queueArn = `arn:aws:sqs:us-east-1:000000000000:${name}`;
    const sub = await cli('sns', 'subscribe', '--topic-arn', TopicArn, '--protocol', 'sqs', '--notification-endpoint', queueArn,
      '--attributes', 'RawMessageDelivery=true', '--return-subscription-arn');
    assert.match(sub.SubscriptionArn, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    const published = await cli('sns', 'publish', '--topic-arn', TopicArn, '--message', 'from the cli');
    assert.match(published.MessageId, /^[0-9a-f-]{36}$/);
    const received = await cli('sqs', 'receive-message', '--queue-url', QueueUrl, '--wait-time-seconds', '5');
    assert.equal(received.Messages[0].Body, 'from the cli');
    const [topics, subs] = await Promise.all([cli('sns', 'list-topics'), cli('sns', 'list-subscriptions-by-topic', '--topic-arn', TopicArn)]);
    assert.ok(topics.Topics.some((t: { TopicArn: string }) => t.TopicArn === TopicArn));
    assert.deepEqual(subs.Subscriptions.map((s: { Endpoint: string }) => s.Endpoint), [queueArn]);

    await cli('sns', 'delete-topic', '--topic-arn', TopicArn);
    const gone = await runChild(aws, ['--endpoint-url', postbox.endpoint, '--output', 'json', 'sns', 'get-topic-attributes', '--topic-arn', TopicArn]);
    assert.notEqual(gone.code, 0, describeRun(gone));
    assert.match(gone.stderr, /\(NotFound\)/, describeRun(gone));
  });
});
