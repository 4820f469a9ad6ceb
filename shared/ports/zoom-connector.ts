import type { VideoConnection, VideoCredentials } from '../domain/video-connection.ts';
import type { VideoProvider } from './video-provider.ts';

/**
 * What the Zoom use-cases need of Zoom beyond meetings: checking Server-to-Server credentials at connect
 * (so wrong ones are a 400 then, not a failure at the first booking), the user-level OAuth app (PKCE,
 * rotating refresh tokens), and a meeting adapter for a stored connection and host.
 */
export interface ZoomConnector {
  /** Gets a token and reads the host; throws `video.auth_failed` (wrong credentials) or `video.not_found` (no such user). */
  verifyServerToServer(input: { accountId: string; clientId: string; clientSecret: string; userId?: string | undefined }): Promise<{ userId: string; userEmail: string | null }>;
  /** Throws `video.provider_unavailable` when no user-level app is configured (ZOOM_CLIENT_ID). */
  authorizationUrl(input: { state: string; codeChallenge: string; redirectUri: string }): Promise<string>;
  exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<{
    credentials: Extract<VideoCredentials, { kind: 'zoom_user' }>;
    user: { id: string; email: string | null; accountId: string };
  }>;
  /**
   * Ends a user-level connection's grant at Zoom (the app's authorization by that user), with the stored
   * tokens. Nothing for a Server-to-Server connection (no user grant). Throws `video.unavailable`
   * (Zoom down or unreachable, retryable), `video.auth_failed` (Zoom refused) or `video.provider_unavailable`
   * (no user-level app configured).
   */
  revoke(connection: VideoConnection): Promise<void>;
  /** The meeting adapter for `connection`, hosting as `zoomUserId` (default: the connection's user). */
  provider(connection: VideoConnection, zoomUserId?: string): Promise<VideoProvider>;
}
