import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { eventBridgeMessage, parsePattern, PatternError } from '../../pattern/index.js';
import type { RuleRecord, RuleState } from '../../store/events-contract.js';
import { ruleArn } from '../arns.js';
import { busKeyOf, findBus, findRule } from '../bus-ref.js';
import { checkName, constraintError, validation } from '../errors.js';
import * as L from '../limits.js';
import { pageOf, pageRequest } from '../paging.js';
import type { EventsRuntime } from '../runtime.js';
import { mergeTags } from '../tags.js';
import { firstFireTime, parseSchedule, type Schedule } from '../schedule/expression.js';
import type { ListRequest, PutRuleRequest, RuleRequest } from '../types.js';

export function checkEventPattern(text: string): void {
  try {
    parsePattern(text, 'eventbridge');
  } catch (err) {
    if (err instanceof PatternError) throw new AwsError('EventsInvalidEventPattern', eventBridgeMessage(err));
    throw err;
  }
}

/** A valid ScheduleExpression (schedule/expression.ts), or AWS's ValidationException. */
function checkSchedule(expression: string): Schedule {
  const schedule = expression.length <= L.SCHEDULE_EXPRESSION_MAX ? parseSchedule(expression) : undefined;
  if (!schedule) throw validation('Parameter ScheduleExpression is not valid.');
  return schedule;
}

/**
 * Keeps the scheduler's next fire time in step with the rule: set when a scheduled rule is created, enabled or
 * given a new expression (counted from now), kept when PutRule leaves both alone, forgotten when it is disabled or
 * loses its schedule.
 */
async function syncSchedule(rt: EventsRuntime, rule: RuleRecord, previous: RuleRecord | undefined, now: number): Promise<void> {
  const schedule = rule.scheduleExpression !== undefined && rule.state !== 'DISABLED' ? parseSchedule(rule.scheduleExpression) : undefined;
  if (!schedule) {
    if (previous?.scheduleExpression !== undefined) await rt.store.setSchedule(rule.arn, undefined);
  } else {
    const unchanged = previous && previous.scheduleExpression === rule.scheduleExpression && previous.state !== 'DISABLED';
    if (unchanged && (await rt.store.getSchedule(rule.arn)) !== undefined) return;
    await rt.store.setSchedule(rule.arn, firstFireTime(schedule, now));
  }
  rt.scheduleChanged();
}

export async function putRule(rt: EventsRuntime, input: PutRuleRequest, ctx: CallContext) {
  const name = checkName(input.Name, 'name', L.RULE_NAME_MAX, L.RULE_NAME_PATTERN);
  if (input.Description !== undefined && input.Description.length > L.DESCRIPTION_MAX) {
    throw constraintError(input.Description, 'description', `Member must have length less than or equal to ${L.DESCRIPTION_MAX}`);
  }
  if (input.State !== undefined && !(L.STATES as readonly string[]).includes(input.State)) {
    throw constraintError(input.State, 'state', `Member must satisfy enum value set: [${L.STATES.join(', ')}]`);
  }
  if (input.EventPattern === undefined && input.ScheduleExpression === undefined) {
    throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  }
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  if (input.ScheduleExpression !== undefined) {
    if (bus.name !== L.DEFAULT_BUS) throw validation('ScheduleExpression is supported only on the default event bus.');
    checkSchedule(input.ScheduleExpression);
  }
  if (input.EventPattern !== undefined) checkEventPattern(input.EventPattern);

  const arn = ruleArn(bus, name);
  const existing = await rt.store.getRule(arn);
  const now = rt.clock.now();
  // Updating a rule replaces its definition; AWS leaves an existing rule's tags alone.
  const rule: RuleRecord = {
    arn,
    busArn: bus.arn,
    busName: bus.name,
    name,
    ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
    ...(input.ScheduleExpression !== undefined ? { scheduleExpression: input.ScheduleExpression } : {}),
    state: (input.State as RuleState | undefined) ?? 'ENABLED',
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.RoleArn !== undefined ? { roleArn: input.RoleArn } : {}),
    createdBy: existing?.createdBy ?? ctx.accountId,
    tags: existing ? existing.tags : mergeTags({}, input.Tags),
    createdAt: existing?.createdAt ?? now,
    modifiedAt: now,
  };
  await rt.store.putRule(rule);
  await syncSchedule(rt, rule, existing, now);
  rt.routes.invalidate(bus.arn);
  return { RuleArn: arn };
}

function ruleOut(rule: RuleRecord) {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
    ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    EventBusName: rule.busName,
  };
}

export async function describeRule(rt: EventsRuntime, input: RuleRequest, ctx: CallContext) {
  const name = checkName(input.Name, 'name', L.RULE_NAME_MAX, L.RULE_NAME_PATTERN);
  const rule = await findRule(rt, await findBus(rt, busKeyOf(ctx, input.EventBusName)), name);
  return { ...ruleOut(rule), CreatedBy: rule.createdBy };
}

export async function deleteRule(rt: EventsRuntime, input: RuleRequest & { Force?: boolean }, ctx: CallContext) {
  const name = checkName(input.Name, 'name', L.RULE_NAME_MAX, L.RULE_NAME_PATTERN);
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  // AWS answers 200 for a rule that does not exist, and refuses one that still has targets.
  if (!(await rt.store.deleteRule(ruleArn(bus, name)))) throw validation("Rule can't be deleted since it has targets.");
  rt.routes.invalidate(bus.arn);
  return {};
}

async function setState(rt: EventsRuntime, input: RuleRequest, ctx: CallContext, state: RuleState) {
  const name = checkName(input.Name, 'name', L.RULE_NAME_MAX, L.RULE_NAME_PATTERN);
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  const rule = await findRule(rt, bus, name);
  if (rule.state !== state) {
    const now = rt.clock.now();
    const updated = { ...rule, state, modifiedAt: now };
    await rt.store.putRule(updated);
    await syncSchedule(rt, updated, rule, now);
    rt.routes.invalidate(bus.arn);
  }
  return {};
}

export const enableRule = (rt: EventsRuntime, input: RuleRequest, ctx: CallContext) => setState(rt, input, ctx, 'ENABLED');
export const disableRule = (rt: EventsRuntime, input: RuleRequest, ctx: CallContext) => setState(rt, input, ctx, 'DISABLED');

export async function listRules(rt: EventsRuntime, input: ListRequest, ctx: CallContext) {
  const { limit, after } = pageRequest(input);
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  const { page, next } = pageOf(await rt.store.listRules(bus.arn, input.NamePrefix ?? '', after, limit + 1), limit, (r) => r.name);
  return { Rules: page.map(ruleOut), ...next };
}

export async function listRuleNamesByTarget(rt: EventsRuntime, input: ListRequest & { TargetArn?: string }, ctx: CallContext) {
  if (input.TargetArn === undefined || input.TargetArn === '') throw constraintError(input.TargetArn ?? 'null', 'targetArn', 'Member must not be null');
  const { limit, after } = pageRequest(input);
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  const { page, next } = pageOf(await rt.store.ruleNamesByTarget(bus.arn, input.TargetArn, after, limit + 1), limit, (name) => name);
  return { RuleNames: page, ...next };
}
