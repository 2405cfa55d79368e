/**
 * Second, independent Query-protocol clients: boto3 and the AWS CLI, run as child processes against an in-process
 * Postbox. Debian's python3-boto3 (botocore 1.29) and awscli (2.9, bundling its own botocore) still speak the
 * AWS Query protocol to SQS; newer builds (botocore >= 1.31.81) speak JSON, so the test picks an interpreter and a
 * CLI whose SQS protocol is Query, and a recording proxy in front of the server proves what went over the wire.
 *
 * These tools are required: when they are missing the tests FAIL (they do not skip). Install them with
 *   apt-get update && apt-get install -y python3-boto3 awscli
 * POSTBOX_PYTHON and POSTBOX_AWS_CLI override where they are looked for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox } from '../../support/postbox.js';
import { md5 } from './support.js';
import { describeRun, runChild as run, type RunResult } from '../../support/child-clients.js';

const INSTALL = 'apt-get update && apt-get install -y python3-boto3 awscli';
/** The compiled test runs from dist/test/conformance/query/; the scripts stay in the source tree. */
const BOTO3_SCRIPT = fileURLToPath(new URL('../../../../test/conformance/python/boto3_sqs.py', import.meta.url));
interface SeenRequest {
  method: string;
  userAgent: string;
  contentType: string;
  target: string | undefined;
  action: string | null;
}

/**
 * A pass-through HTTP proxy in front of Postbox that records how each request was encoded. Queue URLs are built
 * from the Host header, so clients that follow them keep going through the proxy.
 */
