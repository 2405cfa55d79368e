/**
 * The delivery worker of EventBridge: attempts the jobs that routing put in the internal queue `events-deliveries`
 * (route.ts), one attempt per receive, and applies each target's RetryPolicy and DeadLetterConfig
 * (eb-rule-retry-policy, eb-rule-dlq):
 * - a retryable failure is tried again after a back-off (retry.ts) until MaximumRetryAttempts retries were made or
 *   the event is older than MaximumEventAgeInSeconds;
 * - a failure retrying cannot cure (the target does not exist, the endpoint answered a 4xx AWS does not retry) goes
 *   to the dead-letter queue at once;
 * - given up, the event goes to the target's DeadLetterConfig queue with AWS's message attributes RULE_ARN,
 *   TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS — or, without one, is dropped
 *   (and logged), as AWS drops it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { AwsError } from '../../core/errors.js';
import { internalQueue, jobMessage } from '../../delivery/internal-queue.js';
import { DeliveryWorker, type AttemptOutcome, type JobContext } from '../../delivery/worker.js';
import { parseTopicArn } from '../../sns/arns.js';
import { commitPublish, planPublish, preparePublish } from '../../sns/publish.js';
import type { SnsRuntime } from '../../sns/runtime.js';
import { parseQueueArn } from '../../sqs/queue-ref.js';
import { fifoOptions, prepareSend } from '../../sqs/send.js';
import type { QueueRecord, Store } from '../../store/contract.js';
import type { DeliveryLog } from '../../store/delivery-log-contract.js';
import type { FanoutDelivery } from '../../store/sns-contract.js';
import { parseBusArn, busArn as busArnOf } from '../arns.js';
import type { EventsRuntime } from '../runtime.js';
import { ApiDestinationCaller, type TargetHttpParameters } from './http-call.js';
import { DELIVERY_QUEUE, failure, MAX_BUS_HOPS, type DeliveryFailure, type DeliveryJob } from './job.js';
import { decideRetry, retryLimits } from './retry.js';
import { commitRouted, emptyRouted, internalContext, notifyDelivered, routeEvent } from './route.js';

export interface EventsDeliveryOptions {
  readonly queues: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The region label of the internal queue (one queue serves every region). */
  readonly region: string;
  readonly runtime: () => EventsRuntime;
  /** Where recorded targets (Lambda, Kinesis, Firehose, Step Functions, …) are written. */
  readonly deliveryLog?: DeliveryLog;
  /** SNS, for topic targets: absent when the engine has no SNS. */
  readonly sns?: SnsRuntime;
  /** Uniform random numbers in [0, 1) for the jitter of retries (retry.ts). Default Math.random; tests fix it. */
  readonly random?: () => number;
}

export class EventsDelivery {
  private queueRecord: Promise<QueueRecord> | undefined;
  private readonly worker: DeliveryWorker<DeliveryJob>;
  readonly caller: ApiDestinationCaller;

  constructor(private readonly o: EventsDeliveryOptions) {
    this.caller = new ApiDestinationCaller(() => o.clock.now());
    this.worker = new DeliveryWorker<DeliveryJob>({
      store: o.queues,
      clock: o.clock,
      logger: o.logger,
      queue: () => this.queue(),
      attempt: (job, ctx) => this.attempt(job, ctx),
      // An attempt is at most an OAuth token request and an HTTP call of 5 s each (and a retry after a 401).
      attemptTimeoutMs: 60_000,
    });
  }

  queue(): Promise<QueueRecord> {
    this.queueRecord ??= internalQueue(this.o.queues, this.o.region, DELIVERY_QUEUE, this.o.clock.now()).catch((err: unknown) => {
      this.queueRecord = undefined;
      throw err;
    });
    return this.queueRecord;
  }

  /** The job as a write into the internal queue, to commit with the request that routed the event. */
  async jobDelivery(job: DeliveryJob, now: number): Promise<FanoutDelivery> {
    return { queue: await this.queue(), messages: [jobMessage(job, now)] };
  }

  start(): void {
    this.worker.start();
  }

  kick(): void {
    this.worker.kick();
  }

  stop(): Promise<void> {
    return this.worker.stop();
  }

  private async attempt(job: DeliveryJob, ctx: JobContext): Promise<AttemptOutcome> {
    let failed: DeliveryFailure | undefined;
    try {
      failed = await this.invoke(job, ctx.now);
    } catch (err) {
      this.o.logger.error({ err, rule: job.ruleArn, target: job.target.Id }, 'EventBridge delivery attempt failed');
      failed = failure('INTERNAL_ERROR', (err as Error).message, true);
    }
    if (!failed) return { kind: 'done' };
    const now = this.o.clock.now();
    const decision = decideRetry(retryLimits(job.target), failed.retryable, ctx.attempt, ctx.enqueuedAt, now, (this.o.random ?? Math.random)());
    if (decision.kind === 'retry') {
      this.o.logger.debug({ rule: job.ruleArn, target: job.target.Id, attempt: ctx.attempt, error: failed.code }, 'EventBridge delivery will be retried');
      return { kind: 'retry', at: decision.at };
    }
    await this.deadLetter(job, failed, decision.exhausted, ctx.attempt - 1, now);
    return { kind: 'done' };
  }

