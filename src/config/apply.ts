import type { CallContext, ServiceHandler } from '../core/service.js';
import { newRequestId } from '../core/ids.js';
import { parseQueueArn } from '../sqs/queue-ref.js';
import { attributeStrings, type PostboxConfigFile, type QueueConfig } from './file.js';

/**
 * Creates what the config file declares through the services' own actions, so the same validation applies as
 * for any client. A queue that exists is brought to the declared attributes and tags.
 */
export async function applyConfig(config: PostboxConfigFile, sqs: ServiceHandler, defaults: { accountId: string; region: string }): Promise<void> {
  const queues = orderByDeadLetter(config.queues ?? []);
  for (const q of queues) {
    const ctx: CallContext = {
      requestId: newRequestId(),
      region: q.region ?? config.region ?? defaults.region,
      accountId: q.account ?? defaults.accountId,
      host: 'localhost',
      path: '/',
      protocol: 'json',
      accessKeyId: undefined,
    };
    const attributes = attributeStrings(q.attributes);
    const name = q.name;
    const fifo = name.endsWith('.fifo');
    if (fifo) attributes['FifoQueue'] ??= 'true';
    const existing = (await sqs.actions['ListQueues']!({ QueueNamePrefix: name }, ctx)) as { QueueUrls?: string[] };
    const url = existing.QueueUrls?.find((u) => u.endsWith(`/${name}`));
    if (!url) {
      await sqs.actions['CreateQueue']!({ QueueName: name, Attributes: attributes, tags: q.tags }, ctx);
      continue;
    }
    const { FifoQueue: _fixedAtCreation, ...settable } = attributes;
    if (Object.keys(settable).length) await sqs.actions['SetQueueAttributes']!({ QueueUrl: url, Attributes: settable }, ctx);
    if (q.tags && Object.keys(q.tags).length) await sqs.actions['TagQueue']!({ QueueUrl: url, Tags: q.tags }, ctx);
  }
}

/** Dead-letter queues must exist before the queues whose RedrivePolicy names them. */
function orderByDeadLetter(queues: QueueConfig[]): QueueConfig[] {
  const targetNames = new Set<string>();
  for (const q of queues) {
    const policy = attributeStrings(q.attributes)['RedrivePolicy'];
    if (!policy) continue;
    try {
      const arn = (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
      const key = arn ? parseQueueArn(arn) : undefined;
      if (key) targetNames.add(key.name);
    } catch {
      // CreateQueue will report the malformed policy.
    }
  }
  return [...queues.filter((q) => targetNames.has(q.name)), ...queues.filter((q) => !targetNames.has(q.name))];
}
