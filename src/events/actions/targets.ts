import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { parseQueueArn } from '../../sqs/queue-ref.js';
import type { TargetRecord } from '../../store/events-contract.js';
import { busKeyOf, findBus, findRule } from '../bus-ref.js';
import { checkName, constraintError, validation } from '../errors.js';
import { parseJsonPath } from '../json-path.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';
import { PREDEFINED_VARIABLES } from '../target-input.js';
import type { ListRequest, PutTargetsRequest, RemoveTargetsRequest, Target, TargetFailure } from '../types.js';

async function ruleOf(rt: EventsRuntime, input: { Rule?: string; EventBusName?: string }, ctx: CallContext) {
  const name = checkName(input.Rule, 'rule', L.RULE_NAME_MAX, L.RULE_NAME_PATTERN);
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  return { bus, rule: await findRule(rt, bus, name) };
}

function checkEntryCount(count: number | undefined, member: string): void {
  if (count === undefined) throw constraintError('null', member, 'Member must not be null');
  if (count < 1) throw constraintError('[]', member, 'Member must have length greater than or equal to 1');
  if (count > L.TARGETS_PER_REQUEST_MAX) throw constraintError('[…]', member, `Member must have length less than or equal to ${L.TARGETS_PER_REQUEST_MAX}`);
}

/** Checks what AWS checks of the whole request before it looks at any target's kind. */
function checkTarget(t: Target, i: number): void {
  checkName(t.Id, `targets.${i + 1}.member.id`, L.TARGET_ID_MAX, L.TARGET_ID_PATTERN);
  if (t.Arn === undefined || t.Arn.length < 1 || t.Arn.length > 1600) {
    throw constraintError(t.Arn ?? 'null', `targets.${i + 1}.member.arn`, t.Arn === undefined ? 'Member must not be null' : 'Member must have length between 1 and 1600');
  }
  const inputs = [t.Input, t.InputPath, t.InputTransformer].filter((v) => v !== undefined).length;
  if (inputs > 1) throw validation(`Only one of Input, InputPath, or InputTransformer can be provided for target ${t.Id}.`);
  if (t.Input !== undefined) {
    if (t.Input.length > L.INPUT_MAX) throw constraintError(t.Input, `targets.${i + 1}.member.input`, `Member must have length less than or equal to ${L.INPUT_MAX}`);
    try {
      JSON.parse(t.Input);
    } catch {
      throw validation(`Target ${t.Id} Input is not valid JSON text.`);
    }
  }
  if (t.InputPath !== undefined && (t.InputPath.length > L.INPUT_PATH_MAX || !parseJsonPath(t.InputPath))) {
    throw validation(`Target ${t.Id} InputPath is not a valid JSON path.`);
  }
  const transformer = t.InputTransformer;
  if (transformer) {
    if (transformer.InputTemplate === undefined || transformer.InputTemplate.length < 1 || transformer.InputTemplate.length > L.INPUT_TEMPLATE_MAX) {
      throw constraintError(transformer.InputTemplate ?? 'null', `targets.${i + 1}.member.inputTransformer.inputTemplate`, `Member must have length between 1 and ${L.INPUT_TEMPLATE_MAX}`);
    }
    const paths = Object.entries(transformer.InputPathsMap ?? {});
    if (paths.length > L.INPUT_PATHS_MAX) throw validation(`InputPathsMap of target ${t.Id} has more than ${L.INPUT_PATHS_MAX} entries.`);
    for (const [name, path] of paths) {
      if (!L.INPUT_PATH_KEY_PATTERN.test(name) || (PREDEFINED_VARIABLES as readonly string[]).includes(name)) {
        throw validation(`InputPathsMap of target ${t.Id} has an invalid key: ${name}.`);
      }
      if (path.length > L.INPUT_PATH_MAX || !parseJsonPath(path)) throw validation(`InputPathsMap of target ${t.Id} has an invalid JSON path: ${path}.`);
    }
  }
}

