import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { queueDoesNotExist, queueUrl } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { GetQueueUrlInput } from '../types.js';

export async function getQueueUrl(rt: SqsRuntime, input: GetQueueUrlInput, ctx: CallContext) {
  if (!input.QueueName) throw new AwsError('MissingParameter', 'The request must contain the parameter QueueName.');
  const accountId = input.QueueOwnerAWSAccountId || ctx.accountId;
  const queue = await rt.store.getQueue({ accountId, region: ctx.region, name: input.QueueName });
  if (!queue) throw queueDoesNotExist();
  return { QueueUrl: queueUrl(ctx, queue) };
}
