import { notFound } from '../domain/app-error.ts';
import { connectionEventData, domainEvent } from '../domain/domain-events.ts';
import type { CalendarProvider, CalendarProviderFactory } from '../ports/calendar-provider.ts';
import type { CalendarStore, PushChannelIndex } from '../ports/calendar-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConnectionStore } from '../ports/connection-store.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { Log } from '../ports/log.ts';

export interface DisconnectDeps {
  connections: ConnectionStore;
  calendars: CalendarStore;
  events: EventStore;
  pushChannels: PushChannelIndex;
  providers: CalendarProviderFactory;
  publisher: EventPublisher;
  clock: Clock;
  log: Log;
}

/**
 * Disconnects an account: stops its push channels at the provider (best effort: a revoked grant cannot stop
 * anything, and the provider then stops on its own when our hook answers 200 for unknown channels), deletes
 * calendars, events and credentials, and emits `connection.deleted`. Safe to repeat after a crash: each
 * step skips what is already gone, and the event id is derived from the connection so a retry re-emits the
 * same event rather than a second one.
 */
export async function disconnectConnection(deps: DisconnectDeps, tenantId: string, connectionId: string): Promise<void> {
  const connection = await deps.connections.get(tenantId, connectionId);
  if (!connection) throw notFound('Connection');
  const calendars = await deps.calendars.listByConnection(tenantId, connectionId);

  let provider: CalendarProvider | null = null;
  if (calendars.some((calendar) => calendar.push)) {
    provider = await deps.providers.forConnection(connection).catch((error: unknown) => {
      deps.log.warn('cannot reach provider to stop push channels', { connectionId, error: String(error) });
      return null;
    });
  }
  for (const calendar of calendars) {
    if (calendar.push) {
      const push = calendar.push;
      if (provider) {
        await provider
          .unsubscribe(
            { providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone },
            { channelId: push.channelId, resourceId: push.resourceId, expiresAt: new Date(push.expiresAt) },
          )
          .catch((error: unknown) => deps.log.warn('push channel stop failed', { calendarId: calendar.id, error: String(error) }));
      }
      await deps.pushChannels.delete(push.channelId);
    }
    await deps.events.deleteAllOfCalendar(tenantId, calendar.id);
    await deps.calendars.delete(tenantId, calendar.id);
  }

  await deps.publisher.publish([
    // A disconnect is no error: the last sync error is not carried into the event.
    domainEvent('connection.deleted', tenantId, connectionEventData({ ...connection, lastError: null }), { idempotencyParts: [connectionId, connection.createdAt], time: deps.clock.now() }),
  ]);
  await deps.connections.delete(tenantId, connectionId);
}
