/**
 * SQS action inputs and outputs, named and shaped as AWS's model names them. The wire codecs have already checked
 * member types against the model; values the model leaves open (ranges, names) are checked by the actions.
 */
import type { MessageAttributeValue } from './md5.js';

export type { MessageAttributeValue };
export type MessageAttributeMap = Record<string, MessageAttributeValue>;
export type AttributeMap = Record<string, string>;

export interface QueueUrlInput {
  QueueUrl?: string;
}

export interface CreateQueueInput {
  QueueName?: string;
  Attributes?: AttributeMap;
  tags?: Record<string, string>;
}
export interface GetQueueUrlInput {
  QueueName?: string;
  QueueOwnerAWSAccountId?: string;
}
export interface ListQueuesInput {
  QueueNamePrefix?: string;
  NextToken?: string;
  MaxResults?: number;
}
export interface GetQueueAttributesInput extends QueueUrlInput {
  AttributeNames?: string[];
}
export interface SetQueueAttributesInput extends QueueUrlInput {
  Attributes?: AttributeMap;
}

export interface SendMessageInput extends QueueUrlInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: MessageAttributeMap;
  MessageSystemAttributes?: MessageAttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}
export interface SendMessageBatchRequestEntry extends Omit<SendMessageInput, 'QueueUrl'> {
  Id?: string;
}
export interface SendMessageBatchInput extends QueueUrlInput {
  Entries?: SendMessageBatchRequestEntry[];
}
export interface SendMessageResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

export interface ReceiveMessageInput extends QueueUrlInput {
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  ReceiveRequestAttemptId?: string;
}
export interface Message {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: MessageAttributeMap;
}

export interface DeleteMessageInput extends QueueUrlInput {
  ReceiptHandle?: string;
}
export interface ChangeMessageVisibilityInput extends QueueUrlInput {
  ReceiptHandle?: string;
  VisibilityTimeout?: number;
}
export interface BatchEntry {
  Id?: string;
  ReceiptHandle?: string;
  VisibilityTimeout?: number;
}
export interface BatchInput extends QueueUrlInput {
  Entries?: BatchEntry[];
}
export interface BatchResultErrorEntry {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message?: string;
}

export interface TagQueueInput extends QueueUrlInput {
  Tags?: Record<string, string>;
}
export interface UntagQueueInput extends QueueUrlInput {
  TagKeys?: string[];
}
export interface ListDeadLetterSourceQueuesInput extends QueueUrlInput {
  NextToken?: string;
  MaxResults?: number;
}
export interface AddPermissionInput extends QueueUrlInput {
  Label?: string;
  AWSAccountIds?: string[];
  Actions?: string[];
}
export interface RemovePermissionInput extends QueueUrlInput {
  Label?: string;
}
export interface StartMessageMoveTaskInput {
  SourceArn?: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
}
export interface CancelMessageMoveTaskInput {
  TaskHandle?: string;
}
export interface ListMessageMoveTasksInput {
  SourceArn?: string;
  MaxResults?: number;
}
