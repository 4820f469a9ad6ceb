import type { CalendarEvent, ProviderEvent } from '../../shared/domain/calendar-event.ts';
import { eventContentHash } from '../../shared/domain/content-hash.ts';

/**
 * A normalized provider event for tests: a confirmed, opaque, non-recurring event with no text, people or
 * conference; `overrides` set what a test cares about (times, title, kind, etag…).
 */
export function providerEvent(providerEventId: string, overrides: Partial<ProviderEvent> & Pick<ProviderEvent, 'start' | 'end'>): ProviderEvent {
  return {
    providerEventId,
    resourceId: null,
    iCalUID: null,
    kind: 'single',
    title: null,
    description: null,
    location: null,
    status: 'confirmed',
    transparency: 'opaque',
    organizer: null,
    attendees: [],
    recurrence: null,
    recurringEventId: null,
    originalStart: null,
    conference: null,
    etag: null,
    updated: null,
    ...overrides,
  };
}

/** The stored form of a provider event, with its id and content hash derived as the store has them. */
export function storedFrom(provider: ProviderEvent, where: { tenantId: string; connectionId: string; calendarId: string; id: string }): CalendarEvent {
  return { ...provider, ...where, contentHash: eventContentHash(provider) };
}
