import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (reliability.md §1): HMAC-SHA256 under the base64-decoded secret over the exact
 * bytes `{webhook-id}.{webhook-timestamp}.{body}`, standard base64 with padding, prefixed `v1,`. Consumers
 * verify with any Standard Webhooks library.
 */
export const SECRET_PREFIX = 'whsec_';
/** Bytes of randomness in a new endpoint secret (the spec allows 24 to 64). */
export const SECRET_BYTES = 32;

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key inside a `whsec_…` secret (the prefix is optional, as in the reference libraries). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('A webhook secret must hold at least one byte');
  return key;
}

/** One `v1,<base64>` signature of a message. `body` is signed as its UTF-8 bytes when given as a string. */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', secretKey(secret));
  hmac.update(`${messageId}.${timestampSeconds}.`, 'utf8');
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

/** The `webhook-signature` header: one signature per valid secret, space-separated (rotation overlap). */
export function signatureHeader(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string | Uint8Array): string {
  if (secrets.length === 0) throw new Error('No signing secret');
  return secrets.map((secret) => signWebhook(secret, messageId, timestampSeconds, body)).join(' ');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'content-type': 'application/json';
  'user-agent': string;
}

export const WEBHOOK_USER_AGENT = 'calendar-integrations-webhooks/1';

/** Every header of one delivery attempt. The id must not contain `.` (it is a field separator of the signed content). */
export function signedHeaders(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): SignedHeaders {
  if (messageId.includes('.')) throw new Error('A webhook-id must not contain "."');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatureHeader(secrets, messageId, timestampSeconds, body),
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
  };
}
