import { createPrivateKey, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { SnsStore } from '../store/sns-contract.js';
import { selfSignedCertificate } from './x509.js';

/** Where Postbox serves its signing certificate, on its own port (AWS: https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem). */
export const CERTIFICATE_PATH_PREFIX = '/_postbox/sns/SimpleNotificationService-';

const CERTIFICATE_YEARS = 20;

export interface SigningKey {
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
}

/**
 * Signs notifications as SNS does: SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA, over the canonical
 * string AWS documents (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). The RSA
 * key and its certificate are made once and kept in the store, so signatures verify across restarts; on PostgreSQL
 * every node reads the one key the first node stored (the store keeps a single row), so it is safe to keep here.
 */
export class Signer {
  private loading: Promise<SigningKey> | undefined;
  private current: SigningKey | undefined;

  constructor(
    private readonly store: SnsStore,
    private readonly clock: Clock,
  ) {}

  key(): Promise<SigningKey> {
    if (this.current) return Promise.resolve(this.current);
    this.loading ??= this.store.signingKey(() => this.createKey(), this.clock.now()).then(
      (record) => {
        this.current = { id: record.id, privateKey: createPrivateKey(record.privateKeyPem), certificatePem: record.certificatePem };
        return this.current;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  /** The certificate for a request path, if it names ours. */
  async certificateAt(path: string): Promise<string | undefined> {
    if (!path.startsWith(CERTIFICATE_PATH_PREFIX) || !path.endsWith('.pem')) return undefined;
    const key = await this.key();
    return path === certificatePath(key.id) ? key.certificatePem : undefined;
  }

  private async createKey() {
    const { privateKey, publicKey } = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>((resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048 }, (err, pub, priv) => (err ? reject(err) : resolve({ publicKey: pub, privateKey: priv }))),
    );
    const now = this.clock.now();
    const certificatePem = selfSignedCertificate(publicKey, privateKey, {
      commonName: 'sns.postbox.local',
      organization: 'Postbox',
      notBefore: now - 24 * 3600_000,
      notAfter: now + CERTIFICATE_YEARS * 365 * 24 * 3600_000,
    });
    return {
      id: randomBytes(16).toString('hex'),
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      certificatePem,
    };
  }
}

export const certificatePath = (id: string): string => `${CERTIFICATE_PATH_PREFIX}${id}.pem`;

/** The fields a notification's signature covers; Subject only when the message has one. */
export interface SignedNotification {
  readonly Message: string;
  readonly MessageId: string;
  readonly Subject?: string;
  readonly Timestamp: string;
  readonly TopicArn: string;
  readonly Type: string;
}

/** AWS's canonical string for a Notification: each name and value on its own line, in this order. */
export function notificationStringToSign(n: SignedNotification): string {
  let s = `Message\n${n.Message}\nMessageId\n${n.MessageId}\n`;
  if (n.Subject !== undefined) s += `Subject\n${n.Subject}\n`;
  return s + `Timestamp\n${n.Timestamp}\nTopicArn\n${n.TopicArn}\nType\n${n.Type}\n`;
}

export function signatureOf(text: string, version: '1' | '2', key: KeyObject): string {
  return sign(version === '2' ? 'sha256' : 'sha1', Buffer.from(text, 'utf8'), key).toString('base64');
}

/** The same signature, made on libuv's thread pool so that the event loop goes on meanwhile. */
export function signatureOfAsync(text: string, version: '1' | '2', key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) =>
    sign(version === '2' ? 'sha256' : 'sha1', Buffer.from(text, 'utf8'), key, (err, signature) =>
      err ? reject(err) : resolve(signature.toString('base64')),
    ),
  );
}

/** The fields a SubscriptionConfirmation's or UnsubscribeConfirmation's signature covers. */
export interface SignedConfirmation {
  readonly Message: string;
  readonly MessageId: string;
  readonly SubscribeURL: string;
  readonly Timestamp: string;
  readonly Token: string;
  readonly TopicArn: string;
  readonly Type: string;
}

/** AWS's canonical string for confirmation messages: these seven names and values, in this order. */
export function confirmationStringToSign(c: SignedConfirmation): string {
  return (
    `Message\n${c.Message}\nMessageId\n${c.MessageId}\nSubscribeURL\n${c.SubscribeURL}\nTimestamp\n${c.Timestamp}\n` +
    `Token\n${c.Token}\nTopicArn\n${c.TopicArn}\nType\n${c.Type}\n`
  );
}
