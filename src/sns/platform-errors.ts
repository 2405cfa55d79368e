import { AwsError } from '../core/errors.js';

/** Errors of mobile push and SMS, worded as AWS words them where known (see docs/sns.md, "Mobile push and SMS"). */

export const applicationNotFound = (): AwsError => new AwsError('SnsNotFound', 'PlatformApplication does not exist');
export const endpointNotFound = (): AwsError => new AwsError('SnsNotFound', 'Endpoint does not exist');
export const endpointDisabled = (): AwsError => new AwsError('SnsEndpointDisabled', 'Endpoint is disabled');
export const applicationDisabled = (): AwsError => new AwsError('SnsPlatformApplicationDisabled', 'Platform application is disabled');

/** A required map member missing altogether: AWS's front end answers ValidationError before the action runs. */
export const nullMember = (member: string): AwsError =>
  new AwsError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
