/**
 * Deliveries to HTTP/S endpoints: jobs in an internal queue (src/delivery), committed in the same transaction as the
 * publish, Subscribe or Unsubscribe that caused them, and attempted by a DeliveryWorker. A job is one POST, retried
 * under the subscription's effective delivery policy (policy.ts); a notification whose retries run out, or that
 * fails for good, goes to the subscription's dead-letter queue when it has a RedrivePolicy.
 *
 * Each POST carries AWS's headers (https://docs.aws.amazon.com/sns/latest/dg/http-header.html): x-amz-sns-message-type,
 * x-amz-sns-message-id (the same on every retry), x-amz-sns-topic-arn, x-amz-sns-subscription-arn (not on a
 * SubscriptionConfirmation), x-amz-sns-rawdelivery for raw deliveries, Content-Type from the delivery policy
 * (default `text/plain; charset=UTF-8`) and SNS's User-Agent.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { AwsError } from '../../core/errors.js';
import type { CallContext } from '../../core/service.js';
import { internalQueue, jobMessage } from '../../delivery/internal-queue.js';
import { DeliveryWorker, type AttemptOutcome, type JobContext } from '../../delivery/worker.js';
import { fifoOptions, prepareSend } from '../../sqs/send.js';
import type { QueueRecord, Store } from '../../store/contract.js';
import type { FanoutDelivery, SnsStore, SubscriptionRecord } from '../../store/sns-contract.js';
import { sqsAttributes } from '../message-attributes.js';
import type { MessageAttributeMap } from '../types.js';
import { deadLetterQueueOf } from './dead-letter.js';
import { endpointForLog } from './endpoints.js';
import { classifyStatus, effectiveHttpPolicy, HTTP_TIMEOUT_MS, jitteredDelayMs, retryDelayMs } from './policy.js';

export type HttpMessageType = 'SubscriptionConfirmation' | 'Notification' | 'UnsubscribeConfirmation';

/** One POST to make: the body is rendered (and signed) when the job is created, so every retry sends the same. */
export interface HttpJob {
  readonly type: HttpMessageType;
  readonly subscriptionArn: string;
  readonly topicArn: string;
  readonly endpoint: string;
  readonly messageId: string;
  readonly body: string;
  /** RawMessageDelivery: the body is the bare message. */
  readonly raw?: boolean;
  /** The published message attributes (a raw message keeps them when it is dead-lettered). */
  readonly attributes?: MessageAttributeMap;
  /** UnsubscribeConfirmation: the deleted subscription's DeliveryPolicy (there is no subscription to read it from). */
  readonly deliveryPolicy?: string;
}

/** The internal queue's name. */
const QUEUE_NAME = 'sns-http-deliveries';
const USER_AGENT = 'Amazon Simple Notification Service Agent';
/** Longer than an attempt can take (the 15-second request timeout and the store's reads), so no job runs twice. */
const ATTEMPT_TIMEOUT_MS = 60_000;

export interface HttpDeliveriesOptions {
  readonly queues: Store;
  readonly sns: SnsStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The region whose internal queue holds the jobs (the server's default). */
  readonly region: string;
  /** Wakes the long polls of a dead-letter queue written to. */
  readonly notifyQueue: (queueId: number) => void;
  /** Uniform in [0, 1): how much jitter takes off each retry's delay (policy.ts). Default Math.random; tests fix it. */
  readonly random?: () => number;
}

type PostResult = { readonly outcome: 'delivered' | 'retry' | 'failed' | 'abandoned'; readonly reason: string };
const ABANDONED: PostResult = { outcome: 'abandoned', reason: 'Postbox is stopping' };

export class HttpDeliveries {
  private queueRecord: Promise<QueueRecord> | undefined;
  private readonly worker: DeliveryWorker<HttpJob>;
  /** Per subscription, the earliest time its next delivery may start (throttlePolicy.maxReceivesPerSecond). */
  private readonly nextSlot = new Map<string, number>();
  /**
   * Aborted by `stop`: POSTs awaiting their status are abandoned (and any the attempts in progress would still
   * start are not made), so that shutting down never waits for a slow endpoint. A new one on each start.
   */
  private abort = new AbortController();
  private stopping = false;

  constructor(private readonly o: HttpDeliveriesOptions) {
    this.worker = new DeliveryWorker<HttpJob>({
      store: o.queues,
      clock: o.clock,
      logger: o.logger,
      queue: () => this.queue(),
      attempt: (job, ctx) => this.attempt(job, ctx),
      attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
    });
  }

