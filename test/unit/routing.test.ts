import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sqsModel } from '../../src/protocol/models/index.js';
import { SQS_ACTION_NAMES } from '../../src/sqs/service.js';
import { Errors } from '../../src/core/errors.js';

test('every operation in AWS’s SQS model is routed to an action, and nothing else is', () => {
  assert.deepEqual([...SQS_ACTION_NAMES].sort(), Object.keys(sqsModel.operations).sort());
});

test('the error catalog: no two entries alike, statuses 4xx/5xx, faults match statuses', () => {
  // Services may share an error name (ResourceNotFoundException is 404 in SQS, 400 in EventBridge), never a kind.
  const kinds = new Set<string>();
  for (const [name, kind] of Object.entries(Errors)) {
    const id = `${kind.code} ${kind.status} ${kind.queryCode}`;
    assert.ok(!kinds.has(id), `duplicate kind ${id}`);
    kinds.add(id);
    assert.ok(kind.status >= 400 && kind.status < 600, name);
    assert.equal(kind.fault, kind.status >= 500 ? 'Receiver' : 'Sender', name);
  }
});
