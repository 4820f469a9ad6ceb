import { AppError } from '../domain/app-error.ts';
import type { ProviderKind } from '../domain/connection.ts';
import type { CalendarProvider, CalendarProviderFactory } from '../ports/calendar-provider.ts';

export interface ConnectionRef {
  tenantId: string;
  id: string;
  provider: ProviderKind;
  serverUrl: string | null;
}

/** Builds one provider's adapter for a connection; loaded on first use (see ProviderRegistry). */
export type ProviderModuleLoader = () => Promise<{ createProvider(connection: ConnectionRef): Promise<CalendarProvider> }>;

/**
 * The CalendarProviderFactory of the runtime. Each provider adapter is a dynamic import, so a function bundle
 * (split into chunks by esbuild) loads a provider SDK only when it first talks to that provider: an API
 * request that never reaches Google never pays for the Google client at cold start.
 */
export class ProviderRegistry implements CalendarProviderFactory {
  private readonly loaders: Partial<Record<ProviderKind, ProviderModuleLoader>>;

  constructor(loaders: Partial<Record<ProviderKind, ProviderModuleLoader>>) {
    this.loaders = loaders;
  }

  async forConnection(connection: ConnectionRef): Promise<CalendarProvider> {
    const load = this.loaders[connection.provider];
    if (!load) throw new AppError('provider.unavailable', `No adapter for provider ${connection.provider} in this deployment`, { retryable: false });
    const module = await load();
    return module.createProvider(connection);
  }
}
