import { AwsError, invalidParameter } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { queueArn, queueDoesNotExist, resolveQueue } from '../queue-ref.js';
import type { SqsRuntime } from '../runtime.js';
import type { AddPermissionInput, RemovePermissionInput } from '../types.js';

interface Statement {
  Sid: string;
  Effect: 'Allow';
  Principal: { AWS: string | string[] };
  Action: string | string[];
  Resource: string;
}
interface Policy {
  Version: string;
  Id: string;
  Statement: Statement[];
}

const LABEL = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_STATEMENTS = 20;

/** AddPermission writes a statement into the queue's Policy attribute, in the form AWS generates. */
export async function addPermission(rt: SqsRuntime, input: AddPermissionInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const label = input.Label;
  if (!label) throw new AwsError('MissingParameter', 'The request must contain the parameter Label.');
  if (!LABEL.test(label)) throw invalidParameter('Label', label, 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  if (!input.AWSAccountIds?.length) throw new AwsError('MissingParameter', 'The request must contain the parameter AWSAccountIds.');
  if (!input.Actions?.length) throw new AwsError('MissingParameter', 'The request must contain the parameter Actions.');
  const arn = queueArn(queue);
  const principals = input.AWSAccountIds.map((id) => `arn:aws:iam::${id}:root`);
  const actions = input.Actions.map((a) => `SQS:${a}`);
  const modifiedAt = rt.clock.now();
  // The policy is read and rewritten inside the store's transaction, so concurrent AddPermission and
  // RemovePermission calls (on any node) each keep the others' statements.
  const updated = await rt.store.updateQueue(queue.id, (current) => {
    const policy: Policy = current.attributes['Policy']
      ? (JSON.parse(current.attributes['Policy']) as Policy)
      : { Version: '2008-10-17', Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
    policy.Statement ??= [];
    if (policy.Statement.some((s) => s.Sid === label)) throw invalidParameter('Label', label, 'Already exists.');
    if (policy.Statement.length >= MAX_STATEMENTS) {
      throw new AwsError('OverLimit', `${policy.Statement.length + 1} statements were found, maximum allowed is ${MAX_STATEMENTS}.`);
    }
    policy.Statement.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: principals.length === 1 ? principals[0]! : principals },
      Action: actions.length === 1 ? actions[0]! : actions,
      Resource: arn,
    });
    return { attributes: { ...current.attributes, Policy: JSON.stringify(policy) }, tags: current.tags, modifiedAt };
  });
  if (!updated) throw queueDoesNotExist();
  return {};
}

export async function removePermission(rt: SqsRuntime, input: RemovePermissionInput, ctx: CallContext) {
  const queue = await resolveQueue(rt.store, ctx, input.QueueUrl);
  const label = input.Label;
  if (!label) throw new AwsError('MissingParameter', 'The request must contain the parameter Label.');
  const modifiedAt = rt.clock.now();
  const updated = await rt.store.updateQueue(queue.id, (current) => {
    const raw = current.attributes['Policy'];
    const policy = raw ? (JSON.parse(raw) as Policy) : undefined;
    const remaining = policy?.Statement?.filter((s) => s.Sid !== label);
    if (!policy || !remaining || remaining.length === policy.Statement.length) {
      throw invalidParameter('Label', label, "can't find label.");
    }
    // Removing the last statement removes the Policy attribute.
    const attributes = { ...current.attributes };
    if (remaining.length) attributes['Policy'] = JSON.stringify({ ...policy, Statement: remaining });
    else delete attributes['Policy'];
    return { attributes, tags: current.tags, modifiedAt };
  });
  if (!updated) throw queueDoesNotExist();
  return {};
}
