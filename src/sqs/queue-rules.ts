import { AwsError } from '../core/errors.js';
import type { QueueKey } from '../store/contract.js';
import { parseQueueArn, queueArn } from './queue-ref.js';
import type { SqsRuntime } from './runtime.js';

/**
 * Checks that a RedrivePolicy names an existing queue of the same type (AWS checks both when the policy is set)
 * and that the queue does not name itself.
 */
export async function checkRedriveTarget(rt: SqsRuntime, attributes: Record<string, string>, fifo: boolean, self: QueueKey): Promise<void> {
  const raw = attributes['RedrivePolicy'];
  if (!raw) return;
  const { deadLetterTargetArn } = JSON.parse(raw) as { deadLetterTargetArn: string };
  const key = parseQueueArn(deadLetterTargetArn)!;
  const target = await rt.store.getQueue(key);
  if (!target) {
    throw new AwsError('InvalidParameterValue', `Value ${raw} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
  }
  if (target.fifo !== fifo) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value ${raw} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source..`,
    );
  }
  if (key.accountId === self.accountId && key.region === self.region && key.name === self.name) {
    throw new AwsError('InvalidParameterValue', `Value ${raw} for parameter RedrivePolicy is invalid. Reason: A queue cannot be its own dead-letter queue.`);
  }
  // The dead-letter queue's RedriveAllowPolicy says which source queues may use it.
  const allow = target.attributes['RedriveAllowPolicy'];
  if (allow) {
    const { redrivePermission, sourceQueueArns } = JSON.parse(allow) as { redrivePermission: string; sourceQueueArns?: string[] };
    const selfArn = queueArn(self);
    if (redrivePermission === 'denyAll' || (redrivePermission === 'byQueue' && !sourceQueueArns?.includes(selfArn))) {
      throw new AwsError(
        'InvalidParameterValue',
        `Value ${raw} for parameter RedrivePolicy is invalid. Reason: Queue ${deadLetterTargetArn} does not allow ${selfArn} to use it as a dead-letter queue (RedriveAllowPolicy).`,
      );
    }
  }
}

/**
 * SSE-KMS and SSE-SQS exclude each other (AWS: InvalidAttributeName); choosing a KMS key turns SSE-SQS off and
 * brings the data-key reuse period in with its default.
 */
export function applyEncryptionRules(attributes: Record<string, string>, given: Record<string, string>): void {
  const kms = given['KmsMasterKeyId'] ?? attributes['KmsMasterKeyId'];
  if (kms && given['SqsManagedSseEnabled'] === 'true') {
    throw new AwsError(
      'InvalidAttributeName',
      'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    );
  }
  if (given['KmsMasterKeyId']) {
    attributes['SqsManagedSseEnabled'] = 'false';
    attributes['KmsDataKeyReusePeriodSeconds'] ??= '300';
  } else if (given['KmsMasterKeyId'] === '') {
    delete attributes['KmsMasterKeyId'];
    delete attributes['KmsDataKeyReusePeriodSeconds'];
  }
  if (given['SqsManagedSseEnabled'] === 'true') {
    delete attributes['KmsMasterKeyId'];
    delete attributes['KmsDataKeyReusePeriodSeconds'];
  }
}
