import { authorizeZoomRoute, connectZoomRoute, deleteZoomConnectionRoute, getZoomConnectionRoute, listZoomConnectionsRoute, zoomCallbackRoute } from '../../shared/api/video.ts';
import { inputError } from '../../shared/domain/app-error.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { zoomAuthorizationDeps, zoomConnectDeps, zoomManageDeps } from '../../shared/runtime/deps/video.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { completeZoomAuthorization, connectZoomServerToServer, getZoomConnection, startZoomAuthorization } from '../../shared/use-cases/video/connect-zoom.ts';
import { disconnectZoom, listZoomConnections } from '../../shared/use-cases/video/manage-zoom-connections.ts';

function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.toString();
}

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(connectZoomRoute, async ({ tenantId, body }) => {
      const { view, created } = await connectZoomServerToServer(zoomConnectDeps(), { tenantId, ...body });
      return { status: created ? 201 : 200, body: view };
    }),
    bindRoute(listZoomConnectionsRoute, async ({ tenantId, query }) => ({ status: 200, body: await listZoomConnections(zoomConnectDeps(), { tenantId, cursor: query.cursor, limit: query.limit }) })),
    bindRoute(getZoomConnectionRoute, async ({ tenantId, params }) => ({ status: 200, body: await getZoomConnection(zoomConnectDeps(), tenantId, params.id) })),
    bindRoute(deleteZoomConnectionRoute, async ({ tenantId, params }) => {
      await disconnectZoom(zoomManageDeps(), tenantId, params.id);
      return { status: 204 };
    }),
    bindRoute(authorizeZoomRoute, async ({ tenantId, body }) => ({ status: 200, body: await startZoomAuthorization(zoomAuthorizationDeps(), { tenantId, returnUrl: body?.returnUrl ?? null }) })),
    bindRoute(zoomCallbackRoute, async ({ query }) => {
      const outcome = await completeZoomAuthorization(zoomAuthorizationDeps(), { code: query.code, state: query.state, error: query.error });
      if (outcome.status === 'denied') {
        if (outcome.returnUrl) return { status: 302, headers: { location: withParams(outcome.returnUrl, { status: 'error', error: outcome.error, provider: 'zoom' }) } };
        throw inputError('query.error', `The authorization was not granted: ${outcome.error}`);
      }
      if (outcome.returnUrl) return { status: 302, headers: { location: withParams(outcome.returnUrl, { status: 'connected', connectionId: outcome.view.id, provider: 'zoom' }) } };
      return { status: 200, body: { status: 'connected', created: outcome.created, connection: outcome.view } };
    }),
  ],
});
