import { createHmac } from 'node:crypto';

/**
 * Zoom's webhook signing (providers.md item 54): `x-zm-signature: v0=` + hex HMAC-SHA256(secret token,
 * `v0:{x-zm-request-timestamp}:{raw body}`), the timestamp in seconds; the URL validation answer is
 * `{plainToken, encryptedToken: hex HMAC-SHA256(secret token, plainToken)}`.
 */
export function zoomSignature(secretToken: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secretToken).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

export function encryptedToken(secretToken: string, plainToken: string): string {
  return createHmac('sha256', secretToken).update(plainToken).digest('hex');
}

export interface WebhookDelivery {
  event: string;
  status: number | 'error';
  body: string;
  at: string;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/** The exact request Zoom sends for an event: JSON body, signature and timestamp headers. */
export function signedRequest(secretToken: string, event: string, payload: unknown, nowMs: number): SignedRequest {
  const body = JSON.stringify({ event, payload, event_ts: nowMs });
  const timestamp = Math.floor(nowMs / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Zoom Marketplace/1.0a',
      'x-zm-request-timestamp': String(timestamp),
      'x-zm-signature': zoomSignature(secretToken, timestamp, body),
    },
  };
}
