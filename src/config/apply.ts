import type { CallContext, ServiceHandler } from '../core/service.js';
import { newRequestId } from '../core/ids.js';
import { parseQueueArn } from '../sqs/queue-ref.js';
import { attributeStrings, type BusConfig, type PostboxConfigFile, type QueueConfig, type TopicConfig } from './file.js';

/**
 * Creates what the config file declares through the services' own actions, so the same validation applies as
 * for any client. A queue that exists is brought to the declared attributes and tags.
 */
export async function applyConfig(
  config: PostboxConfigFile,
  sqs: ServiceHandler,
  defaults: { accountId: string; region: string },
  sns?: ServiceHandler,
  events?: ServiceHandler,
): Promise<void> {
  const queues = orderByDeadLetter(config.queues ?? []);
  for (const q of queues) {
    const ctx = contextFor(q.region ?? config.region ?? defaults.region, q.account ?? defaults.accountId);
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
  if (config.topics?.length) {
    if (!sns) throw new Error('config: topics need the SNS service');
    await applyTopics(config.topics, sns, config, defaults);
  }
  if (config.buses?.length) {
    if (!events) throw new Error('config: buses need the EventBridge service');
    await applyBuses(config.buses, events, config, defaults);
  }
}

/**
 * Buses after queues (targets name them). A bus is created unless it exists (the default bus always does), then
 * given the declared description and tags; each rule is put (PutRule creates or updates) and its targets put by id
 * (PutTargets adds or replaces). Rules and targets the file does not name are left alone.
 */
async function applyBuses(buses: BusConfig[], events: ServiceHandler, config: PostboxConfigFile, defaults: { accountId: string; region: string }) {
  const call = (action: string, input: object, ctx: CallContext) => events.actions[action]!(input, ctx) as Promise<Record<string, unknown>>;
  for (const b of buses) {
    const region = b.region ?? config.region ?? defaults.region;
    const accountId = b.account ?? defaults.accountId;
    const ctx = contextFor(region, accountId);
    const busArn = `arn:aws:events:${region}:${accountId}:event-bus/${b.name}`;
    if (b.name !== 'default') {
      const exists = await call('DescribeEventBus', { Name: b.name }, ctx).then(
        () => true,
        (err: { kind?: { code?: string } }) => {
          if (err.kind?.code === 'ResourceNotFoundException') return false;
          throw err;
        },
      );
      if (!exists) await call('CreateEventBus', { Name: b.name, ...(b.description !== undefined ? { Description: b.description } : {}) }, ctx);
      else if (b.description !== undefined) await call('UpdateEventBus', { Name: b.name, Description: b.description }, ctx);
    }
    if (b.tags && Object.keys(b.tags).length) {
      await call('TagResource', { ResourceARN: busArn, Tags: Object.entries(b.tags).map(([Key, Value]) => ({ Key, Value })) }, ctx);
    }
    for (const r of b.rules ?? []) {
      await call(
        'PutRule',
        {
          Name: r.name,
          EventBusName: b.name,
          ...(r.pattern !== undefined ? { EventPattern: typeof r.pattern === 'string' ? r.pattern : JSON.stringify(r.pattern) } : {}),
          ...(r.schedule !== undefined ? { ScheduleExpression: r.schedule } : {}),
          ...(r.state !== undefined ? { State: r.state } : {}),
          ...(r.description !== undefined ? { Description: r.description } : {}),
        },
        ctx,
      );
      if (!r.targets?.length) continue;
      const Targets = r.targets.map((t) => ({
        Id: t.id,
        Arn: t.arn ?? `arn:aws:sqs:${region}:${accountId}:${t.queue}`,
        ...(t.input !== undefined ? { Input: typeof t.input === 'string' ? t.input : JSON.stringify(t.input) } : {}),
        ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
        ...(t.inputTransformer !== undefined
          ? { InputTransformer: { InputTemplate: t.inputTransformer.inputTemplate, ...(t.inputTransformer.inputPathsMap ? { InputPathsMap: t.inputTransformer.inputPathsMap } : {}) } }
          : {}),
        ...(t.messageGroupId !== undefined ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
      }));
      // PutTargets takes at most 10 at a time.
      for (let i = 0; i < Targets.length; i += 10) {
        const out = (await call('PutTargets', { Rule: r.name, EventBusName: b.name, Targets: Targets.slice(i, i + 10) }, ctx)) as {
          FailedEntries?: { TargetId?: string; ErrorMessage?: string }[];
        };
        const failed = out.FailedEntries?.[0];
        if (failed) throw new Error(`config: bus ${b.name} rule ${r.name} target ${failed.TargetId}: ${failed.ErrorMessage}`);
      }
    }
  }
}

function contextFor(region: string, accountId: string): CallContext {
  return { requestId: newRequestId(), region, accountId, host: 'localhost', path: '/', protocol: 'json', accessKeyId: undefined };
}

/**
 * Topics after queues (subscriptions name them). A topic is created with its FIFO-ness only, then brought to the
 * declared attributes and tags, so a topic that exists converges instead of failing CreateTopic's "already exists
 * with different attributes". A subscription that exists (same protocol and endpoint) gets the declared attributes.
 */
async function applyTopics(topics: TopicConfig[], sns: ServiceHandler, config: PostboxConfigFile, defaults: { accountId: string; region: string }) {
  for (const t of topics) {
    const region = t.region ?? config.region ?? defaults.region;
    const accountId = t.account ?? defaults.accountId;
    const ctx = contextFor(region, accountId);
    const { FifoTopic: _implied, ...attributes } = attributeStrings(t.attributes);
    const fifo = t.name.endsWith('.fifo');
    const { TopicArn } = (await sns.actions['CreateTopic']!({ Name: t.name, ...(fifo ? { Attributes: { FifoTopic: 'true' } } : {}) }, ctx)) as { TopicArn: string };
    for (const [AttributeName, AttributeValue] of Object.entries(attributes)) {
      await sns.actions['SetTopicAttributes']!({ TopicArn, AttributeName, AttributeValue }, ctx);
    }
    if (t.tags && Object.keys(t.tags).length) {
      await sns.actions['TagResource']!({ ResourceArn: TopicArn, Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) }, ctx);
    }
    const existing = await listAll(sns, TopicArn, ctx);
    for (const s of t.subscriptions ?? []) {
      const Protocol = s.protocol ?? 'sqs';
      const Endpoint = s.endpoint ?? `arn:aws:sqs:${region}:${accountId}:${s.queue}`;
      const Attributes = attributeStrings(s.attributes);
      const found = existing.find((e) => e.Protocol === Protocol && e.Endpoint === Endpoint);
      if (!found) {
        await sns.actions['Subscribe']!({ TopicArn, Protocol, Endpoint, Attributes, ReturnSubscriptionArn: true }, ctx);
        continue;
      }
      // A subscription still awaiting confirmation lists as "PendingConfirmation": Subscribe again names it (and
      // sends its endpoint a fresh confirmation).
      const SubscriptionArn =
        found.SubscriptionArn === 'PendingConfirmation'
          ? ((await sns.actions['Subscribe']!({ TopicArn, Protocol, Endpoint, ReturnSubscriptionArn: true }, ctx)) as { SubscriptionArn: string }).SubscriptionArn
          : found.SubscriptionArn;
      for (const [AttributeName, AttributeValue] of Object.entries(Attributes)) {
        await sns.actions['SetSubscriptionAttributes']!({ SubscriptionArn, AttributeName, AttributeValue }, ctx);
      }
    }
  }
}

async function listAll(sns: ServiceHandler, TopicArn: string, ctx: CallContext) {
  const out: { SubscriptionArn: string; Protocol: string; Endpoint: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = (await sns.actions['ListSubscriptionsByTopic']!({ TopicArn, NextToken }, ctx)) as {
      Subscriptions: { SubscriptionArn: string; Protocol: string; Endpoint: string }[];
      NextToken?: string;
    };
    out.push(...page.Subscriptions);
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
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
