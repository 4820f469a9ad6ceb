import { googlePushRoute } from '../../shared/api/hooks.ts';
import { AppError, inputError } from '../../shared/domain/app-error.ts';
import { googlePushDeps } from '../../shared/runtime/deps/write-side.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { handleGooglePush } from '../../shared/use-cases/push/handle-google-push.ts';

export const handler = createApiHandler({
  routes: [
    bindRoute(googlePushRoute, async ({ headers }) => {
      const channelId = headers['x-goog-channel-id'];
      const resourceState = headers['x-goog-resource-state'];
      if (!channelId) throw inputError('headers.x-goog-channel-id', 'X-Goog-Channel-ID is required');
      if (!resourceState) throw inputError('headers.x-goog-resource-state', 'X-Goog-Resource-State is required');
      const outcome = await handleGooglePush(googlePushDeps(), {
        channelId,
        channelToken: headers['x-goog-channel-token'],
        resourceState,
        resourceId: headers['x-goog-resource-id'],
        messageNumber: headers['x-goog-message-number'],
      });
      if (outcome === 'rejected') throw new AppError('auth.forbidden', 'The channel token does not match this channel.');
      return { status: 200 };
    }),
  ],
});