/**
 * Checks a target's RetryPolicy and DeadLetterConfig against the API's constraints (RetryPolicy:
 * MaximumRetryAttempts 0–185, MaximumEventAgeInSeconds 60–86400; DeadLetterConfig.Arn an SQS queue ARN).
 */
function checkDeliveryOptions(t: Target, i: number): TargetFailure | undefined {
  const policy = t.RetryPolicy as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
  const member = `targets.${i + 1}.member.retryPolicy`;
  if (policy?.MaximumRetryAttempts !== undefined && (policy.MaximumRetryAttempts < 0 || policy.MaximumRetryAttempts > 185)) {
    throw constraintError(policy.MaximumRetryAttempts, `${member}.maximumRetryAttempts`, policy.MaximumRetryAttempts < 0 ? 'Member must have value greater than or equal to 0' : 'Member must have value less than or equal to 185');
  }
  const age = policy?.MaximumEventAgeInSeconds;
  if (age !== undefined && (age < 60 || age > 86_400)) {
    throw constraintError(age, `${member}.maximumEventAgeInSeconds`, age < 60 ? 'Member must have value greater than or equal to 60' : 'Member must have value less than or equal to 86400');
  }
  const dlq = (t.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
  if (dlq !== undefined && !parseQueueArn(dlq)) {
    return { TargetId: t.Id!, ErrorCode: 'ValidationException', ErrorMessage: `DeadLetterConfig Arn ${dlq} is not an Amazon SQS queue ARN.` };
  }
  return undefined;
}

export async function putTargets(rt: EventsRuntime, input: PutTargetsRequest, ctx: CallContext) {
  const { bus, rule } = await ruleOf(rt, input, ctx);
  checkEntryCount(input.Targets?.length, 'targets');
  const targets = input.Targets!;
  targets.forEach(checkTarget);
  for (const t of targets) {
    // AWS: a FIFO queue target needs the message group its messages go to.
    if (t.Arn!.endsWith('.fifo') && t.Arn!.includes(':sqs:') && !t.SqsParameters?.MessageGroupId) {
      throw validation(`Parameter(s) SqsParameters must be specified for target: ${t.Id}.`);
    }
  }
  const failed: TargetFailure[] = [];
  const accepted: TargetRecord[] = [];
  for (const [i, t] of targets.entries()) {
    // Every kind of target is taken: SQS queues of this Postbox are written at once, SNS topics, event buses and API
    // destinations are invoked by the delivery worker, and the rest (Lambda, Kinesis, Step Functions, …) recorded.
    const failure = checkDeliveryOptions(t, i);
    if (failure) failed.push(failure);
    else accepted.push({ id: t.Id!, arn: t.Arn!, target: t });
  }
  if (accepted.length) {
    if (!(await rt.store.putTargets(rule.arn, accepted, L.TARGETS_PER_RULE_MAX))) {
      throw new AwsError('EventsLimitExceeded', 'The requested resource exceeds the maximum number allowed.');
    }
    rt.routes.invalidate(bus.arn);
  }
  return { FailedEntryCount: failed.length, FailedEntries: failed };
}

export async function removeTargets(rt: EventsRuntime, input: RemoveTargetsRequest, ctx: CallContext) {
  const { bus, rule } = await ruleOf(rt, input, ctx);
  checkEntryCount(input.Ids?.length, 'ids');
  input.Ids!.forEach((id, i) => checkName(id, `ids.${i + 1}.member`, L.TARGET_ID_MAX, L.TARGET_ID_PATTERN));
  // AWS answers ids the rule does not have without a failed entry.
  const removed = await rt.store.removeTargets(rule.arn, input.Ids!);
  if (removed.length) rt.routes.invalidate(bus.arn);
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export async function listTargetsByRule(rt: EventsRuntime, input: ListRequest & { Rule?: string }, ctx: CallContext) {
  const { limit, after } = pageRequest(input);
  const { rule } = await ruleOf(rt, input, ctx);
  const { page, next } = pageOf(await rt.store.listTargets(rule.arn, after, limit + 1), limit, (t) => t.id);
  return { Targets: page.map((t) => t.target), ...next };
}
