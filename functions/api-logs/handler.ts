import { integrationHealthRoute, listLogsRoute } from '../../shared/api/logs.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { healthDeps, logsDeps } from '../../shared/runtime/deps/logs-api.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { integrationHealth } from '../../shared/use-cases/logs/integration-health.ts';
import { listIntegrationLogs } from '../../shared/use-cases/logs/list-logs.ts';

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(listLogsRoute, async ({ tenantId, query }) => ({ status: 200, body: await listIntegrationLogs(logsDeps(), { tenantId, ...query }) })),
    bindRoute(integrationHealthRoute, async ({ tenantId }) => ({ status: 200, body: await integrationHealth(healthDeps(), tenantId) })),
  ],
});
