/** The parts of a SigV4 `Authorization` header that route a request. Signatures are not verified (see README). */
export interface CredentialScope {
  accessKeyId: string;
  /** Absent for SigV4a, whose scope names no Region (the Region set travels in X-Amz-Region-Set). */
  region?: string;
  service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
/** SigV4a (AWS4-ECDSA-P256-SHA256), which the SDKs use for EventBridge global endpoints: key/date/service/aws4_request. */
const CREDENTIAL_V4A = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/aws4_request/;

export function parseCredentialScope(authorization: string | undefined, query?: URLSearchParams): CredentialScope | undefined {
  const source = authorization ?? (query?.get('X-Amz-Credential') ? `Credential=${query.get('X-Amz-Credential')}` : undefined);
  if (!source) return undefined;
  const m = CREDENTIAL.exec(source);
  if (m) return { accessKeyId: m[1]!, region: m[2]!, service: m[3]! };
  const a = CREDENTIAL_V4A.exec(source);
  return a ? { accessKeyId: a[1]!, service: a[2]! } : undefined;
}