  /** One attempt at the target: undefined when delivered. */
  private async invoke(job: DeliveryJob, now: number): Promise<DeliveryFailure | undefined> {
    const arn = job.target.Arn ?? '';
    const service = arn.split(':')[2] ?? '';
    if (service === 'sqs') return this.toQueue(job, arn, now);
    if (service === 'sns') return this.toTopic(job, arn);
    if (service === 'events' && arn.includes(':event-bus/')) return this.toBus(job, arn, now);
    if (service === 'events' && arn.includes(':api-destination/')) return this.toApiDestination(job, arn);
    return this.record(job, service || 'unknown', arn, now);
  }

  private async toQueue(job: DeliveryJob, arn: string, now: number): Promise<DeliveryFailure | undefined> {
    const key = parseQueueArn(arn);
    const queue = key && (await this.o.queues.getQueue(key));
    if (!queue) return failure('NO_RESOURCE', `The queue ${arn} does not exist.`, false);
    const ctx = internalContext(job.accountId, job.region, job.host);
    let message;
    try {
      const groupId = job.target.SqsParameters?.MessageGroupId;
      message = prepareSend(
        queue,
        { MessageBody: job.input, ...(queue.fifo && groupId !== undefined ? { MessageGroupId: groupId, MessageDeduplicationId: job.event.id } : {}) },
        ctx,
        now,
        false,
      ).message;
    } catch (err) {
      if (err instanceof AwsError) return failure('INVALID_PARAMETER', err.message, false);
      throw err;
    }
    const fifo = fifoOptions(queue);
    const sent = await this.o.queues.send(queue, [message], fifo);
    if (sent.some((s) => !s.duplicate)) this.o.runtime().notifyQueue(queue.id);
    return undefined;
  }

  private async toTopic(job: DeliveryJob, arn: string): Promise<DeliveryFailure | undefined> {
    const sns = this.o.sns;
    if (!sns) return failure('NO_RESOURCE', `Amazon SNS is not available with this storage engine: ${arn}.`, false);
    let topic;
    try {
      topic = await sns.store.getTopic(parseTopicArn(arn).arn);
    } catch {
      topic = undefined;
    }
    if (!topic) return failure('NO_RESOURCE', `The topic ${arn} does not exist.`, false);
    // SNS's own publish path: the topic's subscriptions, filter policies and envelopes apply as to any Publish.
    const groupId = (job.target.SqsParameters as { MessageGroupId?: string } | undefined)?.MessageGroupId;
    try {
      const prepared = preparePublish(topic, {
        Message: job.input,
        ...(topic.fifo ? { MessageGroupId: groupId ?? job.ruleArn.split('/').pop()!, MessageDeduplicationId: job.event.id } : {}),
      });
      const ctx = internalContext(job.accountId, job.region, job.host);
      await commitPublish(sns, await planPublish(sns, topic, prepared, ctx));
    } catch (err) {
      if (err instanceof AwsError) return failure('INVALID_PARAMETER', err.message, false);
      throw err;
    }
    return undefined;
  }

  private async toBus(job: DeliveryJob, arn: string, now: number): Promise<DeliveryFailure | undefined> {
    const rt = this.o.runtime();
    const key = parseBusArn(arn);
    const bus = key && (await rt.store.getBus(busArnOf(key)));
    if (!key || (!bus && key.name !== 'default')) return failure('NO_RESOURCE', `Event bus ${arn} does not exist.`, false);
    if (key.accountId !== job.accountId && !(bus && busPolicyAllows(bus, job.accountId))) {
      // AWS: a bus in another account takes events only when its resource policy lets the sender's account put them.
      return failure('NO_PERMISSIONS', `Account ${job.accountId} is not authorized to put events to ${arn}.`, false);
    }
    // Rules that forward events in a circle would deliver for ever: Postbox stops an event after MAX_BUS_HOPS hops.
    const hops = (job.hops ?? 0) + 1;
    if (hops > MAX_BUS_HOPS) return failure('LOOP_DETECTED', `The event was forwarded between event buses ${MAX_BUS_HOPS} times; not forwarded again.`, false);
    // The event arrives as it was sent (same id, source, account); the receiving bus routes it by its own rules.
    const out = emptyRouted(hops);
    await routeEvent(rt, busArnOf(key), job.event, internalContext(key.accountId, key.region, job.host), now, out);
    await commitRouted(rt, out, now);
    return undefined;
  }

