import { connectCaldavRoute } from '../../shared/api/caldav.ts';
import { deleteConnectionRoute, getConnectionRoute, listConnectionsRoute, syncConnectionRoute } from '../../shared/api/connections.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { connectionStore } from '../../shared/runtime/deps/storage.ts';
import { disconnectDeps } from '../../shared/runtime/deps/use-cases.ts';
import { connectCaldavDeps, requestSyncDeps } from '../../shared/runtime/deps/write-side.ts';
import { toConnectionView } from '../../shared/domain/connection.ts';
import { connectCaldav } from '../../shared/use-cases/connect/connect-caldav.ts';
import { syncConnectionNow } from '../../shared/use-cases/sync/sync-connection-now.ts';
import { disconnectConnection } from '../../shared/use-cases/disconnect-connection.ts';
import { getConnection } from '../../shared/use-cases/get-connection.ts';
import { listConnections } from '../../shared/use-cases/list-connections.ts';

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(listConnectionsRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await listConnections({ connections: connectionStore() }, { tenantId, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(getConnectionRoute, async ({ tenantId, params }) => ({
      status: 200,
      body: await getConnection({ connections: connectionStore() }, tenantId, params.id),
    })),
    bindRoute(deleteConnectionRoute, async ({ tenantId, params }) => {
      await disconnectConnection(disconnectDeps(), tenantId, params.id);
      return { status: 204 };
    }),
    bindRoute(connectCaldavRoute, async ({ tenantId, body }) => {
      const { connection } = await connectCaldav(await connectCaldavDeps(), { tenantId, ...body });
      return { status: 201, body: toConnectionView(connection) };
    }),
    bindRoute(syncConnectionRoute, async ({ tenantId, params }) => ({
      status: 202,
      body: await syncConnectionNow({ ...requestSyncDeps(), connections: connectionStore() }, tenantId, params.id),
    })),
  ],
});