async function startRecordingProxy(targetPort: number): Promise<{ endpoint: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = req.headers;
      const contentType = String(headers['content-type'] ?? '');
      const query = new URL(req.url ?? '/', 'http://proxy').searchParams;
      const form = contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : undefined;
      seen.push({
        method: req.method ?? '',
        userAgent: String(headers['user-agent'] ?? ''),
        contentType,
        target: headers['x-amz-target'] as string | undefined,
        action: form?.get('Action') ?? query.get('Action'),
      });
      const upstream = request(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Asserts that the requests were AWS Query requests: form-encoded (or GET) with an Action, never AWS JSON. */
function assertAllQuery(requests: SeenRequest[], who: string): void {
  assert.ok(requests.length > 0, `${who} sent no requests through the proxy`);
  for (const r of requests) {
    const summary = `${who}: ${r.method} content-type=${r.contentType || '-'} x-amz-target=${r.target ?? '-'} ua=${r.userAgent}`;
    assert.equal(r.target, undefined, `expected the AWS Query protocol, got AWS JSON (${summary})`);
    assert.ok(r.action, `no Action parameter (${summary})`);
    if (r.method === 'POST') assert.match(r.contentType, /application\/x-www-form-urlencoded/, summary);
  }
}

const PY_PROBE =
  'import boto3, botocore, botocore.session as s; ' +
  'print(boto3.__version__, botocore.__version__, s.get_session().get_service_model("sqs").protocol)';

/** The first Python whose boto3 speaks Query to SQS, or a description of every candidate tried. */
async function findQueryPython(): Promise<{ python: string; versions: string } | { problem: string }> {
  const tried: string[] = [];
  for (const python of [process.env['POSTBOX_PYTHON'], '/usr/bin/python3', 'python3'].filter((p): p is string => !!p)) {
    const r = await run(python, ['-c', PY_PROBE]);
    if (r.spawnError) {
      tried.push(`${python}: not found`);
      continue;
    }
    if (r.code !== 0) {
      tried.push(`${python}: boto3 not importable (${r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const [boto3, botocore, protocol] = r.stdout.trim().split(/\s+/);
    if (protocol === 'query') return { python, versions: `boto3 ${boto3}, botocore ${botocore}` };
    tried.push(`${python}: boto3 ${boto3} / botocore ${botocore} speaks ${protocol} to SQS`);
  }
  return { problem: tried.join('; ') };
}

describe('Query protocol: boto3 and the AWS CLI', { concurrency: true }, () => {
  let postbox: Postbox;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let python: Awaited<ReturnType<typeof findQueryPython>>;

  before(async () => {
    postbox = await startTestPostbox();
    proxy = await startRecordingProxy(postbox.port);
    python = await findQueryPython();
  });
  after(async () => {
    await proxy?.close();
    await postbox?.stop();
  });

  const requestsFrom = (pattern: RegExp, from = 0) => proxy.seen.slice(from).filter((r) => pattern.test(r.userAgent));

  it('boto3 passes the conformance script over the Query protocol', async () => {
    if ('problem' in python) {
      assert.fail(`no boto3 that speaks the AWS Query protocol to SQS (${python.problem}). Install Debian's build: ${INSTALL}`);
    }
    const r = await run(python.python, [BOTO3_SCRIPT, proxy.endpoint]);
    assert.equal(r.code, 0, `${python.python} ${BOTO3_SCRIPT} (${python.versions}) failed:\n${describeRun(r)}`);
    assert.match(r.stdout, /^ALL OK \d+$/m, describeRun(r));
    assert.doesNotMatch(r.stdout, /^not ok/m, describeRun(r));
    assertAllQuery(requestsFrom(/Boto3\//i), `boto3 (${python.versions})`);
  });

  it('the AWS CLI creates, sends, receives, inspects and deletes a queue with --output json', async () => {
    // Pick the first CLI whose SQS requests are Query: Debian's /usr/bin/aws before whatever `aws` is on PATH.
    const tried: string[] = [];
    let aws: string | undefined;
    let listed: RunResult | undefined;
    for (const candidate of [process.env['POSTBOX_AWS_CLI'], '/usr/bin/aws', 'aws'].filter((p): p is string => !!p)) {
      const from = proxy.seen.length;
      const r = await run(candidate, ['--endpoint-url', proxy.endpoint, '--output', 'json', 'sqs', 'list-queues']);
      if (r.spawnError) {
        tried.push(`${candidate}: not found`);
        continue;
      }
      const sent = proxy.seen.slice(from);
      if (r.code === 0 && sent.length > 0 && sent.every((s) => s.target === undefined && s.action)) {
        aws = candidate;
        listed = r;
        break;
      }
      const agent = sent[0]?.userAgent.split(' ')[0] ?? '';
      tried.push(`${candidate} ${agent}: ${sent.some((s) => s.target) ? 'speaks AWS JSON to SQS' : describeRun(r)}`);
    }
    if (!aws) assert.fail(`no AWS CLI that speaks the AWS Query protocol to SQS (${tried.join('; ')}). Install Debian's build: ${INSTALL}`);
    assert.equal(listed!.code, 0);

    const from = proxy.seen.length;
    const cli = async (...args: string[]) => {
      const r = await run(aws!, ['--endpoint-url', proxy.endpoint, '--output', 'json', ...args]);
      assert.equal(r.code, 0, `aws ${args.join(' ')}: ${describeRun(r)}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    };
    const name = `cli-${process.pid}`;

    const created = await cli('sqs', 'create-queue', '--queue-name', name, '--attributes', 'VisibilityTimeout=40', '--tags', 'team=cli');
    const url = created.QueueUrl as string;
    assert.equal(url, `${proxy.endpoint}/000000000000/${name}`);

    const sent = await cli(
      'sqs',
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      'hello from the cli',
      '--message-attributes',
      JSON.stringify({ k: { DataType: 'String', StringValue: 'v' } }),
    );
    assert.equal(sent.MD5OfMessageBody, md5('hello from the cli'));
    assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
    assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);

    const received = await cli(
      'sqs',
      'receive-message',
      '--queue-url',
      url,
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
      '--max-number-of-messages',
      '10',
    );
    assert.equal(received.Messages.length, 1);
    const m = received.Messages[0];
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Body, 'hello from the cli');
    assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
    assert.deepEqual(m.MessageAttributes, { k: { StringValue: 'v', DataType: 'String' } });
    assert.equal(m.Attributes.ApproximateReceiveCount, '1');

    // Independent reads run side by side to keep the test short (each CLI start costs about half a second).
    const [attrs, listedNow, identity] = await Promise.all([
      cli('sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'All'),
      cli('sqs', 'list-queues', '--queue-name-prefix', name),
      cli('sts', 'get-caller-identity'),
    ]);
    assert.equal(attrs.Attributes.VisibilityTimeout, '40');
    assert.equal(attrs.Attributes.ApproximateNumberOfMessagesNotVisible, '1');
    assert.equal(attrs.Attributes.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${name}`);
    assert.deepEqual(listedNow.QueueUrls, [url]);
    assert.equal(identity.Account, '000000000000');

    assert.equal(await cli('sqs', 'delete-queue', '--queue-url', url), undefined);

    // After the delete, the CLI reports the Query error code and exits non-zero.
    const gone = await run(aws, ['--endpoint-url', proxy.endpoint, '--output', 'json', 'sqs', 'get-queue-url', '--queue-name', name]);
    assert.notEqual(gone.code, 0, describeRun(gone));
    assert.match(gone.stderr, /AWS\.SimpleQueueService\.NonExistentQueue/, describeRun(gone));
    assert.match(gone.stderr, /The specified queue does not exist for this wsdl version\./, describeRun(gone));

    assertAllQuery(requestsFrom(/aws-cli\//i, from), `AWS CLI ${aws}`);
  });
});
