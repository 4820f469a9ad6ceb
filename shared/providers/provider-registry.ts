import { AppError } from '../domain/app-error.ts';
import type { OAuthProviderKind, ProviderKind } from '../domain/connection.ts';
import type { CalendarProvider, CalendarProviderFactory } from '../ports/calendar-provider.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConnectionStore } from '../ports/connection-store.ts';
import type { IntegrationLogWriter } from '../ports/integration-log.ts';
import type { Log } from '../ports/log.ts';
import type { OAuthClient, OAuthClientFactory } from '../ports/oauth-client.ts';
import type { ProviderSecrets } from '../ports/provider-secrets.ts';

export interface ConnectionRef {
  tenantId: string;
  id: string;
  provider: ProviderKind;
  serverUrl: string | null;
}

/** What a provider module gets from the runtime: stores, time, settings and app credentials. */
export interface ProviderContext {
  connections: ConnectionStore;
  clock: Clock;
  log: Log;
  secrets: ProviderSecrets;
  /** The integration log (token refreshes); absent: nothing is logged. */
  integrationLog?: IntegrationLogWriter | undefined;
  /** The process configuration (provider endpoint URLs, tenant, timeouts). */
  settings: ProviderEndpointSettings;
}

/** The configuration a provider module reads (names as in shared/runtime/config.ts). */
export interface ProviderEndpointSettings {
  GOOGLE_OAUTH_AUTHORIZE_URL: string;
  GOOGLE_OAUTH_TOKEN_URL: string;
  GOOGLE_OAUTH_REVOKE_URL: string;
  GOOGLE_USERINFO_URL: string;
  /** Issuer identifier of Google's authorization server (default Google's when absent). */
  GOOGLE_OAUTH_ISSUER?: string;
  GOOGLE_API_URL: string;
  MICROSOFT_LOGIN_URL: string;
  MICROSOFT_GRAPH_URL: string;
  MICROSOFT_TENANT: string;
  isLocal: boolean;
}

/** A provider module, loaded on first use (see ProviderRegistry). */
export interface ProviderModule {
  createProvider(connection: ConnectionRef, context: ProviderContext): Promise<CalendarProvider>;
  /** OAuth providers only. */
  createOAuthClient?(context: ProviderContext): Promise<OAuthClient>;
}

export type ProviderModuleLoader = () => Promise<ProviderModule>;

/**
 * The CalendarProviderFactory of the runtime. Each provider adapter is a dynamic import, so a function bundle
 * (split into chunks by esbuild) loads a provider SDK only when it first talks to that provider: an API
 * request that never reaches Google never pays for the Google client at cold start.
 */
export class ProviderRegistry implements CalendarProviderFactory, OAuthClientFactory {
  private readonly loaders: Partial<Record<ProviderKind, ProviderModuleLoader>>;
  private readonly context: () => ProviderContext;

  constructor(loaders: Partial<Record<ProviderKind, ProviderModuleLoader>>, context: () => ProviderContext) {
    this.loaders = loaders;
    this.context = context;
  }

  private async load(provider: ProviderKind): Promise<ProviderModule> {
    const load = this.loaders[provider];
    if (!load) throw new AppError('provider.unavailable', `No adapter for provider ${provider} in this deployment`, { retryable: false });
    return load();
  }

  async forConnection(connection: ConnectionRef): Promise<CalendarProvider> {
    return (await this.load(connection.provider)).createProvider(connection, this.context());
  }

  async forProvider(provider: OAuthProviderKind): Promise<OAuthClient> {
    const module = await this.load(provider);
    if (!module.createOAuthClient) throw new AppError('input.invalid', `${provider} does not use OAuth`, { retryable: false });
    return module.createOAuthClient(this.context());
  }
}
