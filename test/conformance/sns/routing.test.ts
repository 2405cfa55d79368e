import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snsModel } from '../../../src/protocol/models/index.js';
import { SNS_ACTION_NAMES, SNS_UNIMPLEMENTED } from '../../../src/sns/service.js';

test('every operation in AWS’s SNS model is either implemented or explicitly refused', () => {
  assert.deepEqual([...SNS_ACTION_NAMES, ...SNS_UNIMPLEMENTED].sort(), Object.keys(snsModel.operations).sort());
  assert.equal(SNS_ACTION_NAMES.length, 21);
  // What is left is platform applications, endpoints and SMS.
  assert.ok(SNS_UNIMPLEMENTED.every((n) => /Platform|Endpoint|SMS|PhoneNumber|OriginationNumbers/.test(n)), SNS_UNIMPLEMENTED.join());
});
