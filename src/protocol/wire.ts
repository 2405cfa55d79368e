import type { AwsError } from '../core/errors.js';
import type { ServiceModel } from './shapes.js';
import { escapeXml, writeMembers } from './xml.js';

/** What a service contributes to the wire layer: its model and the names its protocols use. */
export interface WireService {
  /** The SigV4 signing name (`sqs`, `sts`…), also used to tell Query requests apart. */
  readonly signingName: string;
  readonly model: ServiceModel;
  /** Prefix of `__type` in AWS JSON errors, e.g. `com.amazonaws.sqs`. */
  readonly jsonNamespace?: string;
  /** `1.0` or `1.1`: the `application/x-amz-json-*` content type this service answers with. */
  readonly jsonVersion?: string;
  /** Services whose AWS JSON errors also carry `x-amzn-query-error` (SQS: the Smithy `awsQueryCompatible` trait). */
  readonly queryCompatible?: boolean;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The content types of the two AWS JSON versions, built once rather than per response. */
const JSON_1_0 = 'application/x-amz-json-1.0';
const JSON_1_1 = 'application/x-amz-json-1.1';
const jsonContentType = (version: string | undefined): string =>
  version === undefined || version === '1.0' ? JSON_1_0 : version === '1.1' ? JSON_1_1 : `application/x-amz-json-${version}`;

export function jsonResult(service: WireService, requestId: string, output: unknown): WireResponse {
  return {
    status: 200,
    headers: {
      'content-type': jsonContentType(service.jsonVersion),
      'x-amzn-requestid': requestId,
    },
    body: output === undefined ? '{}' : JSON.stringify(output),
  };
}

export function jsonError(service: WireService, requestId: string, error: AwsError): WireResponse {
  const headers: Record<string, string> = {
    'content-type': jsonContentType(service.jsonVersion),
    'x-amzn-requestid': requestId,
  };
  // SDKs of query-compatible services read the Query-era error code from this header.
  if (service.queryCompatible) headers['x-amzn-query-error'] = `${error.kind.queryCode};${error.kind.fault}`;
  const type = service.jsonNamespace ? `${service.jsonNamespace}#${error.kind.code}` : error.kind.code;
  return { status: error.kind.status, headers, body: JSON.stringify({ __type: type, message: error.message }) };
}

export function queryResult(service: WireService, action: string, requestId: string, output: unknown): WireResponse {
  const op = service.model.operations[action];
  const ns = service.model.xmlNamespace;
  const out: string[] = [`<?xml version="1.0"?><${action}Response xmlns="${ns}">`];
  if (op?.output && output && typeof output === 'object') {
    const wrapper = op.resultWrapper ?? `${action}Result`;
    out.push(`<${wrapper}>`);
    writeMembers(op.output, output as Record<string, unknown>, out);
    out.push(`</${wrapper}>`);
  }
  out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: out.join('') };
}

export function queryError(service: WireService | undefined, requestId: string, error: AwsError): WireResponse {
  const ns = service?.model.xmlNamespace;
  const body =
    `<?xml version="1.0"?><ErrorResponse${ns ? ` xmlns="${ns}"` : ''}><Error><Type>${error.kind.fault}</Type>` +
    `<Code>${escapeXml(error.kind.queryCode)}</Code><Message>${escapeXml(error.queryMessage ?? error.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.kind.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}
