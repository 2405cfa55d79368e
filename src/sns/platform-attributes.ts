import type { PlatformApplicationRecord, PlatformEndpointRecord } from '../store/sns-contract.js';
import { snsInvalidParameter } from './errors.js';
import type { Platform } from './platform-arns.js';

/**
 * Attributes of platform applications and endpoints: which names exist, which values they take, which are
 * required, and what Get* returns. Sources: API_SetPlatformApplicationAttributes, API_CreatePlatformApplication,
 * API_SetEndpointAttributes, API_GetEndpointAttributes, API_CreatePlatformEndpoint (Baidu's ChannelId/UserId).
 */

const CREDENTIALS = ['PlatformCredential', 'PlatformPrincipal'] as const;
const TOPIC_ATTRIBUTES = ['EventEndpointCreated', 'EventEndpointDeleted', 'EventEndpointUpdated', 'EventDeliveryFailure'];
const ROLE_ATTRIBUTES = ['SuccessFeedbackRoleArn', 'FailureFeedbackRoleArn'];
const APPLE_TOKEN_ATTRIBUTES = ['ApplePlatformTeamID', 'ApplePlatformBundleID'];
/** Enabled is not documented as settable, but AWS returns it and flips it when a push service rejects the
 *  credentials; Postbox lets it be set so that PlatformApplicationDisabled can be exercised. */
const APPLICATION_ATTRIBUTES = new Set([...CREDENTIALS, ...TOPIC_ATTRIBUTES, ...ROLE_ATTRIBUTES, 'SuccessFeedbackSampleRate', ...APPLE_TOKEN_ATTRIBUTES, 'Enabled']);

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const bad = (name: string, reason: string) => snsInvalidParameter(`Attributes Reason: ${name}: ${reason}`);

function checkApplicationValue(name: string, value: string): string {
  if (!APPLICATION_ATTRIBUTES.has(name)) throw snsInvalidParameter(`Attributes Reason: Invalid attribute name: ${name}`);
  if (TOPIC_ATTRIBUTES.includes(name) && value !== '' && !TOPIC_ARN.test(value)) throw bad(name, 'must be a topic ARN');
  if (ROLE_ATTRIBUTES.includes(name) && value !== '' && !ROLE_ARN.test(value)) throw bad(name, 'must be an IAM role ARN');
  if (name === 'SuccessFeedbackSampleRate' && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) {
    throw bad(name, 'must be an integer from 0 to 100');
  }
  if (name === 'Enabled') {
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') throw bad(name, 'must be true or false');
    return v;
  }
  if (CREDENTIALS.includes(name as (typeof CREDENTIALS)[number]) && value === '') throw bad(name, 'cannot be empty');
  return value;
}

/** APNS with a signing key (token authentication) rather than a certificate: the principal is a key ID, not PEM. */
const isAppleToken = (attrs: Readonly<Record<string, string>>): boolean =>
  attrs['PlatformPrincipal'] !== undefined && !attrs['PlatformPrincipal'].includes('-----BEGIN');

/** GCM with a service-account JSON key (token authentication) rather than a server API key. */
const isGcmToken = (attrs: Readonly<Record<string, string>>): boolean => (attrs['PlatformCredential'] ?? '').trim().startsWith('{');

/**
 * CreatePlatformApplication's attributes: every name known and every value valid, and the credentials the platform
 * needs — GCM a PlatformCredential (it has no principal); every other platform a PlatformPrincipal and a
 * PlatformCredential together; APNS with token credentials also ApplePlatformTeamID and ApplePlatformBundleID.
 */
export function checkNewApplicationAttributes(platform: Platform, attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) out[name] = checkApplicationValue(name, value);
  checkCredentials(platform, out);
  return out;
}

function checkCredentials(platform: Platform, attrs: Record<string, string>): void {
  const principal = attrs['PlatformPrincipal'] !== undefined;
  const credential = attrs['PlatformCredential'] !== undefined;
  if (platform === 'GCM') {
    if (!credential) throw snsInvalidParameter('Attributes Reason: PlatformCredential attribute required');
    return;
  }
  if (principal && !credential) throw snsInvalidParameter('Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential');
  if (credential && !principal) throw snsInvalidParameter('Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal');
  if (!principal) throw snsInvalidParameter('Attributes Reason: PlatformPrincipal and PlatformCredential attributes required');
  if ((platform === 'APNS' || platform === 'APNS_SANDBOX') && isAppleToken(attrs)) {
    for (const name of APPLE_TOKEN_ATTRIBUTES) {
      if (!attrs[name]) throw snsInvalidParameter(`Attributes Reason: ${name} attribute required for token-based authentication`);
    }
  }
}

