import type { CallContext } from '../../core/service.js';
import type { PlatformEndpointRecord } from '../../store/sns-contract.js';
import { snsInvalidParameter } from '../errors.js';
import * as L from '../limits.js';
import { newEndpointArn, ownedBy, parseEndpointArn } from '../platform-arns.js';
import { checkBaiduEndpoint, checkEndpointAttributes, checkToken, renderEndpointAttributes } from '../platform-attributes.js';
import { endpointNotFound, nullMember } from '../platform-errors.js';
import type { SnsRuntime } from '../runtime.js';
import { decodeToken, page } from '../topic-ref.js';
import type { AttributeMap, ListInput } from '../types.js';
import { resolveApplication } from './platform-applications.js';

interface CreatePlatformEndpointInput {
  PlatformApplicationArn?: string;
  Token?: string;
  CustomUserData?: string;
  Attributes?: AttributeMap;
}
interface EndpointArnInput {
  EndpointArn?: string;
}
interface SetEndpointAttributesInput extends EndpointArnInput {
  Attributes?: AttributeMap;
}
interface ListEndpointsInput extends ListInput {
  PlatformApplicationArn?: string;
}

/** The endpoint a request names: a malformed ARN is InvalidParameter, an unknown one NotFound. */
export async function resolveEndpoint(rt: SnsRuntime, ctx: CallContext, arn: string | undefined): Promise<PlatformEndpointRecord> {
  const parsed = parseEndpointArn(arn);
  const endpoint = ownedBy(parsed, ctx) ? await rt.store.getPlatformEndpoint(arn!) : undefined;
  if (!endpoint) throw endpointNotFound();
  return endpoint;
}

const sameAttributes = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

/**
 * CreatePlatformEndpoint. Idempotent: "if the requester already owns an endpoint with the same device token and
 * attributes, that endpoint's ARN is returned"; the same token with other attributes is refused with the existing
 * endpoint's ARN in the message (which client libraries parse to recover it). CustomUserData may come as the
 * parameter or as an attribute; the attribute wins.
 */
export async function createPlatformEndpoint(rt: SnsRuntime, input: CreatePlatformEndpointInput, ctx: CallContext) {
  if (input.PlatformApplicationArn === undefined) throw nullMember('platformApplicationArn');
  if (input.Token === undefined) throw nullMember('token');
  const app = await resolveApplication(rt, ctx, input.PlatformApplicationArn);
  const token = checkToken(app.platform, input.Token);
  const given = checkEndpointAttributes(app.platform, {
    ...(input.CustomUserData !== undefined ? { CustomUserData: input.CustomUserData } : {}),
    ...(input.Attributes ?? {}),
  });
  if (given.token !== undefined && given.token !== token) throw snsInvalidParameter('Attributes Reason: Token attribute does not match the Token parameter');
  const attributes: Record<string, string> = { Enabled: 'true', ...given.attributes };
  checkBaiduEndpoint(app.platform, attributes);
  const { endpoint, created } = await rt.store.createPlatformEndpoint({
    arn: newEndpointArn(app),
    applicationArn: app.arn,
    token,
    attributes,
    createdAt: rt.clock.now(),
  });
  if (!created && !sameAttributes(endpoint.attributes, attributes)) {
    throw snsInvalidParameter(`Token Reason: Endpoint ${endpoint.arn} already exists with the same Token, but different attributes.`);
  }
  return { EndpointArn: endpoint.arn };
}

export async function getEndpointAttributes(rt: SnsRuntime, input: EndpointArnInput, ctx: CallContext) {
  const endpoint = await resolveEndpoint(rt, ctx, input.EndpointArn);
  return { Attributes: renderEndpointAttributes(endpoint) };
}

/** SetEndpointAttributes: Enabled, Token, CustomUserData (Baidu: ChannelId, UserId), merged over the old ones. */
export async function setEndpointAttributes(rt: SnsRuntime, input: SetEndpointAttributesInput, ctx: CallContext) {
  parseEndpointArn(input.EndpointArn);
  if (input.Attributes === undefined) throw nullMember('attributes');
  const endpoint = await resolveEndpoint(rt, ctx, input.EndpointArn);
  const platform = parseEndpointArn(endpoint.arn).platform;
  const changes = checkEndpointAttributes(platform, input.Attributes);
  await rt.store.updatePlatformEndpoint({
    ...endpoint,
    token: changes.token ?? endpoint.token,
    attributes: { ...endpoint.attributes, ...changes.attributes },
  });
  return {};
}

/** ListEndpointsByPlatformApplication: 100 per page, in ARN order, each with its attributes. */
export async function listEndpointsByPlatformApplication(rt: SnsRuntime, input: ListEndpointsInput, ctx: CallContext) {
  const app = await resolveApplication(rt, ctx, input.PlatformApplicationArn);
  const after = decodeToken(input.NextToken);
  const rows = await rt.store.listPlatformEndpoints(app.arn, after, L.LIST_PAGE_SIZE + 1);
  const { items, NextToken } = page(rows, L.LIST_PAGE_SIZE);
  return {
    Endpoints: items.map((e) => ({ EndpointArn: e.arn, Attributes: renderEndpointAttributes(e) })),
    ...(NextToken ? { NextToken } : {}),
  };
}

/** DeleteEndpoint: idempotent. Subscriptions to the endpoint stay until unsubscribed, as AWS documents. */
export async function deleteEndpoint(rt: SnsRuntime, input: EndpointArnInput, ctx: CallContext) {
  if (ownedBy(parseEndpointArn(input.EndpointArn), ctx)) await rt.store.deletePlatformEndpoint(input.EndpointArn!);
  return {};
}
