import { randomUUID } from 'node:crypto';
import { AppError, toAppError } from '../../domain/app-error.ts';
import type { OAuthCredentials } from '../../domain/connection.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConnectionStore, StoredCredentials } from '../../ports/connection-store.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import { silentLog, type Log } from '../../ports/log.ts';
import type { OAuthClient } from '../../ports/oauth-client.ts';
import { backoffDelayMs } from '../../../shared/domain/backoff.ts';

export interface AccessTokenSourceOptions {
  connections: ConnectionStore;
  client: Pick<OAuthClient, 'refresh'>;
  clock: Clock;
  tenantId: string;
  connectionId: string;
  /** Refresh this long before expiry, so a request never starts with a token about to die. */
  refreshSkewMs?: number;
  /** How long one worker may hold the refresh lock. */
  lockMs?: number;
  /** How long a worker waits for another one's refresh before giving up (retryable). */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The integration log: one entry per refresh made (token.refresh), with the failure when it failed. */
  integrationLog?: IntegrationLogWriter | undefined;
  log?: Log;
}

/**
 * The access token of one OAuth connection, refreshed before it expires. Refreshes collapse into one at
 * every level: within the process (one promise in flight) and across workers (a lease on the credentials
 * record; the others wait for the new version and use it). The new tokens are stored with a conditional
 * write on the credentials version, so a rotating refresh token (Microsoft) is never overwritten by an older
 * one and never used twice (reliability.md §2, scenario 14).
 */
export class AccessTokenSource {
  private readonly options: Required<Omit<AccessTokenSourceOptions, 'sleep' | 'integrationLog' | 'log'>> & { sleep: (ms: number) => Promise<void>; integrationLog?: IntegrationLogWriter | undefined; log: Log };
  private cached: StoredCredentials | null = null;
  private inflight: Promise<string> | null = null;
  /** Refresh calls this source made (tests, metrics). */
  refreshCount = 0;

  constructor(options: AccessTokenSourceOptions) {
    this.options = {
      refreshSkewMs: 120_000,
      lockMs: 30_000,
      waitMs: 20_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: silentLog,
      ...options,
    };
  }

  /** A token valid for at least the skew. */
  async accessToken(): Promise<string> {
    const stored = this.cached ?? (await this.load());
    if (this.fresh(stored)) return this.oauth(stored).accessToken;
    return this.refreshOnce(stored.version);
  }

  /** After a 401 with `rejectedToken`: refresh unless someone already replaced that token. */
  async refreshAfterRejection(rejectedToken: string): Promise<string> {
    const stored = await this.load();
    if (this.oauth(stored).accessToken !== rejectedToken && this.fresh(stored)) return this.oauth(stored).accessToken;
    return this.refreshOnce(stored.version);
  }

  private refreshOnce(knownVersion: number): Promise<string> {
    this.inflight ??= this.refresh(knownVersion).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async refresh(knownVersion: number): Promise<string> {
    const { connections, tenantId, connectionId, clock } = this.options;
    const owner = randomUUID();
    const deadline = clock.now().getTime() + this.options.waitMs;
    for (let attempt = 0; clock.now().getTime() <= deadline || attempt === 0; attempt++) {
      const now = clock.now();
      if (await connections.acquireRefreshLock(tenantId, connectionId, owner, now, new Date(now.getTime() + this.options.lockMs))) {
        try {
          const current = await this.load();
          // Another worker may have refreshed between our read and the lock.
          if (current.version > knownVersion && this.fresh(current)) return this.oauth(current).accessToken;
          const credentials = this.oauth(current);
          if (!credentials.refreshToken) throw new AppError('provider.auth_revoked', 'The connection has no refresh token; reconnect it', { retryable: false });
          this.refreshCount += 1;
          const tokens = await this.options.client.refresh(credentials.refreshToken).catch(async (error: unknown) => {
            await this.logRefresh(error);
            throw error;
          });
          const next: OAuthCredentials = {
            kind: 'oauth',
            accessToken: tokens.accessToken,
            refreshToken: tokens.refreshToken ?? credentials.refreshToken,
            expiresAt: tokens.expiresAt,
            scope: tokens.scope ?? credentials.scope,
          };
          this.cached = await connections.putCredentials(tenantId, connectionId, next, current.version);
          await this.logRefresh(null);
          return next.accessToken;
        } finally {
          await connections.releaseRefreshLock(tenantId, connectionId, owner).catch(() => undefined);
        }
      }
      await this.options.sleep(backoffDelayMs(attempt, { baseMs: 250, capMs: 1_000 }));
      const current = await this.load();
      if (current.version > knownVersion && this.fresh(current)) return this.oauth(current).accessToken;
    }
    throw new AppError('provider.unavailable', 'Timed out waiting for another worker to refresh the access token', { retryable: true });
  }

  private async logRefresh(failure: unknown): Promise<void> {
    const error = failure === null ? null : toAppError(failure);
    await recordIntegrationEvent(this.options, {
      tenantId: this.options.tenantId,
      type: 'token.refresh',
      success: error === null,
      connectionId: this.options.connectionId,
      summary: error === null ? 'Access token refreshed' : `Token refresh failed (${error.code})`,
      error: error && { code: error.code, message: error.message, retryable: error.retryable },
      at: this.options.clock.now(),
    });
  }

  private async load(): Promise<StoredCredentials> {
    const stored = await this.options.connections.getCredentials(this.options.tenantId, this.options.connectionId);
    if (!stored) throw new AppError('provider.auth_revoked', 'The connection has no credentials', { retryable: false });
    this.cached = stored;
    return stored;
  }

  private oauth(stored: StoredCredentials): OAuthCredentials {
    if (stored.credentials.kind !== 'oauth') throw new AppError('internal.unexpected', 'Not an OAuth connection', { retryable: false });
    return stored.credentials;
  }

  private fresh(stored: StoredCredentials): boolean {
    return this.oauth(stored).expiresAt - this.options.refreshSkewMs > this.options.clock.now().getTime();
  }
}
