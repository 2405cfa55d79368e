// Cycle driver on the real @aws-sdk/client-sqs (JSON protocol, SigV4 signing,
// MD5 validation and all) over a keep-alive agent: the figure users will see.
import http from 'node:http';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { outcomeOf, type BatchOutcome, type CycleDriver } from './cycle-driver.js';
import { BATCH_SIZE, ENTRY_IDS } from './workload.js';

export class SdkCycleDriver implements CycleDriver {
  private readonly sqs: SQSClient;
  private readonly agent: http.Agent;
  private readonly entries: SendMessageBatchRequestEntry[];

  constructor(
    endpoint: string,
    private readonly queueUrl: string,
    messageBody: string,
    private readonly waitTimeSeconds: number,
    maxSockets: number,
    requestTimeoutMs: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.sqs = new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      // Retries would hide server errors and distort per-call latency.
      maxAttempts: 1,
      // Talk to the endpoint given (127.0.0.1), not to the host inside the QueueUrl.
      useQueueUrlAsEndpoint: false,
      requestHandler: { httpAgent: this.agent, requestTimeout: requestTimeoutMs },
    });
    this.entries = ENTRY_IDS.map((Id) => ({ Id, MessageBody: messageBody }));
  }

  async sendBatch(): Promise<BatchOutcome> {
    const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: this.entries }));
    return outcomeOf(out.Successful, out.Failed);
  }

  async receive(): Promise<string[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: BATCH_SIZE,
        WaitTimeSeconds: this.waitTimeSeconds,
      }),
    );
    const handles: string[] = [];
    for (const message of out.Messages ?? []) {
      if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
    }
    return handles;
  }

  async deleteBatch(receiptHandles: readonly string[]): Promise<BatchOutcome> {
    const out = await this.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: receiptHandles.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
      }),
    );
    return outcomeOf(out.Successful, out.Failed);
  }

  close(): void {
    this.sqs.destroy();
    this.agent.destroy();
  }
}
