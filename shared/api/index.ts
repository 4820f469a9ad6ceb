import type { RouteContract } from '../runtime/http/route.ts';
import { AvailabilityRoutes } from './availability.ts';
import { BookingTypeRoutes } from './booking-types.ts';
import { BookingRoutes } from './bookings.ts';
import { CaldavRoutes } from './caldav.ts';
import { CalendarRoutes } from './calendars.ts';
import { ConnectionRoutes } from './connections.ts';
import { ConsoleRoutes } from './console.ts';
import { EventWriteRoutes } from './events.ts';
import { HookRoutes } from './hooks.ts';
import { LogRoutes } from './logs.ts';
import { MicrosoftHookRoutes } from './hooks-microsoft.ts';
import { NotificationRoutes } from './notifications.ts';
import { OAuthRoutes } from './oauth.ts';
import { ScheduleRoutes } from './schedules.ts';
import { healthRoute, openApiRoute } from './system.ts';
import { WebhookRoutes } from './webhooks.ts';

/** Every HTTP route of the API: the source of the OpenAPI document, the CDK routes and the local router. */
export const API_ROUTES: readonly RouteContract[] = [healthRoute, openApiRoute, ...ConnectionRoutes, ...CaldavRoutes, ...OAuthRoutes, ...HookRoutes, ...MicrosoftHookRoutes, ...CalendarRoutes, ...WebhookRoutes, ...EventWriteRoutes, ...ScheduleRoutes, ...AvailabilityRoutes, ...BookingTypeRoutes, ...BookingRoutes, ...NotificationRoutes, ...ConsoleRoutes, ...LogRoutes];

export * from './availability.ts';
export * from './booking-types.ts';
export * from './bookings.ts';
export * from './caldav.ts';
export * from './calendars.ts';
export * from './common.ts';
export * from './connections.ts';
export * from './console.ts';
export * from './events.ts';
export * from './hooks.ts';
export * from './hooks-microsoft.ts';
export * from './logs.ts';
export * from './notifications.ts';
export * from './oauth.ts';
export * from './schedules.ts';
export * from './system.ts';
export * from './webhooks.ts';
