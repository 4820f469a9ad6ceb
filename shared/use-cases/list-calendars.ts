import { notFound } from '../domain/app-error.ts';
import { toCalendarView, type Calendar, type CalendarView } from '../domain/calendar.ts';
import type { CalendarStore } from '../ports/calendar-store.ts';
import type { ConnectionStore } from '../ports/connection-store.ts';

export interface ListCalendarsDeps {
  connections: Pick<ConnectionStore, 'get'>;
  calendars: Pick<CalendarStore, 'listByConnection'>;
}

function byPrimaryThenName(a: Calendar, b: Calendar): number {
  if (a.isPrimary !== b.isPrimary) return a.isPrimary ? -1 : 1;
  const byName = a.name.localeCompare(b.name);
  if (byName !== 0) return byName;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The calendars of one of the tenant's connections, primary first; another tenant's connection is not found. */
export async function listCalendars(deps: ListCalendarsDeps, tenantId: string, connectionId: string): Promise<CalendarView[]> {
  const connection = await deps.connections.get(tenantId, connectionId);
  if (!connection) throw notFound('Connection');
  const calendars = await deps.calendars.listByConnection(tenantId, connectionId);
  return [...calendars].sort(byPrimaryThenName).map(toCalendarView);
}
