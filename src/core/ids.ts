import { randomUUID, randomBytes } from 'node:crypto';

export const newMessageId = (): string => randomUUID();
export const newRequestId = (): string => randomUUID();
/** Opaque random token, URL-safe. */
export const randomToken = (bytes = 12): string => randomBytes(bytes).toString('base64url');
