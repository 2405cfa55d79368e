/**
 * A self-signed X.509 v3 certificate for an RSA key, written directly in DER. Postbox needs exactly one kind of
 * certificate (the one served at SigningCertURL so that clients can check notification signatures), so a small
 * encoder of the few ASN.1 types involved replaces a general-purpose X.509 library; node:crypto supplies the key's
 * SubjectPublicKeyInfo and the signature, and `crypto.X509Certificate` parses the result in the tests.
 */
import { randomBytes, sign, type KeyObject } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const NULL = Buffer.from([0x05, 0x00]);

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  return ms < Date.UTC(2050, 0, 1) ? tlv(0x17, Buffer.from(digits.slice(2) + 'Z')) : tlv(0x18, Buffer.from(digits + 'Z'));
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL);
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';

function name(commonName: string, organization: string): Buffer {
  return sequence(
    set(sequence(oid(ORGANIZATION), tlv(0x0c, Buffer.from(organization, 'utf8')))),
    set(sequence(oid(COMMON_NAME), tlv(0x0c, Buffer.from(commonName, 'utf8')))),
  );
}

export interface CertificateOptions {
  commonName: string;
  organization: string;
  notBefore: number;
  notAfter: number;
}

/** A PEM certificate for `publicKey`, signed (SHA-256 with RSA) by `privateKey`. */
export function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject, o: CertificateOptions): string {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const subject = name(o.commonName, o.organization);
  const basicConstraints = sequence(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, sequence()));
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    subject,
    sequence(time(o.notBefore), time(o.notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, sequence(basicConstraints)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const lines = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}
