import * as z from 'zod/mini';
import { defineRoute } from '../runtime/http/route.ts';
import { IdParams, PaginationQuery, pageOf } from './common.ts';

/** One Zoom user's use today (UTC) of Zoom's per-user daily limit of meeting creates and updates. */
export const VideoUserQuotaSchema = z.object({ userId: z.string(), used: z.int(), remaining: z.int() });

/**
 * Today's (UTC) quota: `limitPerUserPerDay` (Zoom: 100 meeting creates/updates per user per day) and
 * `users`, every Zoom user the connection made or moved meetings for today, the default host first (also
 * at 0). `userId`, `used`, `limit` and `left` are the default host's (the fields before `users` existed).
 */
export const VideoQuotaSchema = z.object({
  day: z.string(),
  limitPerUserPerDay: z.int(),
  users: z.array(VideoUserQuotaSchema),
  userId: z.string(),
  used: z.int(),
  limit: z.int(),
  left: z.int(),
});

/** A Zoom connection as the API shows it: no credentials, with today's use of the daily quota per Zoom user. */
export const VideoConnectionViewSchema = z.object({
  id: z.string(),
  provider: z.literal('zoom'),
  /** `s2s`: a Server-to-Server OAuth app (hosts any user of the account); `user`: one Zoom user's grant. */
  kind: z.enum(['s2s', 'user']),
  accountId: z.string(),
  /** The default host: meetings are made for this Zoom user when a booking type host names none. */
  userId: z.string(),
  userEmail: z.nullable(z.string()),
  status: z.enum(['active', 'reauth_required']),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Zoom's per-user daily limit for meeting create/update requests (100), as counted by us today (UTC). */
  quota: VideoQuotaSchema,
});

const secretText = (max: number) => z.string().check(z.minLength(1, 'required'), z.maxLength(max));

export const ConnectZoomBody = z.strictObject({
  /** The Server-to-Server OAuth app's account id, client id and client secret (Zoom App Marketplace → app credentials). */
  accountId: secretText(256),
  clientId: secretText(256),
  clientSecret: secretText(512),
  /** The default host (Zoom user id or email); the account's owner (`me`) when absent. */
  userId: z.optional(secretText(320)),
});

export const connectZoomRoute = defineRoute({
  operationId: 'connectZoom',
  method: 'POST',
  path: '/v1/connections/zoom',
  function: 'api-video',
  auth: 'jwt',
  summary: 'Connect a Zoom Server-to-Server OAuth app',
  description:
    'Checks the credentials now (an account_credentials token is requested and the host read with it), so wrong ones answer 400 naming accountId, clientId and clientSecret instead of failing at the first booking. The credentials are sealed like OAuth tokens; the one-hour token is cached and renewed before it expires. The same account and host connected again replaces the credentials and keeps the id. Put the id on a booking type host (`video: { connectionId, userId? }`) to give its bookings Zoom meetings.',
  tags: ['video'],
  body: ConnectZoomBody,
  responses: {
    201: { description: 'Connected.', schema: VideoConnectionViewSchema },
    200: { description: 'Reconnected (the same account and host): the credentials replaced.', schema: VideoConnectionViewSchema },
  },
});

export const getZoomConnectionRoute = defineRoute({
  operationId: 'getZoomConnection',
  method: 'GET',
  path: '/v1/connections/zoom/{id}',
  function: 'api-video',
  auth: 'jwt',
  summary: 'Get a Zoom connection with its quota today',
  description:
    "`quota.users`: for every Zoom user the connection made or moved meetings for today (UTC), the creates and updates counted and how many of Zoom's 100 a day are left; the default host is always first. `quota.userId/used/limit/left` repeat the default host's. When a create hits the limit the booking is made without a link and `video.quota_exhausted` is evented.",
  tags: ['video'],
  params: IdParams,
  responses: { 200: { description: 'The connection.', schema: VideoConnectionViewSchema } },
});

export const listZoomConnectionsRoute = defineRoute({
  operationId: 'listZoomConnections',
  method: 'GET',
  path: '/v1/connections/zoom',
  function: 'api-video',
  auth: 'jwt',
  summary: "List the tenant's Zoom connections with status and quota",
  description: "A page of the tenant's Zoom connections (Server-to-Server apps and user grants), each with its status and today's quota per Zoom user as on GET /v1/connections/zoom/{id}. Never any credentials.",
  tags: ['video'],
  query: PaginationQuery,
  responses: { 200: { description: 'A page of Zoom connections.', schema: pageOf(VideoConnectionViewSchema) } },
});

