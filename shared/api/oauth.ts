import * as z from 'zod/mini';
import { ConnectionView, OAuthProviderKind } from '../domain/connection.ts';
import { defineRoute } from '../runtime/http/route.ts';

export const ProviderParams = z.object({ provider: OAuthProviderKind });

export const AuthorizeBody = z.optional(
  z.strictObject({
    /** Where the browser goes after connecting; must be on an allowed origin (ALLOWED_RETURN_ORIGINS). */
    returnUrl: z.optional(z.url()),
    /** Pre-fills the account at the provider's sign-in page. */
    loginHint: z.optional(z.string().check(z.maxLength(320))),
  }),
);

export const authorizeRoute = defineRoute({
  operationId: 'startAuthorization',
  method: 'POST',
  path: '/v1/connections/{provider}/authorize',
  function: 'api-oauth',
  auth: 'jwt',
  summary: 'Start connecting a Google or Microsoft account',
  description:
    'Returns the provider URL to send the user to (authorization code flow with PKCE S256 and a one-time state valid for 10 minutes). After consent the provider redirects to GET /v1/oauth/{provider}/callback.',
  tags: ['connections'],
  params: ProviderParams,
  body: AuthorizeBody,
  responses: { 200: { description: 'Where to send the user.', schema: z.object({ authorizationUrl: z.string(), expiresAt: z.string() }) } },
});

export const CallbackQuery = z.object({
  code: z.optional(z.string().check(z.maxLength(4096))),
  state: z.optional(z.string().check(z.maxLength(512))),
  error: z.optional(z.string().check(z.maxLength(256))),
  error_description: z.optional(z.string().check(z.maxLength(2048))),
});

export const oauthCallbackRoute = defineRoute({
  operationId: 'completeAuthorization',
  method: 'GET',
  path: '/v1/oauth/{provider}/callback',
  function: 'api-oauth',
  auth: 'none',
  summary: "The provider's redirect after consent",
  description:
    'Consumes the one-time state, exchanges the code (PKCE), stores the connection, discovers its calendars, opens push channels and queues the first sync. Redirects (302) to the returnUrl given at authorize time with connectionId and status=connected (or error=...), or answers JSON when none was given.',
  tags: ['connections'],
  params: ProviderParams,
  query: CallbackQuery,
  responses: {
    200: { description: 'Connected (no returnUrl was given).', schema: z.object({ status: z.literal('connected'), created: z.boolean(), calendars: z.int(), connection: ConnectionView }) },
    302: { description: 'Back to the allowed returnUrl.' },
  },
});

export const OAuthRoutes = [authorizeRoute, oauthCallbackRoute];
