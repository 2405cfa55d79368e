import { AwsError } from '../core/errors.js';

/** SNS words most validation errors "Invalid parameter: <what>" with the InvalidParameter code. */
export function snsInvalidParameter(what: string): AwsError {
  return new AwsError('SnsInvalidParameter', `Invalid parameter: ${what}`);
}

export const topicNotFound = (): AwsError => new AwsError('SnsNotFound', 'Topic does not exist');
export const subscriptionNotFound = (): AwsError => new AwsError('SnsNotFound', 'Subscription does not exist');
/** Tagging actions on a topic that does not exist (AWS: ResourceNotFound, "Resource does not exist"). */
export const resourceNotFound = (): AwsError => new AwsError('SnsResourceNotFound', 'Resource does not exist');
