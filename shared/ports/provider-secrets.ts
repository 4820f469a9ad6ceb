/** App-level OAuth client credentials of one provider (never a user's token). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface ProviderSecretValues {
  google?: ClientCredentials;
  microsoft?: ClientCredentials;
  /** The user-level Zoom app (accountId only for a deployment-wide S2S app) and the webhook secret token. */
  zoom?: ClientCredentials & { accountId?: string; webhookSecretToken?: string };
}

/**
 * Where the app's provider credentials come from: Secrets Manager in AWS (one JSON secret, cached in the
 * warm Lambda and re-read once after an auth failure), the environment in the local stack.
 */
export interface ProviderSecrets {
  get(): Promise<ProviderSecretValues>;
  /** Drops the cache; the next `get` re-reads (after the provider rejected our client credentials). */
  invalidate(): void;
}
