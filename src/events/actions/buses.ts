import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { EventBusRecord } from '../../store/events-contract.js';
import { busArn } from '../arns.js';
import { busKeyOf, ensureDefaultBus, findBus } from '../bus-ref.js';
import { checkName, constraintError, validation } from '../errors.js';
import { BUS_NAME_MAX, BUS_NAME_PATTERN, DEFAULT_BUS, DESCRIPTION_MAX } from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';
import { mergeTags } from '../tags.js';
import type { CreateEventBusRequest, ListRequest, UpdateEventBusRequest } from '../types.js';
import { partnerBusCreated, partnerBusDeleted, partnerBusSource } from './partner-sources.js';

const seconds = (ms: number): number => ms / 1000;

function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > DESCRIPTION_MAX) {
    throw constraintError(description, 'description', `Member must have length less than or equal to ${DESCRIPTION_MAX}`);
  }
}

const settable = (input: UpdateEventBusRequest) => ({
  ...(input.Description !== undefined ? { description: input.Description } : {}),
  ...(input.KmsKeyIdentifier !== undefined ? { kmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
  ...(input.DeadLetterConfig?.Arn !== undefined ? { deadLetterArn: input.DeadLetterConfig.Arn } : {}),
});

const settableOut = (bus: EventBusRecord) => ({
  ...(bus.description !== undefined ? { Description: bus.description } : {}),
  ...(bus.kmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: bus.kmsKeyIdentifier } : {}),
  ...(bus.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: bus.deadLetterArn } } : {}),
});

export async function createEventBus(rt: EventsRuntime, input: CreateEventBusRequest, ctx: CallContext) {
  const name = checkName(input.Name, 'name', BUS_NAME_MAX, /^[/.\-_A-Za-z0-9]+$/);
  // Partner buses (aws.partner/…) receive from the SaaS event source of the same name.
  const source = input.EventSourceName !== undefined || !BUS_NAME_PATTERN.test(name) ? await partnerBusSource(rt, ctx, name, input.EventSourceName) : undefined;
  checkDescription(input.Description);
  if (name === DEFAULT_BUS) throw new AwsError('EventsResourceAlreadyExists', `Event bus ${name} already exists.`);
  const key = { accountId: ctx.accountId, region: ctx.region, name };
  const now = rt.clock.now();
  const { created, bus } = await rt.store.createBus({
    ...key,
    arn: busArn(key),
    ...settable(input),
    ...(source ? { eventSourceName: source.name } : {}),
    tags: mergeTags({}, input.Tags),
    createdAt: now,
    modifiedAt: now,
  });
  if (!created) throw new AwsError('EventsResourceAlreadyExists', `Event bus ${name} already exists.`);
  if (source) await partnerBusCreated(rt, source);
  return { EventBusArn: bus.arn, ...settableOut(bus) };
}

export async function deleteEventBus(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  const name = checkName(input.Name, 'name', BUS_NAME_MAX, /^[/.\-_A-Za-z0-9]+$/);
  if (name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
  // AWS answers 200 for a bus that does not exist. The bus's rules and their targets go with it.
  const arn = busArn({ accountId: ctx.accountId, region: ctx.region, name });
  const bus = await rt.store.getBus(arn);
  await rt.store.deleteBus(arn);
  if (bus) await partnerBusDeleted(rt, bus);
  rt.routes.invalidate(arn);
  return {};
}

export async function describeEventBus(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  const bus = await findBus(rt, busKeyOf(ctx, input.Name));
  return {
    Name: bus.name,
    Arn: bus.arn,
    ...settableOut(bus),
    ...(bus.policy !== undefined ? { Policy: bus.policy } : {}),
    CreationTime: seconds(bus.createdAt),
    LastModifiedTime: seconds(bus.modifiedAt),
  };
}

export async function listEventBuses(rt: EventsRuntime, input: ListRequest, ctx: CallContext) {
  const { limit, after } = pageRequest(input);
  await ensureDefaultBus(rt, { accountId: ctx.accountId, region: ctx.region, name: DEFAULT_BUS });
  const buses = await rt.store.listBuses(ctx.accountId, ctx.region, input.NamePrefix ?? '', after, limit + 1);
  const { page, next } = pageOf(buses, limit, (b) => b.name);
  return {
    EventBuses: page.map((bus) => ({
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description !== undefined ? { Description: bus.description } : {}),
      ...(bus.policy !== undefined ? { Policy: bus.policy } : {}),
      CreationTime: seconds(bus.createdAt),
      LastModifiedTime: seconds(bus.modifiedAt),
    })),
    ...next,
  };
}

export async function updateEventBus(rt: EventsRuntime, input: UpdateEventBusRequest, ctx: CallContext) {
  checkDescription(input.Description);
  const bus = await findBus(rt, busKeyOf(ctx, input.Name));
  const updated: EventBusRecord = { ...bus, ...settable(input), modifiedAt: rt.clock.now() };
  await rt.store.updateBus(updated);
  return { Arn: updated.arn, Name: updated.name, ...settableOut(updated) };
}
