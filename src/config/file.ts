import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * The declarative config file (`--config postbox.json` or `.yaml`): resources Postbox creates at start, every
 * time, converging on what the file says. Later services add topics, subscriptions, buses and rules here.
 */
export interface PostboxConfigFile {
  /** Region for resources that name none; defaults to the server's region. */
  region?: string;
  queues?: QueueConfig[];
}

export interface QueueConfig {
  name: string;
  region?: string;
  account?: string;
  /** As CreateQueue takes them. Numbers, booleans and objects (RedrivePolicy) are written as AWS strings. */
  attributes?: Record<string, string | number | boolean | object>;
  tags?: Record<string, string>;
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
  return config;
}

/** AWS takes every queue attribute as a string. */
export function attributeStrings(attributes: QueueConfig['attributes']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes ?? {})) out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return out;
}
