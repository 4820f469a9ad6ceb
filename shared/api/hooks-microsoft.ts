import * as z from 'zod/mini';
import { defineRoute } from '../runtime/http/route.ts';

const ValidationQuery = z.object({
  /** Graph's subscription handshake: answered with the decoded token as text/plain, nothing else is done. */
  validationToken: z.optional(z.string()),
});

const responses = {
  200: { description: 'Validation handshake: the decoded validationToken.', contentType: 'text/plain' },
  202: { description: 'Accepted. Items of unknown subscriptions or with a wrong clientState are ignored, not rejected, so Graph stops retrying them.' },
  400: { description: 'The body is not a Graph notification collection.' },
};

export const microsoftNotificationRoute = defineRoute({
  operationId: 'receiveMicrosoftNotification',
  method: 'POST',
  path: '/hooks/microsoft',
  function: 'push-microsoft',
  auth: 'none',
  rawBody: true,
  summary: 'Microsoft Graph change notifications (calendar event subscriptions)',
  description:
    'Answers the validationToken handshake; otherwise checks each item against our subscriptions and their clientState (constant time) and queues one coalesced sync per calendar. Always 202 for a well-formed body.',
  tags: ['hooks'],
  query: ValidationQuery,
  responses,
});

export const microsoftLifecycleRoute = defineRoute({
  operationId: 'receiveMicrosoftLifecycleNotification',
  method: 'POST',
  path: '/hooks/microsoft/lifecycle',
  function: 'push-microsoft',
  auth: 'none',
  rawBody: true,
  summary: 'Microsoft Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed)',
  description:
    'Answers the validationToken handshake; reauthorizationRequired extends the subscription, subscriptionRemoved forgets it and queues a full sync that opens a new one, missed queues a delta sync.',
  tags: ['hooks'],
  query: ValidationQuery,
  responses,
});

export const MicrosoftHookRoutes = [microsoftNotificationRoute, microsoftLifecycleRoute];
