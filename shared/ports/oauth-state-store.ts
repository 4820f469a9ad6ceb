import type { OAuthProviderKind } from '../domain/connection.ts';

export interface OAuthState {
  /** The random `state` value sent to the provider. */
  state: string;
  tenantId: string;
  /** `zoom`: the user-level Zoom app's flow (a video connection, not a calendar one). */
  provider: OAuthProviderKind | 'zoom';
  /** PKCE verifier (a secret: the adapter stores it sealed). */
  codeVerifier: string;
  redirectUri: string;
  /** Where the browser goes after the callback (already checked against the allow-list); null = JSON reply. */
  returnUrl: string | null;
  createdAt: string;
  /** Epoch seconds; DynamoDB TTL removes the item after it. */
  expiresAt: number;
}

/** One-time OAuth states (RFC 9700 §2.1): stored with a TTL, consumed at most once. */
export interface OAuthStateStore {
  put(state: OAuthState): Promise<void>;
  /**
   * Deletes the state and returns it, atomically; null when it is unknown, already used or expired, so a
   * replayed callback fails.
   */
  consume(state: string, now: Date): Promise<OAuthState | null>;
}
