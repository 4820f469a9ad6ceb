import { createHash } from 'node:crypto';
import { AppError } from '../../../domain/app-error.ts';
import type { VideoConnection, VideoCredentials } from '../../../domain/video-connection.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { VideoConnectionStore } from '../../../ports/video-connection-store.ts';
import type { VideoProvider } from '../../../ports/video-provider.ts';
import type { ZoomConnector } from '../../../ports/zoom-connector.ts';
import { ZoomS2STokens, ZoomUserTokens, revokeZoomUserToken, zoomUserGrant, type S2SCredentials, type ZoomAccessTokens, type ZoomUserApp } from './zoom-tokens.ts';
import { ZoomVideoProvider } from './zoom-video-provider.ts';

export interface ZoomConnectorOptions {
  oauthUrl: string;
  apiUrl: string;
  /** The user-level OAuth app (ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET), null when not configured. */
  userApp: () => Promise<{ clientId: string; clientSecret: string } | null>;
  store: VideoConnectionStore;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * S2S token sources live as long as the warm process, keyed by account, client and a hash of the secret:
 * every booking of a connection reuses the one-hour token, and new credentials get a new source.
 */
const s2sTokenSources = new Map<string, ZoomS2STokens>();

function s2sTokens(oauthUrl: string, credentials: S2SCredentials, clock: Clock): ZoomS2STokens {
  const key = [oauthUrl, credentials.accountId, credentials.clientId, createHash('sha256').update(credentials.clientSecret).digest('hex')].join('|');
  let source = s2sTokenSources.get(key);
  if (!source) {
    source = new ZoomS2STokens(oauthUrl, credentials, clock);
    s2sTokenSources.set(key, source);
  }
  return source;
}

export class HttpZoomConnector implements ZoomConnector {
  readonly #options: ZoomConnectorOptions;

  constructor(options: ZoomConnectorOptions) {
    this.#options = options;
  }

  async verifyServerToServer(input: { accountId: string; clientId: string; clientSecret: string; userId?: string | undefined }): Promise<{ userId: string; userEmail: string | null }> {
    // A fresh source: a cached token must not vouch for credentials given now.
    const tokens = new ZoomS2STokens(this.#options.oauthUrl, input, this.#options.clock);
    await tokens.token();
    const zoom = this.#adapter(tokens, input.userId ?? 'me');
    const user = await zoom.user();
    return { userId: user.id, userEmail: user.email };
  }

  async #app(): Promise<ZoomUserApp> {
    const app = await this.#options.userApp();
    if (!app) throw new AppError('video.provider_unavailable', 'Zoom user-level OAuth is not configured (ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET); connect a Server-to-Server app with POST /v1/connections/zoom instead', { retryable: false });
    return { oauthUrl: this.#options.oauthUrl, ...app };
  }

  async authorizationUrl(input: { state: string; codeChallenge: string; redirectUri: string }): Promise<string> {
    const app = await this.#app();
    const url = new URL(`${this.#options.oauthUrl.replace(/\/+$/, '')}/oauth/authorize`);
    url.search = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: input.redirectUri, state: input.state, code_challenge: input.codeChallenge, code_challenge_method: 'S256' }).toString();
    return url.toString();
  }

  async exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }) {
    const app = await this.#app();
    const token = await zoomUserGrant(app, { grant_type: 'authorization_code', code: input.code, redirect_uri: input.redirectUri, code_verifier: input.codeVerifier }, this.#options.clock.now().getTime());
    const zoom = this.#adapter({ token: async () => token.accessToken, invalidate: () => {} }, 'me');
    const user = await zoom.user();
    return { credentials: { kind: 'zoom_user' as const, ...token }, user: { id: user.id, email: user.email, accountId: user.accountId ?? '' } };
  }

  async revoke(connection: VideoConnection): Promise<void> {
    if (connection.kind !== 'user') return;
    const stored = await this.#options.store.getCredentials(connection.tenantId, connection.id);
    if (stored?.credentials.kind !== 'zoom_user') return;
    // The refresh token: it outlives the one-hour access token, which has usually expired by now.
    await revokeZoomUserToken(await this.#app(), stored.credentials.refreshToken);
  }

  async provider(connection: VideoConnection, zoomUserId?: string): Promise<VideoProvider> {
    const stored = await this.#options.store.getCredentials(connection.tenantId, connection.id);
    if (!stored) throw new AppError('video.auth_failed', 'The Zoom connection has no credentials; connect it again', { retryable: false });
    const credentials: VideoCredentials = stored.credentials;
    if (credentials.kind === 'zoom_s2s') {
      const tokens = s2sTokens(this.#options.oauthUrl, { accountId: connection.accountId, clientId: credentials.clientId, clientSecret: credentials.clientSecret }, this.#options.clock);
      return this.#adapter(tokens, zoomUserId ?? connection.userId);
    }
    const app = await this.#app();
    const store = this.#options.store;
    const tokens = new ZoomUserTokens(
      app,
      {
        read: async () => {
          const current = await store.getCredentials(connection.tenantId, connection.id);
          if (current?.credentials.kind !== 'zoom_user') throw new AppError('video.auth_failed', 'The Zoom connection lost its user grant', { retryable: false });
          return { token: current.credentials, version: current.version };
        },
        write: (token, version) => store.putCredentials(connection.tenantId, connection.id, { kind: 'zoom_user', ...token }, version),
      },
      this.#options.clock,
    );
    // A user grant hosts as its own user only.
    return this.#adapter(tokens, 'me');
  }

  #adapter(tokens: ZoomAccessTokens, userId: string): ZoomVideoProvider {
    return new ZoomVideoProvider({ apiUrl: this.#options.apiUrl, tokens, userId, clock: this.#options.clock, ...(this.#options.sleep ? { sleep: this.#options.sleep } : {}) });
  }
}
