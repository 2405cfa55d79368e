/** Wire shapes of the EventBridge actions Postbox implements, named as AWS names them (AWS JSON 1.1). */
export interface Tag {
  Key: string;
  Value: string;
}

export interface DeadLetterConfig {
  Arn?: string;
}

export interface CreateEventBusRequest {
  Name?: string;
  EventSourceName?: string;
  Description?: string;
  KmsKeyIdentifier?: string;
  DeadLetterConfig?: DeadLetterConfig;
  Tags?: Tag[];
}

export interface UpdateEventBusRequest {
  Name?: string;
  KmsKeyIdentifier?: string;
  Description?: string;
  DeadLetterConfig?: DeadLetterConfig;
}

export interface ListRequest {
  NamePrefix?: string;
  EventBusName?: string;
  NextToken?: string;
  Limit?: number;
}

export interface PutRuleRequest {
  Name?: string;
  ScheduleExpression?: string;
  EventPattern?: string;
  State?: string;
  Description?: string;
  RoleArn?: string;
  Tags?: Tag[];
  EventBusName?: string;
}

export interface RuleRequest {
  Name?: string;
  EventBusName?: string;
}

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate?: string;
}

/** A rule target as sent; only the members Postbox reads are typed, the rest are stored and returned as given. */
export interface Target {
  Id?: string;
  Arn?: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  SqsParameters?: { MessageGroupId?: string };
  [member: string]: unknown;
}

export interface PutTargetsRequest {
  Rule?: string;
  EventBusName?: string;
  Targets?: Target[];
}

export interface RemoveTargetsRequest {
  Rule?: string;
  EventBusName?: string;
  Ids?: string[];
  Force?: boolean;
}

export interface TargetFailure {
  TargetId?: string;
  ErrorCode: string;
  ErrorMessage: string;
}

export interface PutEventsRequestEntry {
  /** Epoch seconds on the JSON wire (or an ISO string from hand-written clients). */
  Time?: number | string;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  TraceHeader?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}
