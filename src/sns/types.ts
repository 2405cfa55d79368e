/**
 * SNS action inputs and outputs, named and shaped as AWS's model names them. The Query codec has already checked
 * member types against the model; values the model leaves open are checked by the actions.
 */
export type AttributeMap = Record<string, string>;
export interface Tag {
  Key?: string;
  Value?: string;
}

/** As Publish takes it; BinaryValue arrives base64-encoded (the model's blob). */
export interface MessageAttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
}
export type MessageAttributeMap = Record<string, MessageAttributeValue>;

export interface CreateTopicInput {
  Name?: string;
  Attributes?: AttributeMap;
  Tags?: Tag[];
  DataProtectionPolicy?: string;
}
export interface TopicArnInput {
  TopicArn?: string;
}
export interface SetTopicAttributesInput extends TopicArnInput {
  AttributeName?: string;
  AttributeValue?: string;
}
export interface ListInput {
  NextToken?: string;
}
export interface ListSubscriptionsByTopicInput extends TopicArnInput, ListInput {}

export interface SubscribeInput extends TopicArnInput {
  Protocol?: string;
  Endpoint?: string;
  Attributes?: AttributeMap;
  ReturnSubscriptionArn?: boolean;
}
export interface ConfirmSubscriptionInput extends TopicArnInput {
  Token?: string;
  AuthenticateOnUnsubscribe?: string;
}
export interface SubscriptionArnInput {
  SubscriptionArn?: string;
}
export interface SetSubscriptionAttributesInput extends SubscriptionArnInput {
  AttributeName?: string;
  AttributeValue?: string;
}

export interface PublishInput extends TopicArnInput {
  TargetArn?: string;
  PhoneNumber?: string;
  Message?: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: MessageAttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}
export interface PublishBatchRequestEntry {
  Id?: string;
  Message?: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: MessageAttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}
export interface PublishBatchInput extends TopicArnInput {
  PublishBatchRequestEntries?: PublishBatchRequestEntry[];
}
export interface BatchResultErrorEntry {
  Id: string;
  Code: string;
  Message?: string;
  SenderFault: boolean;
}

export interface ResourceArnInput {
  ResourceArn?: string;
}
export interface TagResourceInput extends ResourceArnInput {
  Tags?: Tag[];
}
export interface UntagResourceInput extends ResourceArnInput {
  TagKeys?: string[];
}
export interface AddPermissionInput extends TopicArnInput {
  Label?: string;
  AWSAccountId?: string[];
  ActionName?: string[];
}
export interface RemovePermissionInput extends TopicArnInput {
  Label?: string;
}
export interface PutDataProtectionPolicyInput extends ResourceArnInput {
  DataProtectionPolicy?: string;
}
