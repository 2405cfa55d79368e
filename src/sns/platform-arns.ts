import { randomUUID } from 'node:crypto';
import type { CallContext } from '../core/service.js';
import { snsInvalidParameter } from './errors.js';

/**
 * Mobile push ARNs. A platform application is `arn:aws:sns:<region>:<account>:app/<PLATFORM>/<name>`, an endpoint
 * `arn:aws:sns:<region>:<account>:endpoint/<PLATFORM>/<application name>/<uuid>` (as AWS returns them from
 * CreatePlatformApplication and CreatePlatformEndpoint).
 */

/** The push services CreatePlatformApplication accepts (API_CreatePlatformApplication). */
export const PLATFORMS = ['ADM', 'APNS', 'APNS_SANDBOX', 'BAIDU', 'GCM', 'MPNS', 'WNS'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const isPlatform = (p: string): p is Platform => (PLATFORMS as readonly string[]).includes(p);

/** Application names: "uppercase and lowercase ASCII letters, numbers, underscores, hyphens, and periods, and must be
 *  between 1 and 256 characters long" (CreatePlatformApplicationInput.Name). */
export const APPLICATION_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

export const applicationArn = (ctx: CallContext, platform: string, name: string): string =>
  `arn:aws:sns:${ctx.region}:${ctx.accountId}:app/${platform}/${name}`;

export const newEndpointArn = (app: { accountId: string; region: string; platform: string; name: string }): string =>
  `arn:aws:sns:${app.region}:${app.accountId}:endpoint/${app.platform}/${app.name}/${randomUUID()}`;

const ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):(.+)$/;

interface ParsedArn {
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

function parse(arn: string | undefined, param: string, kind: 'app' | 'endpoint'): ParsedArn {
  if (arn === undefined || arn === '') throw snsInvalidParameter(`${param} Reason: no value for required parameter`);
  const parts = arn.split(':');
  if (parts.length < 6) throw snsInvalidParameter(`${param} Reason: An ARN must have at least 6 elements, not ${parts.length}`);
  const m = ARN.exec(arn);
  if (!m) throw snsInvalidParameter(param);
  const resource = m[3]!;
  const slashes = kind === 'app' ? 2 : 3;
  if (!resource.startsWith(`${kind}/`) || resource.split('/').length !== slashes + 1) {
    throw snsInvalidParameter(`${param} Reason: Wrong number of slashes in relative portion of the ARN.`);
  }
  return { region: m[1]!, accountId: m[2]!, resource };
}

/**
 * A platform application ARN from a request. Malformed ones are InvalidParameter naming the parameter; one of
 * another region cannot name anything here (SNS is regional), so it is treated as not found by the caller.
 */
export function parseApplicationArn(arn: string | undefined, param = 'PlatformApplicationArn'): ParsedArn & { platform: string; name: string } {
  const p = parse(arn, param, 'app');
  const [, platform, name] = p.resource.split('/');
  return { ...p, platform: platform!, name: name! };
}

export function parseEndpointArn(arn: string | undefined, param = 'EndpointArn'): ParsedArn & { platform: string } {
  const p = parse(arn, param, 'endpoint');
  return { ...p, platform: p.resource.split('/')[1]! };
}

/**
 * Whether a parsed ARN can name a resource of the caller: SNS is regional, and an account reaches only its own
 * applications and endpoints. One that cannot is treated as not existing.
 */
export const ownedBy = (parsed: { region: string; accountId: string }, owner: { region: string; accountId: string }): boolean =>
  parsed.region === owner.region && parsed.accountId === owner.accountId;

/** Whether a TargetArn names a platform endpoint (rather than a topic). */
export const isEndpointArn = (arn: string): boolean => /^arn:aws[a-z-]*:sns:[^:]*:[^:]*:endpoint\//.test(arn);
