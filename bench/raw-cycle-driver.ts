// Cycle driver on a bare JSON-protocol transport: the SendMessageBatch and
// ReceiveMessage bodies are serialised once; only DeleteMessageBatch (whose
// receipt handles change every time) is assembled per call, by concatenation.
import { outcomeOf, type BatchOutcome, type BatchResultEntry, type CycleDriver } from './cycle-driver.js';
import { JsonProtocolError, type JsonProtocolClient, type PreparedRequest } from './json-protocol.js';
import { BATCH_SIZE, ENTRY_IDS } from './workload.js';

interface BatchResponse {
  Successful?: unknown[];
  Failed?: BatchResultEntry[];
}

interface ReceiveResponse {
  Messages?: Array<{ ReceiptHandle?: string }>;
}

export class RawCycleDriver implements CycleDriver {
  private readonly sendRequest: PreparedRequest;
  private readonly receiveRequest: PreparedRequest;
  private readonly deleteRequest: PreparedRequest;
  private readonly deleteBodyHead: string;

  constructor(
    private readonly client: JsonProtocolClient,
    queueUrl: string,
    messageBody: string,
    waitTimeSeconds: number,
  ) {
    this.sendRequest = client.prepare('SendMessageBatch', {
      QueueUrl: queueUrl,
      Entries: ENTRY_IDS.map((Id) => ({ Id, MessageBody: messageBody })),
    });
    this.receiveRequest = client.prepare('ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: BATCH_SIZE,
      WaitTimeSeconds: waitTimeSeconds,
    });
    this.deleteRequest = client.prepare('DeleteMessageBatch');
    this.deleteBodyHead = `{"QueueUrl":${JSON.stringify(queueUrl)},"Entries":[`;
  }

  async sendBatch(): Promise<BatchOutcome> {
    const response = await this.client.send(this.sendRequest);
    if (response.status !== 200) throw new JsonProtocolError('SendMessageBatch', response.status, response.body);
    const parsed = JSON.parse(response.body) as BatchResponse;
    return outcomeOf(parsed.Successful, parsed.Failed);
  }

  async receive(): Promise<string[]> {
    const response = await this.client.send(this.receiveRequest);
    if (response.status !== 200) throw new JsonProtocolError('ReceiveMessage', response.status, response.body);
    const parsed = JSON.parse(response.body) as ReceiveResponse;
    const handles: string[] = [];
    for (const message of parsed.Messages ?? []) {
      if (typeof message.ReceiptHandle === 'string') handles.push(message.ReceiptHandle);
    }
    return handles;
  }

  async deleteBatch(receiptHandles: readonly string[]): Promise<BatchOutcome> {
    let body = this.deleteBodyHead;
    for (let i = 0; i < receiptHandles.length; i++) {
      if (i > 0) body += ',';
      body += `{"Id":"${i}","ReceiptHandle":${JSON.stringify(receiptHandles[i])}}`;
    }
    body += ']}';
    const response = await this.client.sendWithBody(this.deleteRequest, body);
    if (response.status !== 200) throw new JsonProtocolError('DeleteMessageBatch', response.status, response.body);
    const parsed = JSON.parse(response.body) as BatchResponse;
    return outcomeOf(parsed.Successful, parsed.Failed);
  }

  close(): void {
    this.client.close();
  }
}
