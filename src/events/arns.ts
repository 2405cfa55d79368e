import type { EventBusKey } from '../store/events-contract.js';
import { DEFAULT_BUS } from './limits.js';

/** arn:aws:events:<region>:<account>:event-bus/<name> */
export const busArn = (bus: EventBusKey): string => `arn:aws:events:${bus.region}:${bus.accountId}:event-bus/${bus.name}`;

/** Rules of the default bus are rule/<name>; of any other bus rule/<bus>/<name> (AWS's two forms). */
export const ruleArn = (bus: EventBusKey, name: string): string =>
  `arn:aws:events:${bus.region}:${bus.accountId}:rule/${bus.name === DEFAULT_BUS ? '' : `${bus.name}/`}${name}`;

const BUS_ARN = /^arn:aws[a-z-]*:events:([^:]+):(\d{12}):event-bus\/(.+)$/;
const RULE_ARN = /^arn:aws[a-z-]*:events:([^:]+):(\d{12}):rule\/(?:([^/]+)\/)?([^/]+)$/;

export function parseBusArn(arn: string): EventBusKey | undefined {
  const m = BUS_ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
}

export function parseRuleArn(arn: string): { bus: EventBusKey; name: string } | undefined {
  const m = RULE_ARN.exec(arn);
  return m ? { bus: { region: m[1]!, accountId: m[2]!, name: m[3] ?? DEFAULT_BUS }, name: m[4]! } : undefined;
}

/** arn:aws:events:<region>:<account>:archive/<name> */
export const archiveArn = (key: { accountId: string; region: string }, name: string): string =>
  `arn:aws:events:${key.region}:${key.accountId}:archive/${name}`;
