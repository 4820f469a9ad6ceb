import { Client } from '@microsoft/microsoft-graph-client';
import { BearerTokenMiddleware, MailboxFetchMiddleware, ThrottleRetryMiddleware, type RefreshingAuthenticationProvider, type ThrottleRetryOptions } from './graph-middleware.ts';
import { mailboxSlots } from './mailbox-slots.ts';

export interface GraphClientSettings {
  /** Graph origin (`https://graph.microsoft.com`, or a simulator's HTTPS origin); `/v1.0` is appended. */
  graphUrl: string;
  auth: RefreshingAuthenticationProvider;
  /** One per mailbox (connection): requests in flight are limited per key. */
  mailboxKey: string;
  retry?: Partial<ThrottleRetryOptions>;
  requestTimeoutMs?: number;
}

export const DEFAULT_RETRY: ThrottleRetryOptions = {
  maxRetries: 2,
  maxDelayMs: 10_000,
  baseDelayMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The Graph SDK client with our middleware chain: bearer token (with one refresh after a 401) → bounded
 * throttle retry → per-mailbox slot and per-attempt deadline → fetch. Absolute next/delta links are
 * requested verbatim through `client.api(link)`.
 */
export function createGraphClient(settings: GraphClientSettings): { client: Client; retry: ThrottleRetryMiddleware } {
  const origin = new URL(settings.graphUrl).origin;
  const retry = new ThrottleRetryMiddleware({ ...DEFAULT_RETRY, ...settings.retry });
  const chain = [new BearerTokenMiddleware(settings.auth, origin), retry, new MailboxFetchMiddleware(mailboxSlots(settings.mailboxKey), settings.requestTimeoutMs ?? 30_000)];
  const client = Client.initWithMiddleware({ middleware: chain, baseUrl: origin, defaultVersion: 'v1.0' });
  return { client, retry };
}
