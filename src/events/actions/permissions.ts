import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import type { EventBusRecord } from '../../store/events-contract.js';
import { busKeyOf, findBus } from '../bus-ref.js';
import { validation } from '../errors.js';
import type { EventsRuntime } from '../runtime.js';

interface PutPermissionRequest {
  EventBusName?: string;
  Action?: string;
  Principal?: string;
  StatementId?: string;
  Condition?: { Type?: string; Key?: string; Value?: string };
  Policy?: string;
}

interface Statement {
  Sid?: string;
  [member: string]: unknown;
}

interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

/** API_PutPermission: Principal is a 12-digit account id or "*"; StatementId 1–64 of [a-zA-Z0-9-_]. */
const PRINCIPAL = /^(\d{12}|\*)$/;
const STATEMENT_ID = /^[a-zA-Z0-9-_]{1,64}$/;
/** The only action a bus policy grants through the parameter form. */
const PUT_EVENTS = 'events:PutEvents';
/** Event bus policy size quota (eb-quota): 10,240 characters. */
const POLICY_MAX = 10_240;

const policyOf = (bus: EventBusRecord): PolicyDocument | undefined => (bus.policy !== undefined ? (JSON.parse(bus.policy) as PolicyDocument) : undefined);

async function save(rt: EventsRuntime, bus: EventBusRecord, policy: PolicyDocument | undefined): Promise<void> {
  const { policy: _old, ...rest } = bus;
  const text = policy && policy.Statement.length ? JSON.stringify(policy) : undefined;
  if (text !== undefined && text.length > POLICY_MAX) {
    throw new AwsError('EventsPolicyLengthExceeded', 'The event bus policy is too long.');
  }
  await rt.store.updateBus({ ...rest, ...(text !== undefined ? { policy: text } : {}), modifiedAt: rt.clock.now() });
}

/** The statement AWS writes for the Action/Principal/StatementId form. */
function statementOf(input: PutPermissionRequest, bus: EventBusRecord): Statement {
  const { Action, Principal, StatementId, Condition } = input;
  if (Action !== PUT_EVENTS) throw validation("Provided value in parameter 'action' is not supported.");
  if (Principal === undefined || !PRINCIPAL.test(Principal)) throw validation('Parameter Principal is not valid. Reason: Principal must match ^(\\d{12}|\\*)$.');
  if (StatementId === undefined || !STATEMENT_ID.test(StatementId)) {
    throw validation('Parameter StatementId is not valid. Reason: StatementId must match ^[a-zA-Z0-9-_]{1,64}$.');
  }
  if (Condition !== undefined) {
    // API_Condition: Type StringEquals, Key aws:PrincipalOrgID, and only with the "*" principal.
    if (Condition.Type !== 'StringEquals' || Condition.Key !== 'aws:PrincipalOrgID' || !Condition.Value) {
      throw validation('Parameter Condition is not valid. Reason: Type must be StringEquals and Key must be aws:PrincipalOrgID.');
    }
    if (Principal !== '*') throw validation('Parameter Condition is not valid. Reason: Condition can only be specified with the principal *.');
  }
  return {
    Sid: StatementId,
    Effect: 'Allow',
    Principal: Principal === '*' ? '*' : { AWS: `arn:aws:iam::${Principal}:root` },
    Action: PUT_EVENTS,
    Resource: bus.arn,
    ...(Condition ? { Condition: { [Condition.Type!]: { [Condition.Key!]: Condition.Value } } } : {}),
  };
}

/** The Policy form: a whole IAM policy document, which replaces the bus's policy. */
function parsePolicy(text: string): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const statements = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { Statement?: unknown }).Statement : undefined;
  const list = Array.isArray(statements) ? statements : statements && typeof statements === 'object' ? [statements] : undefined;
  if (!list || !list.every((s) => s && typeof s === 'object' && !Array.isArray(s) && typeof (s as Statement)['Effect'] === 'string')) {
    throw validation('Parameter Policy is not valid. Reason: the policy is not a valid IAM policy document.');
  }
  return { ...(doc as object), Statement: list as Statement[] } as PolicyDocument;
}

/**
 * PutPermission: adds (or, for the same StatementId, replaces) a statement granting events:PutEvents on the bus, or
 * with `Policy` sets the whole resource policy. DescribeEventBus returns it as `Policy`.
 */
export async function putPermission(rt: EventsRuntime, input: PutPermissionRequest, ctx: CallContext) {
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  if (input.Policy !== undefined) {
    if (input.Action !== undefined || input.Principal !== undefined || input.StatementId !== undefined || input.Condition !== undefined) {
      throw validation('Parameter Policy is not valid. Reason: Policy cannot be combined with Action, Principal, StatementId or Condition.');
    }
    await save(rt, bus, parsePolicy(input.Policy));
    return {};
  }
  const statement = statementOf(input, bus);
  const policy = policyOf(bus) ?? { Version: '2012-10-17', Statement: [] };
  const others = policy.Statement.filter((s) => s.Sid !== statement.Sid);
  await save(rt, bus, { ...policy, Statement: [...others, statement] });
  return {};
}

/** RemovePermission: one statement by id, or every statement (RemoveAllPermissions). */
export async function removePermission(rt: EventsRuntime, input: { StatementId?: string; RemoveAllPermissions?: boolean; EventBusName?: string }, ctx: CallContext) {
  const bus = await findBus(rt, busKeyOf(ctx, input.EventBusName));
  if (input.RemoveAllPermissions) {
    if (bus.policy !== undefined) await save(rt, bus, undefined);
    return {};
  }
  if (input.StatementId === undefined) throw validation('Parameter StatementId is not valid. Reason: StatementId is required unless RemoveAllPermissions is true.');
  const policy = policyOf(bus);
  if (!policy) throw new AwsError('EventsResourceNotFound', 'EventBus does not have a policy.');
  if (!policy.Statement.some((s) => s.Sid === input.StatementId)) throw new AwsError('EventsResourceNotFound', 'Statement with the provided id does not exist.');
  await save(rt, bus, { ...policy, Statement: policy.Statement.filter((s) => s.Sid !== input.StatementId) });
  return {};
}