  /** The internal queue, created on first use. */
  queue(): Promise<QueueRecord> {
    this.queueRecord ??= internalQueue(this.o.queues, this.o.region, QUEUE_NAME, this.o.clock.now()).catch((err: unknown) => {
      this.queueRecord = undefined;
      throw err;
    });
    return this.queueRecord;
  }

  /** The jobs as one delivery into the internal queue, for the caller's transaction. */
  static enqueue(queue: QueueRecord, jobs: readonly HttpJob[], now: number): FanoutDelivery {
    return { queue, messages: jobs.map((job) => jobMessage(job, now)) };
  }

  start(): void {
    this.stopping = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.worker.start();
  }

  /** Call after committing jobs: the worker looks at once. */
  kick(): void {
    this.worker.kick();
  }

  stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    return this.worker.stop();
  }

  private async attempt(job: HttpJob, ctx: JobContext): Promise<AttemptOutcome> {
    let subscription: SubscriptionRecord | undefined;
    let subscriptionPolicy = job.deliveryPolicy;
    if (job.type !== 'UnsubscribeConfirmation') {
      subscription = await this.o.sns.getSubscription(job.subscriptionArn, this.o.clock.now());
      // Unsubscribed (or lapsed unconfirmed) meanwhile: SNS stops delivering. A confirmation request is moot once
      // confirmed, and a notification for a subscription not (or no longer) confirmed is not sent.
      if (!subscription) return { kind: 'done' };
      if (job.type === 'SubscriptionConfirmation' && !subscription.pendingConfirmation) return { kind: 'done' };
      if (job.type === 'Notification' && subscription.pendingConfirmation) return { kind: 'done' };
      subscriptionPolicy = subscription.attributes['DeliveryPolicy'];
    }
    const topic = await this.o.sns.getTopic(job.topicArn);
    const policy = effectiveHttpPolicy(topic?.attributes['DeliveryPolicy'], subscriptionPolicy);

    if (policy.maxReceivesPerSecond !== undefined) {
      // Throttled: the job comes back at the subscription's next free slot, not counted as an attempt, and the
      // worker's slot goes to another job meanwhile.
      const slot = this.throttle(job.subscriptionArn, policy.maxReceivesPerSecond);
      if (slot !== undefined) return { kind: 'defer', at: slot };
    }

    let result: PostResult;
    try {
      result = await this.post(job, policy.contentType);
    } catch (err) {
      // post() is meant never to throw; should it, the attempt is an ordinary failure under the policy, not a job
      // left hidden to throw again every attempt timeout for the queue's whole retention.
      result = { outcome: 'retry', reason: `delivery attempt threw: ${(err as Error).message}` };
    }
    const now = this.o.clock.now();
    if (result.outcome === 'delivered') return { kind: 'done' };
    // Cut short by a shutdown: not the endpoint's failure; the next start tries again at once.
    if (result.outcome === 'abandoned') return { kind: 'defer', at: now };
    const retriesDone = ctx.attempt - 1;
    if (result.outcome === 'retry' && retriesDone < policy.retry.numRetries) {
      this.o.logger.debug({ subscription: job.subscriptionArn, attempt: ctx.attempt, reason: result.reason }, 'SNS HTTP delivery will be retried');
      // The retry's place in the policy's schedule, less jitter: AWS jitters its retries (policy.ts, JITTER_SHARE).
      const delay = retryDelayMs(policy.retry, retriesDone + 1);
      return { kind: 'retry', at: now + (delay === 0 ? 0 : jitteredDelayMs(delay, (this.o.random ?? Math.random)())) };
    }
    this.o.logger.warn(
      { subscription: job.subscriptionArn, endpoint: endpointForLog(job.endpoint), type: job.type, attempts: ctx.attempt, reason: result.reason },
      'SNS HTTP delivery failed',
    );
    if (job.type === 'Notification' && subscription) await this.deadLetter(subscription, job, now);
    return { kind: 'done' };
  }

  /**
   * Takes the subscription's delivery slot (throttlePolicy.maxReceivesPerSecond) if it is free now; else answers
   * when it will be, without taking it (the deferred job competes for it again then).
   */
  private throttle(subscriptionArn: string, perSecond: number): number | undefined {
    const now = this.o.clock.now();
    const next = this.nextSlot.get(subscriptionArn) ?? 0;
    if (next > now) return next;
    this.nextSlot.set(subscriptionArn, now + 1000 / perSecond);
    return undefined;
  }

