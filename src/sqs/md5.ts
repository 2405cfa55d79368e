import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

/** The wire form of one message attribute, as the AWS JSON protocol carries it (binary values base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

/** One-shot `crypto.hash` (Node 20.12+) is about twice as fast as createHash for message-sized inputs. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;

export const md5Hex = (text: string | Buffer): string =>
  oneShot ? oneShot('md5', text, 'hex') : createHash('md5').update(text).digest('hex');

/**
 * MD5OfMessageAttributes as AWS computes it (and the SDKs check it): attributes sorted by name; for each, the
 * name, the data type, one transport byte (1 = string, 2 = binary) and the value, every variable-length part
 * prefixed by its length as a 4-byte big-endian integer. The same encoding gives MD5OfMessageSystemAttributes.
 */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const hash = createHash('md5');
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!;
    lengthPrefixed(hash, Buffer.from(name, 'utf8'));
    lengthPrefixed(hash, Buffer.from(a.DataType, 'utf8'));
    if (a.StringValue !== undefined) {
      hash.update(Uint8Array.of(1));
      lengthPrefixed(hash, Buffer.from(a.StringValue, 'utf8'));
    } else if (a.BinaryValue !== undefined) {
      hash.update(Uint8Array.of(2));
      lengthPrefixed(hash, Buffer.from(a.BinaryValue, 'base64'));
    }
  }
  return hash.digest('hex');
}

function lengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(bytes.length, 0);
  hash.update(len);
  hash.update(bytes);
}