  private async toApiDestination(job: DeliveryJob, arn: string): Promise<DeliveryFailure | undefined> {
    const rt = this.o.runtime();
    const destination = await rt.store.getApiDestination(arn);
    if (!destination) return failure('NO_RESOURCE', `API destination ${arn} does not exist.`, false);
    const connection = await rt.store.getConnection(destination.connectionArn);
    if (!connection) return failure('NO_RESOURCE', `Connection ${destination.connectionArn} does not exist.`, false);
    if (connection.state === 'DEAUTHORIZED') return failure('FAILED_TO_AUTHORIZE', `Connection ${connection.name} is deauthorized.`, false);
    return this.caller.call({
      destination,
      connection,
      httpParameters: job.target.HttpParameters as TargetHttpParameters | undefined,
      event: job.event,
      body: job.input,
    });
  }

  /** Targets a development broker does not invoke: the invocation is recorded for GET /_postbox/deliveries. */
  private async record(job: DeliveryJob, service: string, arn: string, now: number): Promise<DeliveryFailure | undefined> {
    if (!this.o.deliveryLog) return failure('NO_RESOURCE', `Postbox cannot record deliveries to ${arn} with this storage engine.`, false);
    await this.o.deliveryLog.record([
      {
        service: 'events',
        accountId: job.accountId,
        region: job.region,
        protocol: service,
        endpoint: arn,
        source: job.ruleArn,
        payload: job.input,
        details: { eventId: job.event.id, targetId: job.target.Id ?? '' },
        recordedAt: now,
      },
    ]);
    return undefined;
  }

  private async deadLetter(job: DeliveryJob, failed: DeliveryFailure, exhausted: string | undefined, retries: number, now: number): Promise<void> {
    const log = { rule: job.ruleArn, target: job.target.Id, error: failed.code, reason: failed.message, retries };
    const dlqArn = (job.target.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
    const key = dlqArn ? parseQueueArn(dlqArn) : undefined;
    const dlq = key && (await this.o.queues.getQueue(key));
    if (!dlq) {
      this.o.logger.warn({ ...log, deadLetterQueue: dlqArn }, 'EventBridge delivery given up: event dropped');
      return;
    }
    const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      RULE_ARN: attribute(job.ruleArn),
      TARGET_ARN: attribute(job.target.Arn ?? ''),
      ERROR_CODE: attribute(failed.code),
      ERROR_MESSAGE: attribute(failed.message.slice(0, 1000)),
      RETRY_ATTEMPTS: attribute(String(retries)),
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
    };
    try {
      // The dead-letter message is the event itself, as EventBridge sent it to the bus.
      const { message } = prepareSend(
        dlq,
        {
          MessageBody: JSON.stringify(job.event),
          MessageAttributes: attributes,
          ...(dlq.fifo ? { MessageGroupId: job.ruleArn.split('/').pop()!, MessageDeduplicationId: job.event.id } : {}),
        },
        internalContext(job.accountId, job.region, job.host),
        now,
        false,
      );
      const sent = await this.o.queues.send(dlq, [message], fifoOptions(dlq));
      notifyDelivered(this.o.runtime(), [{ queue: dlq, messages: [message] }], [sent]);
      this.o.logger.info({ ...log, deadLetterQueue: dlq.name }, 'EventBridge delivery given up: event sent to the dead-letter queue');
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      this.o.logger.warn({ ...log, deadLetterQueue: dlq.name, dlqError: err.message }, 'EventBridge delivery given up: the dead-letter queue refused the event');
    }
  }
}

/**
 * Whether a bus's resource policy lets `accountId` put events to it (events:PutEvents for that account or `*`).
 * Bus policies are PutPermission's; this reads the policy document wherever the bus record keeps it.
 */
export function busPolicyAllows(bus: object, accountId: string): boolean {
  const policy = (bus as { policy?: unknown }).policy;
  if (policy === undefined) return false;
  let doc: { Statement?: unknown };
  try {
    doc = (typeof policy === 'string' ? JSON.parse(policy) : policy) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : []) as {
    Effect?: string;
    Action?: unknown;
    Principal?: unknown;
  }[];
  const applies = (s: { Action?: unknown; Principal?: unknown }) => {
    const actions = ([] as unknown[]).concat(s.Action ?? []);
    if (!actions.some((a) => a === 'events:PutEvents' || a === 'events:*' || a === '*')) return false;
    if (s.Principal === '*') return true;
    const aws = ([] as unknown[]).concat((s.Principal as { AWS?: unknown } | undefined)?.AWS ?? []);
    return aws.some((p) => p === '*' || p === accountId || p === `arn:aws:iam::${accountId}:root`);
  };
  // As in IAM: an explicit Deny wins over any Allow.
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && applies(s));
}
