import type { CallContext } from '../core/service.js';
import type { EventBusKey, EventBusRecord, RuleRecord } from '../store/events-contract.js';
import { busArn, parseBusArn, ruleArn } from './arns.js';
import { busNotFound, constraintError, ruleNotFound } from './errors.js';
import { BUS_NAME_MAX, DEFAULT_BUS } from './limits.js';
import type { EventsRuntime } from './runtime.js';

/**
 * The bus an EventBusName names: a name in the caller's account and region, or a bus ARN (the rule actions take
 * either). Absent means the default bus.
 */
export function busKeyOf(ctx: CallContext, nameOrArn: string | undefined): EventBusKey {
  if (nameOrArn === undefined) return { accountId: ctx.accountId, region: ctx.region, name: DEFAULT_BUS };
  if (nameOrArn.length < 1 || nameOrArn.length > 1600) {
    throw constraintError(nameOrArn, 'eventBusName', `Member must have length ${nameOrArn.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 1600'}`);
  }
  if (nameOrArn.startsWith('arn:')) {
    const key = parseBusArn(nameOrArn);
    if (!key) throw busNotFound(nameOrArn);
    return key;
  }
  if (nameOrArn.length > BUS_NAME_MAX) throw busNotFound(nameOrArn);
  return { accountId: ctx.accountId, region: ctx.region, name: nameOrArn };
}

/** The default bus exists in every account and region: it is stored the first time anything needs it. */
export async function ensureDefaultBus(rt: EventsRuntime, key: EventBusKey): Promise<EventBusRecord> {
  const arn = busArn({ ...key, name: DEFAULT_BUS });
  const existing = await rt.store.getBus(arn);
  if (existing) return existing;
  const now = rt.clock.now();
  const { bus } = await rt.store.createBus({ ...key, name: DEFAULT_BUS, arn, tags: {}, createdAt: now, modifiedAt: now });
  return bus;
}

/** The bus, or ResourceNotFoundException. */
export async function findBus(rt: EventsRuntime, key: EventBusKey): Promise<EventBusRecord> {
  if (key.name === DEFAULT_BUS) return ensureDefaultBus(rt, key);
  const bus = await rt.store.getBus(busArn(key));
  if (!bus) throw busNotFound(key.name);
  return bus;
}

/** The rule of that name on the bus, or ResourceNotFoundException worded as AWS words it. */
export async function findRule(rt: EventsRuntime, bus: EventBusRecord, name: string): Promise<RuleRecord> {
  const rule = await rt.store.getRule(ruleArn(bus, name));
  if (!rule) throw ruleNotFound(name, bus.name);
  return rule;
}
