import type { AttemptErrorClass } from '../domain/webhook-delivery.ts';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What one HTTP attempt came to. `statusCode` is null when no response arrived. */
export interface WebhookResponse {
  statusCode: number | null;
  latencyMs: number;
  /** Null only for a 2xx. */
  errorClass: AttemptErrorClass | null;
  error: string | null;
  /** The first 1 KB of the response body (UTF-8, may end mid-character). */
  responseBody: string | null;
  /** The raw `Retry-After` header, when the response had one. */
  retryAfter: string | null;
}

/**
 * Sends one webhook attempt: a POST that follows no redirect, to an address checked against the outbound
 * policy at send time (after DNS resolution, pinned for the connection). Never throws for the receiver's
 * behaviour: refusals, timeouts and bad statuses are results.
 */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}
