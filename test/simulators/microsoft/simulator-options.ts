import type { DeliveryMode } from './notifier.ts';

/** Options of `startGraphSimulator`; defaults follow Microsoft's documented limits. */
export interface GraphSimulatorOptions {
  tls: { key: string; cert: string };
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1 (the certificate is valid for localhost and 127.0.0.1). */
  host?: string;
  /** The simulator's clock: token and subscription expiry, timestamps. Default: real time. */
  now?: () => Date;
  tenantId?: string;
  /** When set, the identity endpoints require this client id (and secret). */
  clientId?: string;
  clientSecret?: string;
  /** When set, `redirect_uri` must be one of these. */
  redirectUris?: string[];
  /** The user the authorize endpoint signs in without a page (created when missing). */
  autoConsentUser?: string;
  /** Cap for `Prefer: odata.maxpagesize` and `$top` (default 1000). */
  maxPageSize?: number;
  /** Page size without `Prefer` (default 10). */
  defaultPageSize?: number;
  /** Default 3599. */
  accessTokenLifetimeSeconds?: number;
  /** Refresh tokens unused this long fail with AADSTS700082 (default 90). */
  refreshTokenInactivityDays?: number;
  /** Reusing a rotated refresh token also revokes its replacement (default false: only the old one fails). */
  revokeRefreshTokenFamilyOnReuse?: boolean;
  deliverNotifications?: DeliveryMode;
  /** Subscription validation deadline (Graph: 10 s). */
  validationTimeoutMs?: number;
  /** Notification deadline (Graph: 3 s). */
  notificationTimeoutMs?: number;
  /** Delays before each retry of a failed notification (default 1 s, 10 s, 1 min, 5 min, 15 min, 1 h). */
  notificationRetryDelaysMs?: number[];
  /** Changes within this many ms go out in one POST (default 25). */
  notificationBatchDelayMs?: number;
  /** Refuse `http://` notification URLs as Graph does (default false: local receivers are plain HTTP). */
  requireHttpsNotificationUrls?: boolean;
  maxSubscriptionsPerMailbox?: number;
  maxSubscriptionLifetimeMinutes?: number;
  /** Outlook: 4 concurrent requests per app and mailbox. */
  concurrencyLimit?: number;
  /** Outlook: 10,000 per 10 minutes per app and mailbox. */
  requestsPer10Minutes?: number;
  throttleRetryAfterSeconds?: number;
  /** Added to every request (tests of timeouts and concurrency). */
  latencyMs?: number;
  /** `iss` of ID tokens (default `{loginUrl}/{tenantId}/v2.0`, Entra's tenant-specific issuer). */
  idTokenIssuer?: string;
  /** Return an ID token even when `openid` was not asked for, as some identity emulators do (default false). */
  idTokenAlways?: boolean;
  /** Delta tokens older than this answer 410 (default: never). */
  deltaTokenLifetimeMs?: number;
}
