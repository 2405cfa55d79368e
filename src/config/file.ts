import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The declarative config file (`--config postbox.json` or `.yaml`): resources Postbox creates at start, every
 * time, converging on what the file says: queues, topics with their subscriptions, event buses with their rules and
 * targets.
 */
export interface PostboxConfigFile {
  /** Region for resources that name none; defaults to the server's region. */
  region?: string;
  queues?: QueueConfig[];
  topics?: TopicConfig[];
  buses?: BusConfig[];
}

/** An EventBridge bus (`default` names the account's default bus, which always exists) and its rules. */
export interface BusConfig {
  name: string;
  region?: string;
  account?: string;
  description?: string;
  tags?: Record<string, string>;
  rules?: RuleConfig[];
}

export interface RuleConfig {
  name: string;
  /** An event pattern, as an object or as JSON text… */
  pattern?: object | string;
  /** …and/or a schedule: `rate(5 minutes)`, `cron(0 12 * * ? *)` (default bus only, as AWS has it). */
  schedule?: string;
  /** ENABLED (default) or DISABLED. */
  state?: string;
  description?: string;
  targets?: RuleTargetConfig[];
}

/** A rule target: an SQS queue, by name (in the bus's account and region) or by ARN. */
export interface RuleTargetConfig {
  id: string;
  queue?: string;
  arn?: string;
  /** Target Input: JSON text, or an object written as JSON. */
  input?: object | string;
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
  /** For a FIFO queue: SqsParameters.MessageGroupId. */
  messageGroupId?: string;
}

export interface TopicConfig {
  /** A name ending in `.fifo` makes a FIFO topic (FifoTopic=true is implied). */
  name: string;
  region?: string;
  account?: string;
  /** As CreateTopic/SetTopicAttributes take them; objects (DeliveryPolicy, Policy) are written as JSON strings. */
  attributes?: Record<string, string | number | boolean | object>;
  tags?: Record<string, string>;
  subscriptions?: SubscriptionConfig[];
}

export interface SubscriptionConfig {
  /** Default `sqs`. */
  protocol?: string;
  /** The endpoint as Subscribe takes it (for sqs, the queue ARN)… */
  endpoint?: string;
  /** …or, for sqs, the name of a queue in the topic's account and region. */
  queue?: string;
  /** RawMessageDelivery, FilterPolicy (an object or a JSON string), FilterPolicyScope, RedrivePolicy… */
  attributes?: Record<string, string | number | boolean | object>;
}

export interface QueueConfig {
  name: string;
  region?: string;
  account?: string;
  /** As CreateQueue takes them. Numbers, booleans and objects (RedrivePolicy) are written as AWS strings. */
  attributes?: Record<string, string | number | boolean | object>;
  tags?: Record<string, string>;
}

/** The YAML parser loads only when a YAML file is given: it costs tens of milliseconds of start-up otherwise. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

export function loadConfigFile(path: string): PostboxConfigFile {
  const text = readFileSync(path, 'utf8');
  const parsed: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  return checkConfig(parsed ?? {}, path);
}

export function checkConfig(value: unknown, source = 'config'): PostboxConfigFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source}: expected an object`);
  const config = value as PostboxConfigFile;
  if (config.queues !== undefined) {
    if (!Array.isArray(config.queues)) throw new Error(`${source}: "queues" must be a list`);
    config.queues.forEach((q, i) => {
      if (typeof q?.name !== 'string') throw new Error(`${source}: queues[${i}] needs a "name"`);
    });
  }
  if (config.topics !== undefined) {
    if (!Array.isArray(config.topics)) throw new Error(`${source}: "topics" must be a list`);
    config.topics.forEach((t, i) => {
      if (typeof t?.name !== 'string') throw new Error(`${source}: topics[${i}] needs a "name"`);
      if (t.subscriptions !== undefined && !Array.isArray(t.subscriptions)) throw new Error(`${source}: topics[${i}].subscriptions must be a list`);
      t.subscriptions?.forEach((s, j) => {
        if (typeof s?.endpoint !== 'string' && typeof s?.queue !== 'string') {
          throw new Error(`${source}: topics[${i}].subscriptions[${j}] needs an "endpoint" or a "queue"`);
        }
      });
    });
  }
  if (config.buses !== undefined) {
    if (!Array.isArray(config.buses)) throw new Error(`${source}: "buses" must be a list`);
    config.buses.forEach((b, i) => {
      if (typeof b?.name !== 'string') throw new Error(`${source}: buses[${i}] needs a "name"`);
      if (b.rules !== undefined && !Array.isArray(b.rules)) throw new Error(`${source}: buses[${i}].rules must be a list`);
      b.rules?.forEach((r, j) => {
        const where = `${source}: buses[${i}].rules[${j}]`;
        if (typeof r?.name !== 'string') throw new Error(`${where} needs a "name"`);
        if (r.pattern === undefined && r.schedule === undefined) throw new Error(`${where} needs a "pattern" or a "schedule"`);
        if (r.targets !== undefined && !Array.isArray(r.targets)) throw new Error(`${where}.targets must be a list`);
        r.targets?.forEach((t, k) => {
          if (typeof t?.id !== 'string') throw new Error(`${where}.targets[${k}] needs an "id"`);
          if (typeof t.queue !== 'string' && typeof t.arn !== 'string') throw new Error(`${where}.targets[${k}] needs a "queue" or an "arn"`);
        });
      });
    });
  }
  return config;
}

/** AWS takes every queue attribute as a string. */
export function attributeStrings(attributes: QueueConfig['attributes']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes ?? {})) out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return out;
}
