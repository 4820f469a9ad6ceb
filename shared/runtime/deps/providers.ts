import type { CalendarProviderFactory } from '../../ports/calendar-provider.ts';
import { ProviderRegistry } from '../../providers/provider-registry.ts';
import { lazy } from './lazy.ts';
import { runtimeOverrides } from './overrides.ts';

/**
 * Provider adapters by kind. Each entry is a dynamic import so esbuild puts the provider SDK into its own
 * chunk (loaded on first use). Providers register here as they are built.
 */
const registry = lazy(() => new ProviderRegistry({}));

export function calendarProviders(): CalendarProviderFactory {
  return runtimeOverrides.providers ?? registry();
}
