/**
 * API destinations (Create/Describe/Update/Delete/ListApiDestinations): an HTTP endpoint, a method and the
 * connection that authorizes calls to it. ARNs `arn:aws:events:<region>:<account>:api-destination/<name>/<uuid>`.
 * The invocation itself is delivery/http-call.ts.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { ApiDestinationRecord } from '../../store/events-contract.js';
import { checkName, constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';

const NAME_MAX = 64;
const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
/** Any HTTP method but CONNECT and TRACE (eb-api-destinations); the model's enum. */
const METHODS = ['POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'] as const;
const CONNECTION_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):connection\/[.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$/;

type Json = Record<string, any>;
const seconds = (ms: number) => ms / 1000;

const notFound = (name: string) => new AwsError('EventsResourceNotFound', `An api-destination '${name}' does not exist.`);

async function findByName(rt: EventsRuntime, ctx: CallContext, name: string): Promise<ApiDestinationRecord | undefined> {
  const [first] = await rt.store.listApiDestinations(ctx.accountId, ctx.region, name, undefined, undefined, 1);
  return first?.name === name ? first : undefined;
}

function checkFields(input: Json, creating: boolean): void {
  if (input['Description'] !== undefined && input['Description'].length > L.DESCRIPTION_MAX) {
    throw constraintError(input['Description'], 'description', `Member must have length less than or equal to ${L.DESCRIPTION_MAX}`);
  }
  for (const member of ['ConnectionArn', 'InvocationEndpoint', 'HttpMethod']) {
    if (creating && input[member] === undefined) throw constraintError('null', member[0]!.toLowerCase() + member.slice(1), 'Member must not be null');
  }
  if (input['HttpMethod'] !== undefined && !(METHODS as readonly string[]).includes(input['HttpMethod'])) {
    throw constraintError(input['HttpMethod'], 'httpMethod', `Member must satisfy enum value set: [${METHODS.join(', ')}]`);
  }
  if (input['ConnectionArn'] !== undefined && !CONNECTION_ARN.test(input['ConnectionArn'])) {
    throw constraintError(input['ConnectionArn'], 'connectionArn', `Member must satisfy regular expression pattern: ${CONNECTION_ARN.source.slice(1, -1)}`);
  }
  const endpoint = input['InvocationEndpoint'];
  if (endpoint !== undefined) {
    if (endpoint.length < 1 || endpoint.length > 2048) throw constraintError(endpoint, 'invocationEndpoint', 'Member must have length between 1 and 2048');
    // AWS takes https:// endpoints only; Postbox also takes http:// so that local services can be targets.
    let url: URL | undefined;
    try {
      url = new URL(endpoint.replaceAll('*', 'x'));
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw validation(`Invalid InvocationEndpoint: ${endpoint}.`);
  }
  const rate = input['InvocationRateLimitPerSecond'];
  if (rate !== undefined && rate < 1) throw constraintError(rate, 'invocationRateLimitPerSecond', 'Member must have value greater than or equal to 1');
}

async function checkConnection(rt: EventsRuntime, arn: string): Promise<void> {
  if (!(await rt.store.getConnection(arn))) throw new AwsError('EventsResourceNotFound', `Connection '${arn.split('/')[1]}' does not exist.`);
}

const stateOut = (d: ApiDestinationRecord) => ({
  ApiDestinationArn: d.arn,
  ApiDestinationState: d.state,
  CreationTime: seconds(d.createdAt),
  LastModifiedTime: seconds(d.modifiedAt),
});

const describeOut = (d: ApiDestinationRecord) => ({
  ApiDestinationArn: d.arn,
  Name: d.name,
  ...(d.description !== undefined ? { Description: d.description } : {}),
  ApiDestinationState: d.state,
  ConnectionArn: d.connectionArn,
  InvocationEndpoint: d.invocationEndpoint,
  HttpMethod: d.httpMethod,
  ...(d.invocationRateLimitPerSecond !== undefined ? { InvocationRateLimitPerSecond: d.invocationRateLimitPerSecond } : {}),
  CreationTime: seconds(d.createdAt),
  LastModifiedTime: seconds(d.modifiedAt),
});

export async function createApiDestination(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const name = checkName(input['Name'], 'name', NAME_MAX, NAME_PATTERN);
  checkFields(input, true);
  await checkConnection(rt, input['ConnectionArn']);
  const now = rt.clock.now();
  const destination: ApiDestinationRecord = {
    arn: `arn:aws:events:${ctx.region}:${ctx.accountId}:api-destination/${name}/${randomUUID()}`,
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    ...(input['Description'] !== undefined ? { description: input['Description'] } : {}),
    connectionArn: input['ConnectionArn'],
    invocationEndpoint: input['InvocationEndpoint'],
    httpMethod: input['HttpMethod'],
    // AWS's default invocation rate: 300 per second.
    invocationRateLimitPerSecond: input['InvocationRateLimitPerSecond'] ?? 300,
    state: 'ACTIVE',
    createdAt: now,
    modifiedAt: now,
  };
  if (!(await rt.store.createApiDestination(destination))) throw new AwsError('EventsResourceAlreadyExists', `An api-destination '${name}' already exists.`);
  return stateOut(destination);
}

async function named(rt: EventsRuntime, input: Json, ctx: CallContext): Promise<ApiDestinationRecord> {
  const name = checkName(input['Name'], 'name', NAME_MAX, NAME_PATTERN);
  const destination = await findByName(rt, ctx, name);
  if (!destination) throw notFound(name);
  return destination;
}

export async function describeApiDestination(rt: EventsRuntime, input: Json, ctx: CallContext) {
  return describeOut(await named(rt, input, ctx));
}

export async function updateApiDestination(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const d = await named(rt, input, ctx);
  checkFields(input, false);
  if (input['ConnectionArn'] !== undefined) await checkConnection(rt, input['ConnectionArn']);
  const updated: ApiDestinationRecord = {
    ...d,
    ...(input['Description'] !== undefined ? { description: input['Description'] } : {}),
    ...(input['ConnectionArn'] !== undefined ? { connectionArn: input['ConnectionArn'] } : {}),
    ...(input['InvocationEndpoint'] !== undefined ? { invocationEndpoint: input['InvocationEndpoint'] } : {}),
    ...(input['HttpMethod'] !== undefined ? { httpMethod: input['HttpMethod'] } : {}),
    ...(input['InvocationRateLimitPerSecond'] !== undefined ? { invocationRateLimitPerSecond: input['InvocationRateLimitPerSecond'] } : {}),
    modifiedAt: rt.clock.now(),
  };
  await rt.store.updateApiDestination(updated);
  return stateOut(updated);
}

export async function deleteApiDestination(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const d = await named(rt, input, ctx);
  await rt.store.deleteApiDestination(d.arn);
  return {};
}

export async function listApiDestinations(rt: EventsRuntime, input: Json, ctx: CallContext) {
  const { limit, after } = pageRequest(input);
  const prefix = input['NamePrefix'] ?? '';
  if (prefix.length > NAME_MAX) throw constraintError(prefix, 'namePrefix', `Member must have length less than or equal to ${NAME_MAX}`);
  if (input['ConnectionArn'] !== undefined && !CONNECTION_ARN.test(input['ConnectionArn'])) {
    throw constraintError(input['ConnectionArn'], 'connectionArn', `Member must satisfy regular expression pattern: ${CONNECTION_ARN.source.slice(1, -1)}`);
  }
  const rows = await rt.store.listApiDestinations(ctx.accountId, ctx.region, prefix, input['ConnectionArn'], after, limit + 1);
  const { page, next } = pageOf(rows, limit, (d) => d.name);
  return { ApiDestinations: page.map(describeOut).map(({ Description: _d, ...rest }) => rest), ...next };
}
