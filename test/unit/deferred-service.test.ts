import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../src/core/errors.js';
import type { CallContext, ServiceHandler } from '../../src/core/service.js';
import { deferredService } from '../../src/deferred-service.js';
import { EVENTS_ACTION_NAMES, EVENTS_UNIMPLEMENTED } from '../../src/events/service.js';
import { EVENTS_WIRE } from '../../src/events/wire.js';
import { SNS_ACTION_NAMES, SNS_UNIMPLEMENTED } from '../../src/sns/service.js';
import { SNS_WIRE } from '../../src/sns/wire.js';

const ctx = { requestId: 'r', region: 'us-east-1', accountId: '000000000000', host: 'h', path: '/', protocol: 'json', accessKeyId: undefined } as CallContext;

test('SNS and EventBridge have an action for every operation of their models, as a deferred service needs', () => {
  // deferredService routes by the model before the service's code has loaded: an operation the loaded service
  // had no action for would be routed to nothing.
  assert.deepEqual([...SNS_ACTION_NAMES, ...SNS_UNIMPLEMENTED].sort(), Object.keys(SNS_WIRE.model.operations).sort());
  assert.deepEqual([...EVENTS_ACTION_NAMES, ...EVENTS_UNIMPLEMENTED].sort(), Object.keys(EVENTS_WIRE.model.operations).sort());
});

test('a deferred service: calls wait for the load, then the loaded actions take their place', async () => {
  let release!: (service: ServiceHandler) => void;
  const loading = new Promise<ServiceHandler>((r) => (release = r));
  let loads = 0;
  const deferred = deferredService(SNS_WIRE, () => {
    loads++;
    return loading;
  });
  assert.equal(deferred.wire, SNS_WIRE);
  assert.deepEqual(Object.keys(deferred.actions).sort(), Object.keys(SNS_WIRE.model.operations).sort());

  const createTopic = (input: { Name: string }) => ({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${input.Name}` });
  const deleteTopic = () => {
    throw new AwsError('NotFound', 'Topic does not exist');
  };
  const loaded: ServiceHandler = { wire: SNS_WIRE, actions: { ...deferred.actions, CreateTopic: createTopic, DeleteTopic: deleteTopic } };

  const early = deferred.actions['CreateTopic']!({ Name: 'early' }, ctx);
  const failing = deferred.actions['DeleteTopic']!({ TopicArn: 'x' }, ctx);
  let settled = false;
  void Promise.allSettled([early, failing]).then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'nothing is answered before the code has loaded');

  release(loaded);
  assert.deepEqual(await early, { TopicArn: 'arn:aws:sns:us-east-1:000000000000:early' });
  await assert.rejects(failing as Promise<unknown>, (err: unknown) => err instanceof AwsError && err.kind.code === 'NotFound');
  // From now on the dispatcher finds the loaded actions themselves: no more waiting, a synchronous answer stays so.
  assert.equal(deferred.actions['CreateTopic'], createTopic);
  assert.deepEqual(createTopic({ Name: 'later' }), { TopicArn: 'arn:aws:sns:us-east-1:000000000000:later' });
  assert.ok(loads >= 1);
});
