/**
 * The JSON document SNS delivers to subscribers that do not ask for raw delivery
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html): members in AWS's order, Subject
 * only when the publish had one, SequenceNumber only from FIFO topics, MessageAttributes only when there are any.
 * AWS lays the document out one member per line with " : " between name and value, and so do we, so that
 * consumers that compare bodies byte for byte see what they would see from AWS.
 */
export interface Notification {
  readonly Type: 'Notification';
  readonly MessageId: string;
  readonly SequenceNumber?: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion?: string;
  readonly Signature?: string;
  readonly SigningCertURL?: string;
  readonly UnsubscribeURL: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

const ORDER: (keyof Notification)[] = [
  'Type',
  'MessageId',
  'SequenceNumber',
  'TopicArn',
  'Subject',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
  'UnsubscribeURL',
];

export function renderNotification(n: Notification): string {
  const lines: string[] = [];
  for (const key of ORDER) {
    const v = n[key];
    if (v !== undefined) lines.push(`  ${JSON.stringify(key)} : ${JSON.stringify(v)}`);
  }
  if (n.MessageAttributes && Object.keys(n.MessageAttributes).length) {
    const attrs = Object.entries(n.MessageAttributes).map(([k, v]) => `    ${JSON.stringify(k)} : ${JSON.stringify({ Type: v.Type, Value: v.Value })}`);
    lines.push(`  "MessageAttributes" : {\n${attrs.join(',\n')}\n  }`);
  }
  return `{\n${lines.join(',\n')}\n}`;
}
