import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

export const ProviderKind = z.enum(['google', 'microsoft', 'caldav']);
export type ProviderKind = z.infer<typeof ProviderKind>;

export const OAuthProviderKind = z.enum(['google', 'microsoft']);
export type OAuthProviderKind = z.infer<typeof OAuthProviderKind>;

/**
 * `active`: syncing. `reauth_required`: the grant is dead (invalid_grant, 401 on Basic auth); only the user
 * can fix it, nothing retries. `error`: the last sync failed, retries continue. `disabled`: too many
 * consecutive failures (or by an operator); the scheduler skips it.
 */
export const ConnectionStatus = z.enum(['active', 'reauth_required', 'error', 'disabled']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/** Consecutive failed syncs after which a connection is disabled (reliability.md §5). */
export const MAX_CONSECUTIVE_SYNC_FAILURES = 5;

export const ConnectionError = z.object({
  code: z.string(),
  message: z.string(),
  at: Instant,
});
export type ConnectionError = z.infer<typeof ConnectionError>;

export const Connection = z.object({
  tenantId: TenantId,
  id: z.string(),
  provider: ProviderKind,
  status: ConnectionStatus,
  /** The provider's stable id for the account (Google `sub`, Graph user id, CalDAV principal URL). */
  accountId: z.string(),
  /** The account's e-mail or user name, for display. */
  accountEmail: z.nullable(z.string()),
  displayName: z.nullable(z.string()),
  /** CalDAV server base URL (non-secret); null for OAuth providers. */
  serverUrl: z.nullable(z.string()),
  consecutiveErrors: z.int().check(z.gte(0)),
  lastError: z.nullable(ConnectionError),
  lastSyncedAt: z.nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
  /** Optimistic-lock version: every status change is a conditional write on it. */
  version: z.int().check(z.gte(0)),
});
export type Connection = z.infer<typeof Connection>;

/** What the API shows of a connection (never credentials). */
export const ConnectionView = z.pick(Connection, {
  id: true,
  provider: true,
  status: true,
  accountId: true,
  accountEmail: true,
  displayName: true,
  serverUrl: true,
  consecutiveErrors: true,
  lastError: true,
  lastSyncedAt: true,
  createdAt: true,
  updatedAt: true,
});
export type ConnectionView = z.infer<typeof ConnectionView>;

export function toConnectionView(connection: Connection): ConnectionView {
  const { tenantId: _tenantId, version: _version, ...view } = connection;
  return view;
}

/**
 * Secrets of a connection. Stored only sealed (AES-256-GCM envelope, see CredentialCipher); never logged,
 * evented or returned by the API.
 */
export const OAuthCredentials = z.object({
  kind: z.literal('oauth'),
  accessToken: z.string(),
  refreshToken: z.nullable(z.string()),
  /** When the access token expires (epoch ms). */
  expiresAt: z.number(),
  scope: z.nullable(z.string()),
});
export const BasicCredentials = z.object({
  kind: z.literal('basic'),
  username: z.string(),
  password: z.string(),
});
export const Credentials = z.discriminatedUnion('kind', [OAuthCredentials, BasicCredentials]);
export type OAuthCredentials = z.infer<typeof OAuthCredentials>;
export type BasicCredentials = z.infer<typeof BasicCredentials>;
export type Credentials = z.infer<typeof Credentials>;
