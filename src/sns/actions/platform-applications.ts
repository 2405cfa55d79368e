import type { CallContext } from '../../core/service.js';
import type { PlatformApplicationRecord } from '../../store/sns-contract.js';
import { snsInvalidParameter } from '../errors.js';
import * as L from '../limits.js';
import { APPLICATION_NAME, applicationArn, isPlatform, ownedBy, parseApplicationArn } from '../platform-arns.js';
import { checkNewApplicationAttributes, mergeApplicationAttributes, renderApplicationAttributes } from '../platform-attributes.js';
import { applicationNotFound, nullMember } from '../platform-errors.js';
import type { SnsRuntime } from '../runtime.js';
import { decodeToken, page } from '../topic-ref.js';
import type { AttributeMap, ListInput } from '../types.js';

interface CreatePlatformApplicationInput {
  Name?: string;
  Platform?: string;
  Attributes?: AttributeMap;
}
interface ApplicationArnInput {
  PlatformApplicationArn?: string;
}
interface SetPlatformApplicationAttributesInput extends ApplicationArnInput {
  Attributes?: AttributeMap;
}

/** The application a request names: a malformed ARN is InvalidParameter, an unknown one NotFound. */
export async function resolveApplication(rt: SnsRuntime, ctx: CallContext, arn: string | undefined): Promise<PlatformApplicationRecord> {
  const parsed = parseApplicationArn(arn);
  const app = ownedBy(parsed, ctx) ? await rt.store.getPlatformApplication(arn!) : undefined;
  if (!app) throw applicationNotFound();
  return app;
}

/**
 * CreatePlatformApplication. Checks the name, the platform and the credentials each platform needs; stores the
 * credentials without contacting the push service (Postbox never does). Creating an existing name again replaces
 * its attributes and keeps its endpoints, as AWS answers the same ARN.
 */
export async function createPlatformApplication(rt: SnsRuntime, input: CreatePlatformApplicationInput, ctx: CallContext) {
  const { Name: name, Platform: platform } = input;
  if (name === undefined) throw nullMember('name');
  if (platform === undefined) throw nullMember('platform');
  if (input.Attributes === undefined) throw nullMember('attributes');
  if (name === '') throw snsInvalidParameter(' Reason: cannot be empty');
  if (name.length > 256) throw snsInvalidParameter(`${name} Reason: must be at most 256 characters long`);
  if (!APPLICATION_NAME.test(name)) {
    throw snsInvalidParameter(`${name} Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'`);
  }
  if (!isPlatform(platform)) throw snsInvalidParameter(`Platform Reason: ${platform} is not supported`);
  const attributes = checkNewApplicationAttributes(platform, input.Attributes);
  const arn = applicationArn(ctx, platform, name);
  const existing = await rt.store.getPlatformApplication(arn);
  await rt.store.putPlatformApplication({
    arn,
    accountId: ctx.accountId,
    region: ctx.region,
    name,
    platform,
    attributes,
    createdAt: existing?.createdAt ?? rt.clock.now(),
  });
  return { PlatformApplicationArn: arn };
}

export async function getPlatformApplicationAttributes(rt: SnsRuntime, input: ApplicationArnInput, ctx: CallContext) {
  const app = await resolveApplication(rt, ctx, input.PlatformApplicationArn);
  return { Attributes: renderApplicationAttributes(app) };
}

export async function setPlatformApplicationAttributes(rt: SnsRuntime, input: SetPlatformApplicationAttributesInput, ctx: CallContext) {
  parseApplicationArn(input.PlatformApplicationArn);
  if (input.Attributes === undefined) throw nullMember('attributes');
  const app = await resolveApplication(rt, ctx, input.PlatformApplicationArn);
  await rt.store.updatePlatformApplication({ ...app, attributes: mergeApplicationAttributes(app, input.Attributes) });
  return {};
}

/** ListPlatformApplications: 100 per page, in ARN order, each with its attributes. */
export async function listPlatformApplications(rt: SnsRuntime, input: ListInput, ctx: CallContext) {
  const after = decodeToken(input.NextToken);
  const rows = await rt.store.listPlatformApplications(ctx.accountId, ctx.region, after, L.LIST_PAGE_SIZE + 1);
  const { items, NextToken } = page(rows, L.LIST_PAGE_SIZE);
  return {
    PlatformApplications: items.map((a) => ({ PlatformApplicationArn: a.arn, Attributes: renderApplicationAttributes(a) })),
    ...(NextToken ? { NextToken } : {}),
  };
}

/** DeletePlatformApplication: idempotent; its endpoints go with it (subscriptions to them stay, as in AWS). */
export async function deletePlatformApplication(rt: SnsRuntime, input: ApplicationArnInput, ctx: CallContext) {
  if (ownedBy(parseApplicationArn(input.PlatformApplicationArn), ctx)) await rt.store.deletePlatformApplication(input.PlatformApplicationArn!);
  return {};
}