  /**
   * One POST with AWS's headers and request timeout (on the injected clock). Never throws. The outcome is known as
   * soon as the status line arrives: the body of the answer is drained separately and counts for nothing, so a 200
   * whose body is slow (or never ends) is delivered, not retried. `stop` abandons a POST only while its status is
   * still awaited — through the abort signal, which also covers a POST that starts after `stop`.
   */
  private post(job: HttpJob, contentType: string): Promise<PostResult> {
    const signal = this.abort.signal;
    if (this.stopping || signal.aborted) return Promise.resolve(ABANDONED);
    let url: URL;
    try {
      url = new URL(job.endpoint);
    } catch {
      return Promise.resolve({ outcome: 'failed', reason: 'invalid endpoint URL' });
    }
    const headers: Record<string, string | number> = {
      'x-amz-sns-message-type': job.type,
      'x-amz-sns-message-id': job.messageId,
      'x-amz-sns-topic-arn': job.topicArn,
      'content-type': contentType,
      'content-length': Buffer.byteLength(job.body, 'utf8'),
      'user-agent': USER_AGENT,
    };
    if (job.type !== 'SubscriptionConfirmation') headers['x-amz-sns-subscription-arn'] = job.subscriptionArn;
    if (job.raw) headers['x-amz-sns-rawdelivery'] = 'true';
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostResult>((resolve) => {
      let settled = false;
      let cancelTimer = () => {};
      const finish = (r: PostResult) => {
        if (settled) return;
        settled = true;
        cancelTimer();
        resolve(r);
      };
      let req: ClientRequest;
      try {
        req = request(url, { method: 'POST', headers, agent: false, signal }, (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          finish({ outcome: classifyStatus(status), reason: `HTTP ${status}` });
          // Drained for the socket's sake only; an answer whose body never ends is cut off after the timeout.
          res.on('error', () => {});
          res.resume();
          const cancelDrain = this.o.clock.setTimer(HTTP_TIMEOUT_MS, () => req.destroy());
          res.on('close', cancelDrain);
        });
      } catch (err) {
        // node:http refuses a header it cannot send (a DeliveryPolicy stored before its Content-Type was checked
        // in full): no retry can fix the request, so it fails for good.
        resolve({ outcome: 'failed', reason: `request not sent: ${(err as Error).message}` });
        return;
      }
      cancelTimer = this.o.clock.setTimer(HTTP_TIMEOUT_MS, () => {
        finish({ outcome: 'retry', reason: `no response within ${HTTP_TIMEOUT_MS / 1000} seconds` });
        req.destroy();
      });
      // Aborted by stop(): the request errors with an AbortError, which is a shutdown, not the endpoint's failure.
      req.on('error', (err) => finish(signal.aborted ? ABANDONED : { outcome: 'retry', reason: err.message }));
      req.end(job.body);
    });
  }

  /**
   * A notification that could not be delivered goes to the subscription's dead-letter queue
   * (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html) as it would have been delivered: the
   * envelope, or the raw message with its attributes. Without a RedrivePolicy (or with its queue gone) it is dropped.
   */
  private async deadLetter(subscription: SubscriptionRecord, job: HttpJob, now: number): Promise<void> {
    if (!subscription.attributes['RedrivePolicy']) return;
    const queue = await deadLetterQueueOf(this.o.queues, subscription);
    if (!queue) {
      this.o.logger.warn({ subscription: subscription.arn }, 'SNS dead-letter queue does not exist; message dropped');
      return;
    }
    const ctx: CallContext = {
      requestId: job.messageId,
      region: subscription.region,
      accountId: subscription.accountId,
      host: '',
      path: '/',
      protocol: 'query',
      accessKeyId: undefined,
    };
    try {
      const sent = prepareSend(
        queue,
        {
          MessageBody: job.body,
          ...(job.raw && job.attributes ? { MessageAttributes: sqsAttributes(job.attributes) } : {}),
          ...(queue.fifo ? { MessageGroupId: subscription.arn, MessageDeduplicationId: job.messageId } : {}),
        },
        ctx,
        now,
        false,
      );
      const fifo = fifoOptions(queue);
      await this.o.queues.send(queue, [sent.message], fifo);
      this.o.notifyQueue(queue.id);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      this.o.logger.warn({ subscription: subscription.arn, reason: err.message }, 'SNS dead-letter queue refused the message');
    }
  }
}