/** SetPlatformApplicationAttributes: the new attributes merged over the old, then the credentials checked again. */
export function mergeApplicationAttributes(app: PlatformApplicationRecord, changes: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = { ...app.attributes };
  for (const [name, value] of Object.entries(changes)) {
    const v = checkApplicationValue(name, value);
    // An empty value clears an optional attribute (a topic or role ARN).
    if (v === '' && !CREDENTIALS.includes(name as (typeof CREDENTIALS)[number])) delete merged[name];
    else merged[name] = v;
  }
  checkCredentials(app.platform as Platform, merged);
  return merged;
}

/** GetPlatformApplicationAttributes: Enabled, what was set — never the credentials — and AuthenticationMethod. */
export function renderApplicationAttributes(app: PlatformApplicationRecord): Record<string, string> {
  const out: Record<string, string> = { Enabled: app.attributes['Enabled'] ?? 'true' };
  for (const [name, value] of Object.entries(app.attributes)) {
    if (!CREDENTIALS.includes(name as (typeof CREDENTIALS)[number])) out[name] = value;
  }
  if (app.platform === 'APNS' || app.platform === 'APNS_SANDBOX') out['AuthenticationMethod'] = isAppleToken(app.attributes) ? 'Token' : 'Certificate';
  if (app.platform === 'GCM') out['AuthenticationMethod'] = isGcmToken(app.attributes) ? 'Token' : 'Key';
  return out;
}

export const applicationEnabled = (app: PlatformApplicationRecord): boolean => (app.attributes['Enabled'] ?? 'true') === 'true';

// ---- Endpoints ----

/** CustomUserData: "UTF-8 format and less than 2KB". */
const CUSTOM_USER_DATA_MAX = 2048;
/** APNs device tokens are hexadecimal; AWS refuses longer than 400 characters and stores them in lowercase. */
const APPLE_TOKEN = /^[0-9a-fA-F]{1,400}$/;
/** Other platforms' registration ids: anything printable, bounded. */
const TOKEN_MAX = 4096;

const endpointNames = (platform: string): Set<string> =>
  new Set(platform === 'BAIDU' ? ['CustomUserData', 'Enabled', 'Token', 'ChannelId', 'UserId'] : ['CustomUserData', 'Enabled', 'Token']);

/** A device token as SNS keeps it, or InvalidParameter. */
export function checkToken(platform: string, token: string | undefined): string {
  if (token === undefined || token === '') throw snsInvalidParameter('Token Reason: cannot be empty');
  if (platform === 'APNS' || platform === 'APNS_SANDBOX') {
    if (!APPLE_TOKEN.test(token)) throw snsInvalidParameter('Token Reason: iOS device tokens must be no more than 400 hexadecimal characters');
    return token.toLowerCase();
  }
  if (token.length > TOKEN_MAX) throw snsInvalidParameter('Token Reason: must be at most 4096 characters long');
  return token;
}

/**
 * Endpoint attributes (Enabled, CustomUserData, Token; ChannelId and UserId for Baidu), checked and normalised.
 * Token is returned separately: it is the endpoint's identity within its application.
 */
export function checkEndpointAttributes(platform: string, attributes: Record<string, string>): { attributes: Record<string, string>; token?: string } {
  const names = endpointNames(platform);
  const out: Record<string, string> = {};
  let token: string | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (!names.has(name)) throw snsInvalidParameter(`Attributes Reason: Invalid attribute name: ${name}`);
    if (name === 'Token') {
      token = checkToken(platform, value);
      continue;
    }
    if (name === 'Enabled') {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') throw bad(name, 'must be true or false');
      out[name] = v;
      continue;
    }
    if (name === 'CustomUserData' && Buffer.byteLength(value, 'utf8') > CUSTOM_USER_DATA_MAX) {
      throw snsInvalidParameter('Attributes Reason: Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding');
    }
    out[name] = value;
  }
  return { attributes: out, ...(token !== undefined ? { token } : {}) };
}

/** Baidu endpoints need ChannelId and UserId (API_CreatePlatformEndpoint). */
export function checkBaiduEndpoint(platform: string, attributes: Readonly<Record<string, string>>): void {
  if (platform !== 'BAIDU') return;
  for (const name of ['ChannelId', 'UserId']) {
    if (!attributes[name]) throw snsInvalidParameter(`Attributes Reason: ${name} attribute required for Baidu endpoints`);
  }
}

/** GetEndpointAttributes: Enabled, Token, CustomUserData (when set), and Baidu's ids. */
export function renderEndpointAttributes(e: PlatformEndpointRecord): Record<string, string> {
  return { ...e.attributes, Enabled: e.attributes['Enabled'] ?? 'true', Token: e.token };
}

export const endpointEnabled = (e: PlatformEndpointRecord): boolean => (e.attributes['Enabled'] ?? 'true') === 'true';
