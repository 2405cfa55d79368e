import { AwsError } from '../core/errors.js';

/** AWS's model-constraint wording ("1 validation error detected: …"), which EventBridge answers as ValidationException. */
export function constraintError(value: unknown, member: string, constraint: string): AwsError {
  return new AwsError(
    'EventsValidation',
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export const validation = (message: string): AwsError => new AwsError('EventsValidation', message);

export const busNotFound = (name: string): AwsError => new AwsError('EventsResourceNotFound', `Event bus ${name} does not exist.`);

export const ruleNotFound = (rule: string, bus: string): AwsError =>
  new AwsError('EventsResourceNotFound', `Rule ${rule} does not exist on EventBus ${bus}.`);

/** Checks a name-like member against its length bounds and pattern, in the order AWS reports them. */
export function checkName(value: string | undefined, member: string, max: number, pattern: RegExp): string {
  if (value === undefined) throw constraintError('null', member, 'Member must not be null');
  if (value.length < 1) throw constraintError(value, member, 'Member must have length greater than or equal to 1');
  if (value.length > max) throw constraintError(value, member, `Member must have length less than or equal to ${max}`);
  if (!pattern.test(value)) throw constraintError(value, member, `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
  return value;
}

export function checkLimit(limit: number | undefined, max: number): number {
  if (limit === undefined) return max;
  if (limit < 1) throw constraintError(limit, 'limit', 'Member must have value greater than or equal to 1');
  if (limit > max) throw constraintError(limit, 'limit', `Member must have value less than or equal to ${max}`);
  return limit;
}

export const invalidToken = (): AwsError => validation('The NextToken provided is invalid.');