export const deleteZoomConnectionRoute = defineRoute({
  operationId: 'deleteZoomConnection',
  method: 'DELETE',
  path: '/v1/connections/zoom/{id}',
  function: 'api-video',
  auth: 'jwt',
  summary: 'Disconnect a Zoom connection',
  description:
    'Removes the connection and its sealed credentials. Meetings already made stay at Zoom and their links keep working; moving or cancelling those bookings later leaves their Zoom meetings as they are. A booking of a booking type whose host still names this connection (`video.connectionId`) is refused with 409 `video.connection_missing` until the booking type names another one.',
  tags: ['video'],
  params: IdParams,
  responses: { 204: { description: 'Disconnected.' } },
});

export const AuthorizeZoomBody = z.optional(
  z.strictObject({
    /** Where the browser goes after connecting; must be on an allowed origin (ALLOWED_RETURN_ORIGINS). */
    returnUrl: z.optional(z.url()),
  }),
);

export const authorizeZoomRoute = defineRoute({
  operationId: 'startZoomAuthorization',
  method: 'POST',
  path: '/v1/connections/zoom/authorize',
  function: 'api-video',
  auth: 'jwt',
  summary: 'Start connecting one Zoom user (user-level OAuth app)',
  description:
    "Returns Zoom's authorize URL (authorization code with PKCE S256 and a one-time state valid for 10 minutes) for the app configured by ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET. After consent Zoom redirects to GET /v1/oauth/zoom/callback. Refresh tokens rotate on every use; the new one is stored atomically. Without a configured app: 400 video.provider_unavailable.",
  tags: ['video'],
  body: AuthorizeZoomBody,
  responses: { 200: { description: 'Where to send the user.', schema: z.object({ authorizationUrl: z.string(), expiresAt: z.string() }) } },
});

export const ZoomCallbackQuery = z.object({
  code: z.optional(z.string().check(z.maxLength(4096))),
  state: z.optional(z.string().check(z.maxLength(512))),
  error: z.optional(z.string().check(z.maxLength(256))),
});

export const zoomCallbackRoute = defineRoute({
  operationId: 'completeZoomAuthorization',
  method: 'GET',
  path: '/v1/oauth/zoom/callback',
  function: 'api-video',
  auth: 'none',
  summary: "Zoom's redirect after consent",
  description: 'Consumes the one-time state (it must have been issued for Zoom), exchanges the code with the PKCE verifier and stores the connection. Redirects (302) to the returnUrl given at authorize time with connectionId and status=connected (or status=error), or answers JSON when none was given.',
  tags: ['video'],
  query: ZoomCallbackQuery,
  responses: {
    200: { description: 'Connected (no returnUrl was given).', schema: z.object({ status: z.literal('connected'), created: z.boolean(), connection: VideoConnectionViewSchema }) },
    302: { description: 'Back to the allowed returnUrl.' },
  },
});

export const zoomWebhookRoute = defineRoute({
  operationId: 'receiveZoomWebhook',
  method: 'POST',
  path: '/hooks/zoom',
  function: 'push-zoom',
  auth: 'none',
  rawBody: true,
  summary: 'Zoom webhooks (endpoint.url_validation, meeting.updated, meeting.deleted)',
  description:
    "Verifies `x-zm-signature` (v0= hex HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{raw body}` with ZOOM_WEBHOOK_SECRET_TOKEN, constant time, the timestamp within 5 minutes) before reading anything. Answers endpoint.url_validation with {plainToken, encryptedToken}. meeting.deleted of a booking's meeting removes the booking's link; meeting.updated to another time flags the booking (conference.movedInProvider); both emit video.meeting.* (source provider). Other events and unknown meetings: 200, ignored.",
  tags: ['hooks', 'video'],
  responses: {
    200: { description: 'Accepted, ignored, or the URL validation answer {plainToken, encryptedToken}.' },
    400: { description: 'Signed, but not a Zoom event.' },
    401: { description: 'Unsigned, wrongly signed, or the timestamp is more than 5 minutes away.' },
  },
});

export const VideoRoutes = [connectZoomRoute, listZoomConnectionsRoute, authorizeZoomRoute, getZoomConnectionRoute, deleteZoomConnectionRoute, zoomCallbackRoute, zoomWebhookRoute];
