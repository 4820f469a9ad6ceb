import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { microsoftLifecycleRoute, microsoftNotificationRoute } from '../../shared/api/hooks-microsoft.ts';
import { inputError } from '../../shared/domain/app-error.ts';
import { pushChannelIndex } from '../../shared/runtime/deps/storage.ts';
import { renewDeps, requestSyncDeps } from '../../shared/runtime/deps/write-side.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { handleGraphLifecycle, type GraphLifecycleDeps } from '../../shared/use-cases/push/handle-graph-lifecycle.ts';
import { graphValidationToken, handleGraphNotifications, parseGraphNotificationBody, type GraphNotificationDeps } from '../../shared/use-cases/push/handle-graph-notification.ts';
import { integrationLogStore } from '../../shared/runtime/deps/integration-log.ts';

/** Part of Graph's 3-second deadline a lifecycle renewal may use (the rest is cold start and our I/O). */
const RENEW_BUDGET_MS = 2_000;

const notificationDeps = (): GraphNotificationDeps => ({ ...requestSyncDeps(), pushChannels: pushChannelIndex(), log: logger, integrationLog: integrationLogStore() });
const lifecycleDeps = (): GraphLifecycleDeps => ({ ...renewDeps(), ...requestSyncDeps(), renewBudgetMs: RENEW_BUDGET_MS });

function itemsOf(rawBody: string) {
  const items = parseGraphNotificationBody(rawBody);
  if (!items) throw inputError('body', 'expected a Graph notification collection: {"value":[{"subscriptionId":…,"clientState":…}]}');
  return items;
}

const api = createApiHandler({
  routes: [
    bindRoute(microsoftNotificationRoute, async ({ rawBody }) => {
      const outcome = await handleGraphNotifications(notificationDeps(), itemsOf(rawBody));
      logger.info('graph notifications', { ...outcome });
      return { status: 202 };
    }),
    bindRoute(microsoftLifecycleRoute, async ({ rawBody }) => {
      const outcome = await handleGraphLifecycle(lifecycleDeps(), itemsOf(rawBody));
      logger.info('graph lifecycle notifications', { ...outcome });
      return { status: 202 };
    }),
  ],
});

/**
 * Both Graph URLs. The validation handshake (providers.md B31) is answered before anything else: 200,
 * text/plain, the token form-decoded from the raw query string (API Gateway's parsed query values differ in
 * how they treat `+`, and the echo must be exact). It touches no storage, so it is fast even on a cold start.
 */
async function handleInvocation(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const token = graphValidationToken(event.rawQueryString);
  if (token !== null) return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: token };
  return api(event, context);
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
