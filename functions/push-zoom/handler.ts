import { zoomWebhookRoute } from '../../shared/api/video.ts';
import { zoomWebhookDeps } from '../../shared/runtime/deps/video.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { PROBLEM_CONTENT_TYPE, problemType } from '../../shared/runtime/http/problem.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { handleZoomWebhook } from '../../shared/use-cases/video/zoom-webhook.ts';

const TITLES = { 400: 'Not a Zoom event', 401: 'The Zoom signature does not verify' } as const;

/** POST /hooks/zoom: the signature is checked over the exact bytes, so the raw body goes to the use-case. */
export const handler = createApiHandler({
  routes: [
    bindRoute(zoomWebhookRoute, async ({ headers, rawBody }) => {
      const result = await handleZoomWebhook(await zoomWebhookDeps(), { headers, rawBody });
      if (result.status === 200) return { status: 200, body: result.body };
      const problem = { type: problemType(result.body.code), title: TITLES[result.status], status: result.status, code: result.body.code, detail: result.body.message };
      return { status: result.status, contentType: PROBLEM_CONTENT_TYPE, body: JSON.stringify(problem) };
    }),
  ],
});
