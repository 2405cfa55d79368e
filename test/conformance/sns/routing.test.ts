import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snsModel } from '../../../src/protocol/models/index.js';
import { SNS_ACTION_NAMES, SNS_UNIMPLEMENTED } from '../../../src/sns/service.js';

test('every operation in AWS’s SNS model is either implemented or explicitly refused', () => {
  assert.deepEqual([...SNS_ACTION_NAMES, ...SNS_UNIMPLEMENTED].sort(), Object.keys(snsModel.operations).sort());
  // All 42: topics and subscriptions, mobile push and SMS. Nothing answers "not implemented".
  assert.equal(SNS_ACTION_NAMES.length, 42);
  assert.deepEqual(SNS_UNIMPLEMENTED, []);
});
