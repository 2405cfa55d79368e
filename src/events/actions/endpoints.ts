import { randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import { decodeAfterToken } from '../../core/pagination.js';
import type { CallContext } from '../../core/service.js';
import type { EndpointRecord, EventBusKey } from '../../store/events-contract.js';
import { parseBusArn } from '../arns.js';
import { busKeyOf } from '../bus-ref.js';
import { checkName, constraintError, invalidToken, validation } from '../errors.js';
import { DESCRIPTION_MAX } from '../limits.js';
import { pageOf } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '../types.js';
import type { AcceptedEvent } from './put-events.js';

interface EndpointRequest {
  Name?: string;
  Description?: string;
  RoutingConfig?: { FailoverConfig?: { Primary?: { HealthCheck?: string }; Secondary?: { Route?: string } } };
  ReplicationConfig?: { State?: string };
  EventBuses?: { EventBusArn?: string }[];
  RoleArn?: string;
}

// API_CreateEndpoint and its shapes (API_Endpoint, API_Primary, API_Secondary, API_EndpointEventBus).
const ENDPOINT_NAME_MAX = 64;
const ENDPOINT_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const HEALTH_CHECK = /^arn:aws([a-z]|-)*:route53:::healthcheck\/[-a-z0-9]+$/;
const ROUTE = /^[-a-z0-9]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const REPLICATION_STATES = ['ENABLED', 'DISABLED'];
/** Endpoints per account per Region (eb-quota). */
export const ENDPOINTS_MAX = 100;
const MAX_RESULTS = 100;

const seconds = (ms: number): number => ms / 1000;
const endpointArn = (ctx: { accountId: string; region: string }, name: string): string => `arn:aws:events:${ctx.region}:${ctx.accountId}:endpoint/${name}`;
const endpointName = (name: string | undefined): string => checkName(name, 'name', ENDPOINT_NAME_MAX, ENDPOINT_NAME_PATTERN);
const endpointNotFound = (name: string): AwsError => new AwsError('EventsResourceNotFound', `Endpoint ${name} does not exist.`);

/**
 * An EndpointId as AWS makes them: two host labels (`abcde.veo`), so the SDK's `https://{EndpointId}.endpoint.events…`
 * is a valid host name.
 */
function newEndpointId(): string {
  const label = (n: number) => [...randomBytes(n)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
  return `${label(10)}.${label(3)}`;
}

/** The endpoint's buses: exactly two, with the same name, in two Regions; the endpoint's own Region is the primary. */
function checkBuses(buses: EndpointRequest['EventBuses'], homeRegion: string, secondaryRegion: string): { EventBusArn: string }[] {
  if (!buses) throw constraintError('null', 'eventBuses', 'Member must not be null');
  if (buses.length !== 2) throw constraintError('[…]', 'eventBuses', 'Member must have length less than or equal to 2 and greater than or equal to 2');
  const keys = buses.map((b, i) => {
    const key = b.EventBusArn ? parseBusArn(b.EventBusArn) : undefined;
    if (!key) throw validation(`Parameter EventBuses[${i}].EventBusArn is not valid. Reason: Must contain an event bus ARN.`);
    return key;
  });
  const [a, b] = keys as [EventBusKey, EventBusKey];
  if (a.name !== b.name) throw validation('Parameter EventBuses is not valid. Reason: The names of the event buses must be identical in each Region.');
  if (a.region === b.region) throw validation('Parameter EventBuses is not valid. Reason: The event buses must be in different Regions.');
  const regions = new Set([a.region, b.region]);
  if (!regions.has(homeRegion) || !regions.has(secondaryRegion)) {
    throw validation(`Parameter EventBuses is not valid. Reason: The event buses must be in the primary Region ${homeRegion} and the secondary Region ${secondaryRegion}.`);
  }
  return buses.map((bus) => ({ EventBusArn: bus.EventBusArn! }));
}

function checkRouting(routing: EndpointRequest['RoutingConfig'], homeRegion: string): { FailoverConfig: { Primary: { HealthCheck: string }; Secondary: { Route: string } } } {
  const failover = routing?.FailoverConfig;
  if (!routing) throw constraintError('null', 'routingConfig', 'Member must not be null');
  const healthCheck = failover?.Primary?.HealthCheck;
  const route = failover?.Secondary?.Route;
  if (healthCheck === undefined) throw constraintError('null', 'routingConfig.failoverConfig.primary.healthCheck', 'Member must not be null');
  if (!HEALTH_CHECK.test(healthCheck) || healthCheck.length > 1600) {
    throw constraintError(healthCheck, 'routingConfig.failoverConfig.primary.healthCheck', `Member must satisfy regular expression pattern: ${HEALTH_CHECK.source.slice(1, -1)}`);
  }
  if (route === undefined) throw constraintError('null', 'routingConfig.failoverConfig.secondary.route', 'Member must not be null');
  if (route.length < 9 || route.length > 20 || !ROUTE.test(route)) {
    throw constraintError(route, 'routingConfig.failoverConfig.secondary.route', 'Member must have length between 9 and 20 and satisfy regular expression pattern: [\\-a-z0-9]+');
  }
  if (route === homeRegion) throw validation('Parameter RoutingConfig.FailoverConfig.Secondary.Route is not valid. Reason: The secondary Region must differ from the primary Region.');
  return { FailoverConfig: { Primary: { HealthCheck: healthCheck }, Secondary: { Route: route } } };
}

function checkReplication(replication: EndpointRequest['ReplicationConfig'], roleArn: string | undefined): { State: string } {
  const state = replication?.State ?? 'ENABLED';
  if (!REPLICATION_STATES.includes(state)) throw constraintError(state, 'replicationConfig.state', `Member must satisfy enum value set: [${REPLICATION_STATES.join(', ')}]`);
  // AWS: replication is ENABLED by default, "which means you must supply a RoleArn".
  if (state === 'ENABLED' && roleArn === undefined) throw validation('Parameter RoleArn is not valid. Reason: RoleArn is required when event replication is enabled.');
  return { State: state };
}

function checkCommon(input: EndpointRequest): void {
  if (input.Description !== undefined && input.Description.length > DESCRIPTION_MAX) {
    throw constraintError(input.Description, 'description', `Member must have length less than or equal to ${DESCRIPTION_MAX}`);
  }
  if (input.RoleArn !== undefined && (input.RoleArn.length > 256 || !ROLE_ARN.test(input.RoleArn))) {
    throw constraintError(input.RoleArn, 'roleArn', `Member must satisfy regular expression pattern: ${ROLE_ARN.source.slice(1, -1)}`);
  }
}

/** The configuration members every endpoint answer carries. */
function configOut(e: EndpointRecord) {
  return {
    Name: e.name,
    Arn: e.arn,
    RoutingConfig: e.routingConfig,
    ...(e.replicationConfig ? { ReplicationConfig: e.replicationConfig } : {}),
    EventBuses: e.eventBuses,
    ...(e.roleArn !== undefined ? { RoleArn: e.roleArn } : {}),
  };
}

function endpointOut(e: EndpointRecord) {
  return {
    ...configOut(e),
    ...(e.description !== undefined ? { Description: e.description } : {}),
    EndpointId: e.endpointId,
    EndpointUrl: endpointUrl(e.endpointId),
    // Postbox has no health checks to wait on: an endpoint is ACTIVE once created or updated.
    State: 'ACTIVE',
    CreationTime: seconds(e.createdAt),
    LastModifiedTime: seconds(e.modifiedAt),
  };
}

/** The URL AWS gives an endpoint; the SDK builds the same host from the EndpointId unless given an endpoint of its own. */
const endpointUrl = (endpointId: string): string => `https://${endpointId}.endpoint.events.amazonaws.com`;

async function findEndpoint(rt: EventsRuntime, ctx: CallContext, name: string, homeRegion?: string): Promise<EndpointRecord> {
  const endpoint = await rt.store.getEndpoint(endpointArn({ accountId: ctx.accountId, region: homeRegion ?? ctx.region }, name));
  if (!endpoint) throw endpointNotFound(name);
  return endpoint;
}

export async function createEndpoint(rt: EventsRuntime, input: EndpointRequest, ctx: CallContext) {
  const name = endpointName(input.Name);
  checkCommon(input);
  const routingConfig = checkRouting(input.RoutingConfig, ctx.region);
  const replicationConfig = checkReplication(input.ReplicationConfig, input.RoleArn);
  const eventBuses = checkBuses(input.EventBuses, ctx.region, routingConfig.FailoverConfig.Secondary.Route);
  const existing = await rt.store.listEndpoints(ctx.accountId, ctx.region, '', undefined, ENDPOINTS_MAX);
  if (existing.some((e) => e.name === name)) throw new AwsError('EventsResourceAlreadyExists', `Endpoint ${name} already exists.`);
  if (existing.length >= ENDPOINTS_MAX) throw new AwsError('EventsLimitExceeded', 'The requested resource exceeds the maximum number allowed.');
  const now = rt.clock.now();
  const endpoint: EndpointRecord = {
    arn: endpointArn(ctx, name),
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    endpointId: newEndpointId(),
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    routingConfig,
    replicationConfig,
    eventBuses,
    ...(input.RoleArn !== undefined ? { roleArn: input.RoleArn } : {}),
    createdAt: now,
    modifiedAt: now,
  };
  if (!(await rt.store.createEndpoint(endpoint))) throw new AwsError('EventsResourceAlreadyExists', `Endpoint ${name} already exists.`);
  return { ...configOut(endpoint), State: 'ACTIVE' };
}

export async function describeEndpoint(rt: EventsRuntime, input: { Name?: string; HomeRegion?: string }, ctx: CallContext) {
  return endpointOut(await findEndpoint(rt, ctx, endpointName(input.Name), input.HomeRegion));
}

/** UpdateEndpoint: the members given replace the stored ones, checked together as CreateEndpoint checks them. */
export async function updateEndpoint(rt: EventsRuntime, input: EndpointRequest, ctx: CallContext) {
  const current = await findEndpoint(rt, ctx, endpointName(input.Name));
  checkCommon(input);
  const routingConfig = checkRouting((input.RoutingConfig ?? current.routingConfig) as EndpointRequest['RoutingConfig'], current.region);
  const roleArn = input.RoleArn ?? current.roleArn;
  const replicationConfig = checkReplication((input.ReplicationConfig ?? current.replicationConfig) as EndpointRequest['ReplicationConfig'], roleArn);
  const eventBuses = checkBuses((input.EventBuses ?? current.eventBuses) as EndpointRequest['EventBuses'], current.region, routingConfig.FailoverConfig.Secondary.Route);
  const updated: EndpointRecord = {
    ...current,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    routingConfig,
    replicationConfig,
    eventBuses,
    ...(roleArn !== undefined ? { roleArn } : {}),
    modifiedAt: rt.clock.now(),
  };
  await rt.store.updateEndpoint(updated);
  return { ...configOut(updated), EndpointId: updated.endpointId, EndpointUrl: endpointUrl(updated.endpointId), State: 'ACTIVE' };
}

export async function deleteEndpoint(rt: EventsRuntime, input: { Name?: string }, ctx: CallContext) {
  const endpoint = await findEndpoint(rt, ctx, endpointName(input.Name));
  await rt.store.deleteEndpoint(endpoint.arn);
  return {};
}

export async function listEndpoints(rt: EventsRuntime, input: { NamePrefix?: string; HomeRegion?: string; NextToken?: string; MaxResults?: number }, ctx: CallContext) {
  const limit = input.MaxResults ?? MAX_RESULTS;
  if (limit < 1 || limit > MAX_RESULTS) {
    throw constraintError(limit, 'maxResults', `Member must have value ${limit < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_RESULTS}`}`);
  }
  const after = decodeAfterToken(input.NextToken, invalidToken);
  const rows = await rt.store.listEndpoints(ctx.accountId, input.HomeRegion ?? ctx.region, input.NamePrefix ?? '', after, limit + 1);
  const { page, next } = pageOf(rows, limit, (e) => e.name);
  return { Endpoints: page.map(endpointOut), ...next };
}

/**
 * PutEvents with an EndpointId: the endpoint routes every entry to its bus in the healthy Region. Postbox has no
 * Route 53 health checks, so the primary Region (the endpoint's own) is always healthy, and entries go to the
 * endpoint's bus there. An entry's EventBusName, when given, must name one of the endpoint's two buses (by name or ARN).
 * Answers what to do with each accepted entry: the event re-addressed, or the entry's failure.
 */
export interface EndpointRouting {
  /** The entry's event on the endpoint's primary bus, or the entry's failure. */
  route(entry: PutEventsRequestEntry, accepted: AcceptedEvent): AcceptedEvent | PutEventsResultEntry;
  /**
   * With replication ENABLED, the copy of a routed event for the secondary Region's bus. AWS replicates every custom
   * event sent through the endpoint to both buses with managed rules, the secondary asynchronously, and warns that
   * event ids can change across Regions: the copy has its own id and its Region's name. Postbox commits it with the
   * original (stronger than AWS's asynchronous copy, never weaker); a secondary bus that does not exist takes
   * nothing, as an event put on a missing bus routes nowhere.
   */
  replica(routed: AcceptedEvent, newId: () => string): AcceptedEvent | undefined;
}

export async function endpointRouting(rt: EventsRuntime, endpointId: string, ctx: CallContext): Promise<EndpointRouting> {
  const endpoint = await rt.store.getEndpointById(endpointId);
  if (!endpoint || endpoint.accountId !== ctx.accountId) throw new AwsError('EventsResourceNotFound', `Endpoint ${endpointId} does not exist.`);
  const buses = endpoint.eventBuses.map((b) => parseBusArn(b.EventBusArn)!);
  const primary = buses.find((b) => b.region === endpoint.region)!;
  const secondary = endpoint.replicationConfig?.State === 'ENABLED' ? buses.find((b) => b !== primary) : undefined;
  const replica = (routed: AcceptedEvent, newId: () => string): AcceptedEvent | undefined =>
    secondary && { bus: secondary, event: { ...routed.event, id: newId(), region: secondary.region } };
  const route = (entry: PutEventsRequestEntry, accepted: AcceptedEvent): AcceptedEvent | PutEventsResultEntry => {
    if (entry.EventBusName !== undefined) {
      const named = entry.EventBusName.startsWith('arn:') ? parseBusArn(entry.EventBusName) : { ...busKeyOf(ctx, entry.EventBusName), region: endpoint.region };
      const ours = named && buses.some((b) => b.name === named.name && b.accountId === named.accountId && (!entry.EventBusName!.startsWith('arn:') || b.region === named.region));
      if (!ours) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter EventBusName is not valid. Reason: ${entry.EventBusName} is not an event bus of endpoint ${endpoint.name}.` };
      }
    }
    return { ...accepted, bus: primary, event: { ...accepted.event, region: primary.region } };
  };
  return { route, replica };
}
