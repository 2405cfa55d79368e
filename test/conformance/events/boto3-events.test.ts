/**
 * boto3 (a second, independent AWS JSON 1.1 client) against an in-process Postbox: replays, bus permissions,
 * global endpoints and partner event sources, through test/conformance/events/boto3_events.py. Like the SQS
 * boto3 tests, a missing boto3 makes this FAIL rather than skip (install: apt-get install -y python3-boto3, or
 * pip install boto3); POSTBOX_PYTHON says which interpreter to use.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Postbox } from '../../../src/index.js';
import { startTestPostbox } from '../../support/postbox.js';
import { describeRun, runChild } from '../../support/child-clients.js';

/** The compiled test runs from dist/test/conformance/events/; the script stays in the source tree. */
const SCRIPT = fileURLToPath(new URL('../../../../test/conformance/events/boto3_events.py', import.meta.url));

let postbox: Postbox;
before(async () => {
  postbox = await startTestPostbox();
});
after(() => postbox.stop());

test('boto3: replays, permissions, global endpoints and partner event sources', async () => {
  const python = process.env['POSTBOX_PYTHON'] ?? 'python3';
  const r = await runChild(python, [SCRIPT, postbox.endpoint]);
  assert.equal(r.code, 0, `boto3 script failed: ${describeRun(r)}`);
  const { stdout } = r;
  const out = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(out, {
    putFailed: 0,
    startState: 'STARTING',
    replayState: 'COMPLETED',
    replayHasEndTime: true,
    listedReplays: ['boto3-replay'],
    delivered: 6,
    replayNames: ['', '', '', 'boto3-replay', 'boto3-replay', 'boto3-replay'],
    policySids: ['boto3'],
    policyAfterRemove: false,
    endpointState: 'ACTIVE',
    endpointId: out.endpointId,
    sourceState: 'PENDING',
    sourceStateWithBus: 'ACTIVE',
  });
  assert.match(out.endpointId, /^[a-z0-9]+\.[a-z0-9]+$/);
});
