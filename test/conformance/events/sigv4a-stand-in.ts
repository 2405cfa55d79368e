import { createHmac } from 'node:crypto';
import { signatureV4aContainer } from '@smithy/signature-v4';

/**
 * The SDK signs PutEvents with an EndpointId with SigV4a, which needs @aws-sdk/signature-v4a (or the CRT), not
 * installed here. This stand-in registers where the SDK looks for it and writes SigV4a's headers
 * (AWS4-ECDSA-P256-SHA256, a region-less credential scope, X-Amz-Region-Set). Postbox routes by the scope and
 * does not verify signatures, so the value of Signature does not matter; with the real package the request is the
 * same apart from that value.
 */
/** Requests the stand-in signed: a test can check the SDK took the SigV4a (global endpoint) path. */
export const signed: { authorization: string }[] = [];

class SigV4aStandIn {
  constructor(private readonly options: { credentials: unknown; service: string }) {}

  async sign(request: { headers: Record<string, string> }, options: { signingDate?: Date; signingService?: string } = {}) {
    const creds = typeof this.options.credentials === 'function' ? await (this.options.credentials as () => Promise<any>)() : (this.options.credentials as any);
    const date = (options.signingDate ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const service = options.signingService ?? this.options.service;
    request.headers['x-amz-date'] = date;
    request.headers['x-amz-region-set'] = '*';
    const signature = createHmac('sha256', creds.secretAccessKey).update(date).digest('hex');
    request.headers['authorization'] =
      `AWS4-ECDSA-P256-SHA256 Credential=${creds.accessKeyId}/${date.slice(0, 8)}/${service}/aws4_request, ` +
      `SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=${signature}`;
    signed.push({ authorization: request.headers['authorization'] });
    return request;
  }
}

export function installSigV4aStandIn(): void {
  signatureV4aContainer.SignatureV4a ??= SigV4aStandIn as never;
}
