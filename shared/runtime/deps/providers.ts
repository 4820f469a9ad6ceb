import type { CalendarProviderFactory } from '../../ports/calendar-provider.ts';
import type { OAuthClientFactory } from '../../ports/oauth-client.ts';
import { ProviderRegistry } from '../../providers/provider-registry.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { ConfiguredProviderSecrets } from '../provider-secrets.ts';
import { clock } from './clock.ts';
import { integrationLogStore } from './integration-log.ts';
import { lazy } from './lazy.ts';
import { runtimeOverrides } from './overrides.ts';
import { connectionStore } from './storage.ts';

export const providerSecrets = lazy(() => new ConfiguredProviderSecrets(config()));

/**
 * Provider adapters by kind. Each entry is a dynamic import, so esbuild puts each provider SDK in its own
 * chunk, loaded only when a function first talks to that provider.
 */
const registry = lazy(
  () =>
    new ProviderRegistry({ google: () => import('../../providers/google/index.ts'), microsoft: () => import('../../providers/microsoft/index.ts'), caldav: () => import('../../providers/caldav/index.ts') }, () => ({
      connections: connectionStore(),
      clock: clock(),
      log: logger,
      secrets: providerSecrets(),
      settings: config(),
      integrationLog: integrationLogStore(),
    })),
);

export function calendarProviders(): CalendarProviderFactory {
  return runtimeOverrides.providers ?? registry();
}

export function oauthClients(): OAuthClientFactory {
  return runtimeOverrides.oauthClients ?? registry();
}
