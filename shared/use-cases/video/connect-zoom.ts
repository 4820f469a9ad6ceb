import { createHash } from 'node:crypto';
import { AppError, inputError, isAppError, notFound } from '../../domain/app-error.ts';
import { randomToken, stableId } from '../../domain/ids.ts';
import { toVideoConnectionView, utcDay, type VideoConnection, type VideoConnectionView } from '../../domain/video-connection.ts';
import type { Clock } from '../../ports/clock.ts';
import type { OAuthStateStore } from '../../ports/oauth-state-store.ts';
import type { VideoConnectionStore } from '../../ports/video-connection-store.ts';
import type { ZoomConnector } from '../../ports/zoom-connector.ts';
import { checkReturnUrl, type OAuthSettings } from '../connect/start-authorization.ts';

export interface ZoomConnectDeps {
  videoConnections: VideoConnectionStore;
  zoom: ZoomConnector;
  clock: Clock;
}

/** A connection's view with today's usage of the daily quota of each Zoom user it hosted for (the default host first). */
export async function videoConnectionView(deps: { videoConnections: Pick<VideoConnectionStore, 'usageByUser'>; clock: Clock }, connection: VideoConnection): Promise<VideoConnectionView> {
  const now = deps.clock.now();
  const usage = await deps.videoConnections.usageByUser(connection.tenantId, connection.id, utcDay(now));
  return toVideoConnectionView(connection, usage, now);
}

/** GET /v1/connections/zoom/{id}: another tenant's connection is simply not found. */
export async function getZoomConnection(deps: Pick<ZoomConnectDeps, 'videoConnections' | 'clock'>, tenantId: string, connectionId: string): Promise<VideoConnectionView> {
  const connection = await deps.videoConnections.get(tenantId, connectionId);
  if (!connection) throw notFound('Zoom connection');
  return videoConnectionView(deps, connection);
}

async function store(deps: ZoomConnectDeps, input: Omit<VideoConnection, 'id' | 'createdAt' | 'updatedAt' | 'status'>, credentials: Parameters<VideoConnectionStore['save']>[1]): Promise<{ view: VideoConnectionView; created: boolean }> {
  // The same Zoom account and host connected again replaces the grant, keeping the id and bookings' links.
  const id = stableId('vcn', input.tenantId, 'zoom', input.kind, input.accountId, input.userId);
  const existing = await deps.videoConnections.get(input.tenantId, id);
  const now = deps.clock.now().toISOString();
  const connection: VideoConnection = { ...input, id, status: 'active', createdAt: existing?.createdAt ?? now, updatedAt: now };
  await deps.videoConnections.save(connection, credentials);
  return { view: await videoConnectionView(deps, connection), created: !existing };
}

/**
 * Connects a Zoom Server-to-Server OAuth app. The credentials are checked now — a token is requested and
 * the host read with it — so wrong ones answer 400 naming the fields, never a failure at the first booking.
 */
export async function connectZoomServerToServer(
  deps: ZoomConnectDeps,
  input: { tenantId: string; accountId: string; clientId: string; clientSecret: string; userId?: string | undefined },
): Promise<{ view: VideoConnectionView; created: boolean }> {
  let host: { userId: string; userEmail: string | null };
  try {
    host = await deps.zoom.verifyServerToServer(input);
  } catch (error) {
    if (isAppError(error, 'video.auth_failed')) {
      throw new AppError('input.invalid', 'Zoom did not accept these Server-to-Server credentials (account id, client id and client secret of one app)', {
        details: { errors: [{ field: 'body.accountId', message: 'not accepted by Zoom with this client' }, { field: 'body.clientId', message: 'not accepted by Zoom' }, { field: 'body.clientSecret', message: 'not accepted by Zoom' }] },
        cause: error,
      });
    }
    if (isAppError(error, 'video.not_found') || isAppError(error, 'video.input_invalid')) throw inputError('body.userId', `Zoom has no user ${input.userId ?? 'me'} in this account`);
    throw error;
  }
  return store(deps, { tenantId: input.tenantId, provider: 'zoom', kind: 's2s', accountId: input.accountId, userId: host.userId, userEmail: host.userEmail }, { kind: 'zoom_s2s', clientId: input.clientId, clientSecret: input.clientSecret });
}

export interface ZoomAuthorizationDeps extends ZoomConnectDeps {
  oauthStates: OAuthStateStore;
  settings: OAuthSettings;
}

export function zoomRedirectUri(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/v1/oauth/zoom/callback`;
}

/** Starts the user-level Zoom flow: one-time state and PKCE verifier kept server-side, as for Google. */
export async function startZoomAuthorization(deps: ZoomAuthorizationDeps, input: { tenantId: string; returnUrl?: string | null }): Promise<{ authorizationUrl: string; expiresAt: string }> {
  const returnUrl = input.returnUrl ? checkReturnUrl(input.returnUrl, deps.settings.allowedReturnOrigins) : null;
  const state = randomToken(32);
  const codeVerifier = randomToken(48);
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  const redirectUri = zoomRedirectUri(deps.settings.publicBaseUrl);
  const authorizationUrl = await deps.zoom.authorizationUrl({ state, codeChallenge, redirectUri });
  const now = deps.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + deps.settings.stateTtlSeconds;
  await deps.oauthStates.put({ state, tenantId: input.tenantId, provider: 'zoom', codeVerifier, redirectUri, returnUrl, createdAt: now.toISOString(), expiresAt });
  return { authorizationUrl, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

export type ZoomCallbackOutcome = { status: 'connected'; view: VideoConnectionView; created: boolean; returnUrl: string | null } | { status: 'denied'; error: string; returnUrl: string | null };

/** Zoom's redirect back: the state is consumed once and must be a Zoom state; the code is exchanged with PKCE. */
export async function completeZoomAuthorization(deps: ZoomAuthorizationDeps, input: { code?: string | undefined; state?: string | undefined; error?: string | undefined }): Promise<ZoomCallbackOutcome> {
  if (!input.state) throw inputError('query.state', 'state is required');
  const state = await deps.oauthStates.consume(input.state, deps.clock.now());
  if (!state) throw inputError('query.state', 'state is unknown, expired or already used; start the connection again');
  if (state.provider !== 'zoom') throw inputError('query.state', 'state was issued for another provider');
  if (input.error) return { status: 'denied', error: input.error, returnUrl: state.returnUrl };
  if (!input.code) throw inputError('query.code', 'code is required');
  let granted;
  try {
    granted = await deps.zoom.exchangeCode({ code: input.code, codeVerifier: state.codeVerifier, redirectUri: state.redirectUri });
  } catch (error) {
    if (isAppError(error, 'video.auth_failed')) throw new AppError('input.invalid', 'Zoom rejected the authorization code (expired, already used, or not issued for this request)', { details: { field: 'query.code' }, cause: error });
    throw error;
  }
  const { view, created } = await store(deps, { tenantId: state.tenantId, provider: 'zoom', kind: 'user', accountId: granted.user.accountId, userId: granted.user.id, userEmail: granted.user.email }, granted.credentials);
  return { status: 'connected', view, created, returnUrl: state.returnUrl };
}
