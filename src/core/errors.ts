/**
 * The one catalog of errors Postbox can answer with. Each entry names the error as AWS's JSON protocol does
 * (`code`, rendered as `__type`), as the Query protocol does (`queryCode`, the XML `<Code>` and the
 * `x-amzn-query-error` header that SDKs read), its HTTP status and whose fault it is. Both wire codecs render
 * these in one place each; actions only ever throw `AwsError`.
 *
 * SQS codes, statuses and query codes match the `awsQueryError` traits of AWS's SQS Smithy model.
 */
export type Fault = 'Sender' | 'Receiver';

export interface ErrorKind {
  readonly code: string;
  readonly queryCode: string;
  readonly status: number;
  readonly fault: Fault;
}

const kind = (code: string, status = 400, queryCode = code, fault: Fault = 'Sender'): ErrorKind => ({
  code,
  queryCode,
  status,
  fault,
});

export const Errors = {
  // Errors common to AWS services.
  AccessDenied: kind('AccessDenied', 403),
  InternalFailure: kind('InternalFailure', 500, 'InternalFailure', 'Receiver'),
  // AWS common error: "The request has failed due to a temporary failure of the server." SDKs retry 503s.
  ServiceUnavailable: kind('ServiceUnavailable', 503, 'ServiceUnavailable', 'Receiver'),
  InvalidAction: kind('InvalidAction', 400),
  UnknownOperation: kind('UnknownOperationException', 400),
  // Not modeled by SQS: AWS answers JSON clients with the Coral exception name and Query clients with the short code.
  InvalidParameterValue: kind('InvalidParameterValueException', 400, 'InvalidParameterValue'),
  InvalidParameterCombination: kind('InvalidParameterCombination', 400),
  MissingParameter: kind('MissingRequiredParameterException', 400, 'MissingParameter'),
  MissingAction: kind('MissingAction', 400),
  MalformedQueryString: kind('MalformedQueryString', 404),
  SerializationException: kind('SerializationException', 400),
  ValidationError: kind('ValidationError', 400),
  InvalidClientTokenId: kind('InvalidClientTokenId', 403),
  RequestEntityTooLarge: kind('RequestEntityTooLarge', 413),
  NotFound: kind('NotFound', 404),

  // Amazon SQS.
  BatchEntryIdsNotDistinct: kind('BatchEntryIdsNotDistinct', 400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'),
  BatchRequestTooLong: kind('BatchRequestTooLong', 400, 'AWS.SimpleQueueService.BatchRequestTooLong'),
  EmptyBatchRequest: kind('EmptyBatchRequest', 400, 'AWS.SimpleQueueService.EmptyBatchRequest'),
  InvalidAddress: kind('InvalidAddress', 404),
  InvalidAttributeName: kind('InvalidAttributeName', 400),
  InvalidAttributeValue: kind('InvalidAttributeValue', 400),
  InvalidBatchEntryId: kind('InvalidBatchEntryId', 400, 'AWS.SimpleQueueService.InvalidBatchEntryId'),
  InvalidIdFormat: kind('InvalidIdFormat', 400),
  InvalidMessageContents: kind('InvalidMessageContents', 400),
  InvalidSecurity: kind('InvalidSecurity', 403),
  MessageNotInflight: kind('MessageNotInflight', 400, 'AWS.SimpleQueueService.MessageNotInflight'),
  OverLimit: kind('OverLimit', 403),
  PurgeQueueInProgress: kind('PurgeQueueInProgress', 403, 'AWS.SimpleQueueService.PurgeQueueInProgress'),
  QueueDeletedRecently: kind('QueueDeletedRecently', 400, 'AWS.SimpleQueueService.QueueDeletedRecently'),
  QueueDoesNotExist: kind('QueueDoesNotExist', 400, 'AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: kind('QueueNameExists', 400, 'QueueAlreadyExists'),
  ReceiptHandleIsInvalid: kind('ReceiptHandleIsInvalid', 404),
  RequestThrottled: kind('RequestThrottled', 403),
  ResourceNotFoundException: kind('ResourceNotFoundException', 404),
  TooManyEntriesInBatchRequest: kind(
    'TooManyEntriesInBatchRequest',
    400,
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  ),
  UnsupportedOperation: kind('UnsupportedOperation', 400, 'AWS.SimpleQueueService.UnsupportedOperation'),

  // Amazon SNS: exception names and `awsQueryError` codes/statuses as AWS's SNS model declares them. SNS speaks
  // only the Query protocol, so where an exception name is taken by another service's kind the code is the
  // query code (codes stay unique; SDKs read the query code).
  SnsAuthorizationError: kind('AuthorizationErrorException', 403, 'AuthorizationError'),
  SnsBatchEntryIdsNotDistinct: kind('BatchEntryIdsNotDistinctException', 400, 'BatchEntryIdsNotDistinct'),
  SnsBatchRequestTooLong: kind('BatchRequestTooLongException', 400, 'BatchRequestTooLong'),
  SnsEmptyBatchRequest: kind('EmptyBatchRequestException', 400, 'EmptyBatchRequest'),
  SnsFilterPolicyLimitExceeded: kind('FilterPolicyLimitExceededException', 403, 'FilterPolicyLimitExceeded'),
  SnsInternalError: kind('InternalErrorException', 500, 'InternalError', 'Receiver'),
  SnsInvalidBatchEntryId: kind('InvalidBatchEntryIdException', 400, 'InvalidBatchEntryId'),
  SnsInvalidParameter: kind('InvalidParameterException', 400, 'InvalidParameter'),
  SnsInvalidParameterValue: kind('ParameterValueInvalid', 400, 'ParameterValueInvalid'),
  SnsNotFound: kind('NotFoundException', 404, 'NotFound'),
  SnsResourceNotFound: kind('ResourceNotFound', 404, 'ResourceNotFound'),
  SnsSubscriptionLimitExceeded: kind('SubscriptionLimitExceededException', 403, 'SubscriptionLimitExceeded'),
  SnsTagLimitExceeded: kind('TagLimitExceededException', 400, 'TagLimitExceeded'),
  SnsTagPolicy: kind('TagPolicyException', 400, 'TagPolicy'),
  SnsTooManyEntriesInBatchRequest: kind('TooManyEntriesInBatchRequestException', 400, 'TooManyEntriesInBatchRequest'),
  // SNS mobile push and SMS (declared by Publish, CreateSMSSandboxPhoneNumber, VerifySMSSandboxPhoneNumber,
  // ListOriginationNumbers). VerificationException has no awsQueryError trait: its code is its name. SNS's
  // ValidationException (400) is the same kind as EventBridge's, EventsValidation below.
  SnsEndpointDisabled: kind('EndpointDisabledException', 400, 'EndpointDisabled'),
  SnsPlatformApplicationDisabled: kind('PlatformApplicationDisabledException', 400, 'PlatformApplicationDisabled'),
  SnsOptedOut: kind('OptedOutException', 400, 'OptedOut'),
  SnsUserError: kind('UserErrorException', 400, 'UserError'),
  SnsVerification: kind('VerificationException', 400),
  // Amazon EventBridge (AWS JSON 1.1; `__type` is the bare exception name). Its ResourceNotFoundException has the
  // same name as SQS's but AWS answers it with 400, not 404.
  EventsResourceNotFound: kind('ResourceNotFoundException', 400),
  EventsConcurrentModification: kind('ConcurrentModificationException', 400),
  EventsIllegalStatus: kind('IllegalStatusException', 400),
  EventsInternal: kind('InternalException', 500, 'InternalException', 'Receiver'),
  EventsInvalidEventPattern: kind('InvalidEventPatternException', 400),
  EventsInvalidState: kind('InvalidStateException', 400),
  EventsLimitExceeded: kind('LimitExceededException', 400),
  EventsManagedRule: kind('ManagedRuleException', 400),
  EventsOperationDisabled: kind('OperationDisabledException', 400),
  EventsPolicyLengthExceeded: kind('PolicyLengthExceededException', 400),
  EventsResourceAlreadyExists: kind('ResourceAlreadyExistsException', 400),
  EventsValidation: kind('ValidationException', 400),
} as const satisfies Record<string, ErrorKind>;

export type ErrorName = keyof typeof Errors;

export class AwsError extends Error {
  readonly kind: ErrorKind;
  /** Where AWS words the same error differently over the Query protocol. */
  readonly queryMessage: string | undefined;

  constructor(kind: ErrorKind | ErrorName, message: string, queryMessage?: string) {
    super(message);
    this.kind = typeof kind === 'string' ? Errors[kind] : kind;
    this.name = this.kind.code;
    this.queryMessage = queryMessage;
  }
}

/** Shorthand for the commonest validation error, worded as AWS words it. */
export function invalidParameter(name: string, value: unknown, reason: string): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`,
  );
}

export function missingParameter(name: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${name}.`);
}
