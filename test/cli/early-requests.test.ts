/**
 * SNS and EventBridge load while the server already listens (see app.ts), and the CLI prints `Ready.` as it listens:
 * requests sent the moment `Ready.` is printed, or the health check first answers, are served as they would be
 * later, SNS and EventBridge included.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { eventsClient } from '../conformance/events/support.js';
import { snsClient } from '../conformance/sns/support.js';
import { cleanup, freePort, spawnCli, tempDir } from '../support/process.js';
import { cliClient } from './util.js';

after(cleanup);

/** Sends SQS, SNS and EventBridge requests to a server that has just come up, and checks they all work. */
async function exercise(endpoint: string, stderr: () => string): Promise<void> {
  const sqs = cliClient(endpoint);
  const sns = snsClient(endpoint);
  const events = eventsClient(endpoint);
  try {
    const [queue, topic, rule] = await Promise.all([
      sqs.send(new CreateQueueCommand({ QueueName: 'early' })),
      sns.send(new CreateTopicCommand({ Name: 'early' })),
      events.send(new PutRuleCommand({ Name: 'early', EventPattern: JSON.stringify({ source: ['early.test'] }) })),
    ]);
    assert.equal(topic.TopicArn, 'arn:aws:sns:us-east-1:000000000000:early');
    assert.equal(rule.RuleArn, 'arn:aws:events:us-east-1:000000000000:rule/early');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: Attributes!['QueueArn'], Attributes: { RawMessageDelivery: 'true' } }));
    await sns.send(new PublishCommand({ TopicArn: topic.TopicArn, Message: 'from the start' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 5 }));
    assert.equal(received.Messages?.[0]?.Body, 'from the start');
    const rules = await events.send(new ListRulesCommand({}));
    assert.deepEqual(rules.Rules?.map((r) => r.Name), ['early']);
    assert.equal(stderr(), '', 'nothing on stderr');
  } finally {
    sqs.destroy();
    sns.destroy();
    events.destroy();
  }
}

test('requests sent as soon as the health check answers are served, SNS and EventBridge included', async () => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { child, stdout, stderr } = spawnCli({ cwd: tempDir(), args: ['--port', String(port), '--data', tempDir()] });
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(`${endpoint}/_postbox/health`).catch(() => undefined);
      if (res?.status === 200) break;
      assert.ok(Date.now() < deadline && child.exitCode === null, `no healthy answer\nstdout: ${stdout()}\nstderr: ${stderr()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await exercise(endpoint, stderr);
  } finally {
    child.kill('SIGKILL');
  }
});

// What a wait strategy watching stdout does: start on `Ready.`, which comes before SNS and EventBridge have loaded.
test('requests sent the moment Ready. is printed are served, SNS and EventBridge included', async () => {
  const port = await freePort();
  const { child, stdout, stderr } = spawnCli({ cwd: tempDir(), args: ['--port', String(port), '--data', tempDir()] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Ready. within 10 s\nstdout: ${stdout()}\nstderr: ${stderr()}`)), 10_000);
      child.stdout!.on('data', () => {
        if (!/^Ready\.$/m.test(stdout())) return;
        clearTimeout(timer);
        resolve();
      });
    });
    await exercise(`http://127.0.0.1:${port}`, stderr);
  } finally {
    child.kill('SIGKILL');
  }
});
