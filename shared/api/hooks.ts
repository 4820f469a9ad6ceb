import { defineRoute } from '../runtime/http/route.ts';

export const googlePushRoute = defineRoute({
  operationId: 'receiveGooglePush',
  method: 'POST',
  path: '/hooks/google',
  function: 'push-google',
  auth: 'none',
  rawBody: true,
  summary: 'Google Calendar push notifications (events.watch channels)',
  description: 'Checks the channel id and token (X-Goog-Channel-ID, X-Goog-Channel-Token), ignores `sync` messages and queues a coalesced sync. Unknown or stopped channels get 200 so Google stops retrying.',
  tags: ['hooks'],
  responses: { 200: { description: 'Accepted (or ignored).' }, 403: { description: 'The channel token is wrong.' } },
});

export const HookRoutes = [googlePushRoute];
