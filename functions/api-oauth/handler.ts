import { authorizeRoute, oauthCallbackRoute } from '../../shared/api/oauth.ts';
import { inputError } from '../../shared/domain/app-error.ts';
import { toConnectionView } from '../../shared/domain/connection.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { completeAuthorizationDeps, startAuthorizationDeps } from '../../shared/runtime/deps/write-side.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { completeAuthorization } from '../../shared/use-cases/connect/complete-authorization.ts';
import { startAuthorization } from '../../shared/use-cases/connect/start-authorization.ts';

function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.toString();
}

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(authorizeRoute, async ({ tenantId, params, body }) => ({
      status: 200,
      body: await startAuthorization(startAuthorizationDeps(), { tenantId, provider: params.provider, returnUrl: body?.returnUrl ?? null, loginHint: body?.loginHint ?? null }),
    })),
    bindRoute(oauthCallbackRoute, async ({ params, query }) => {
      const outcome = await completeAuthorization(completeAuthorizationDeps(), {
        provider: params.provider,
        code: query.code,
        state: query.state,
        error: query.error,
        errorDescription: query.error_description,
      });
      if (outcome.status === 'denied') {
        if (outcome.returnUrl) return { status: 302, headers: { location: withParams(outcome.returnUrl, { status: 'error', error: outcome.error, provider: params.provider }) } };
        throw inputError('query.error', `The authorization was not granted: ${outcome.error}`);
      }
      if (outcome.returnUrl) {
        return { status: 302, headers: { location: withParams(outcome.returnUrl, { status: 'connected', connectionId: outcome.connection.id, provider: params.provider }) } };
      }
      return { status: 200, body: { status: 'connected', created: outcome.created, calendars: outcome.calendars, connection: toConnectionView(outcome.connection) } };
    }),
  ],
});
