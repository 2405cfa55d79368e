import type { CallContext } from '../../core/service.js';
import { snsInvalidParameter } from '../errors.js';
import type { SnsRuntime } from '../runtime.js';
import { resolveTopic } from '../topic-ref.js';
import type { PutDataProtectionPolicyInput, ResourceArnInput } from '../types.js';

/** Data protection policies are stored and returned; Postbox does not audit or mask messages with them. */
export function checkDataProtectionPolicy(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw snsInvalidParameter('DataProtectionPolicy Reason: The policy is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw snsInvalidParameter('DataProtectionPolicy Reason: The policy must be a JSON object.');
  }
}

export async function getDataProtectionPolicy(rt: SnsRuntime, input: ResourceArnInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.ResourceArn, 'ResourceArn');
  return { DataProtectionPolicy: topic.dataProtectionPolicy ?? '' };
}

export async function putDataProtectionPolicy(rt: SnsRuntime, input: PutDataProtectionPolicyInput, ctx: CallContext) {
  const topic = await resolveTopic(rt, ctx, input.ResourceArn, 'ResourceArn');
  const policy = input.DataProtectionPolicy ?? '';
  if (policy !== '') checkDataProtectionPolicy(policy);
  const { dataProtectionPolicy: _old, ...rest } = topic;
  await rt.store.updateTopic({ ...rest, ...(policy ? { dataProtectionPolicy: policy } : {}), modifiedAt: rt.clock.now() });
  return {};
}
