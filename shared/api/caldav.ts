import * as z from 'zod/mini';
import { ConnectionView } from '../domain/connection.ts';
import { defineRoute } from '../runtime/http/route.ts';

export const ConnectCaldavBody = z
  .strictObject({
    /** The CalDAV server (or principal/home) URL; https (http only in the local stack). */
    serverUrl: z.optional(z.url({ protocol: /^https?$/, message: 'an http(s) URL' }).check(z.maxLength(2048))),
    /** A known provider instead of a URL: `icloud` = https://caldav.icloud.com. */
    preset: z.optional(z.enum(['icloud'])),
    username: z.string().check(z.minLength(1, 'required'), z.maxLength(320)),
    password: z.string().check(z.minLength(1, 'required'), z.maxLength(1024)),
  })
  .check(
    z.refine((body) => (body.serverUrl === undefined) !== (body.preset === undefined), {
      message: 'give exactly one of serverUrl and preset',
      path: ['serverUrl'],
    }),
  );

export const connectCaldavRoute = defineRoute({
  operationId: 'connectCaldav',
  method: 'POST',
  path: '/v1/connections/caldav',
  function: 'api-connections',
  auth: 'jwt',
  summary: 'Connect an iCloud or CalDAV account',
  description:
    'Validates the server URL (https, public address) and the credentials by CalDAV discovery before storing anything; then stores the connection (the password sealed like OAuth tokens), discovers its calendars and queues the first sync. CalDAV has no push: calendars are polled every CALDAV_POLL_INTERVAL_MINUTES. iCloud needs an app-specific password (appleid.apple.com → Sign-In and Security → App-Specific Passwords). A wrong password, an unreachable or non-CalDAV server, or an account without an event calendar answers 400 naming the field to fix.',
  tags: ['connections'],
  body: ConnectCaldavBody,
  responses: { 201: { description: 'Connected (or reconnected): the connection, as GET /v1/connections/{id} shows it.', schema: ConnectionView } },
});

export const CaldavRoutes = [connectCaldavRoute];
