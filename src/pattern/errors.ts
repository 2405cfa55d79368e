/**
 * The one error the pattern engine throws. `reason` is worded as AWS words the reason (event-ruler's messages,
 * which both EventBridge and SNS pass through); each calling service wraps it in its own error:
 *
 * - EventBridge: InvalidEventPatternException, "Event pattern is not valid. Reason: <reason>".
 * - SNS: InvalidParameter, "Invalid parameter: FilterPolicy: <reason>" (SetSubscriptionAttributes) or
 *   "Invalid parameter: Attributes Reason: FilterPolicy: <reason>" (Subscribe). A few SNS scope errors are not
 *   prefixed with "FilterPolicy: " — `snsUnprefixed` marks them.
 */
export class PatternError extends Error {
  readonly reason: string;
  readonly snsUnprefixed: boolean;

  constructor(reason: string, options: { snsUnprefixed?: boolean } = {}) {
    super(reason);
    this.name = 'PatternError';
    this.reason = reason;
    this.snsUnprefixed = options.snsUnprefixed ?? false;
  }
}

/** The message of EventBridge's InvalidEventPatternException for this error. */
export function eventBridgeMessage(error: PatternError): string {
  return `Event pattern is not valid. Reason: ${error.reason}`;
}

/** The message of SNS's InvalidParameter error for this error; `inSubscribe` for the Subscribe action's wording. */
export function snsFilterPolicyMessage(error: PatternError, inSubscribe = false): string {
  const lead = inSubscribe ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
  return error.snsUnprefixed ? `${lead}${error.reason}` : `${lead}FilterPolicy: ${error.reason}`;
}

export const fail = (reason: string, options?: { snsUnprefixed?: boolean }): never => {
  throw new PatternError(reason, options);
};
