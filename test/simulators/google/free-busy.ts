import { GoogleApiError, googleErrors } from './errors.ts';
import { DAY_MS } from './recurrence.ts';
import { instanceRef, instanceTimes, intervalOf, seriesKeys, spanOf } from './series.ts';
import type { SimStore } from './store.ts';
import type { CalendarRecord } from './types.ts';
import { formatInZone, isKnownZone, parseDateTime } from './zone-time.ts';

/**
 * `POST /freeBusy` (providers.md item 20): busy blocks per calendar, merged and clipped to the range;
 * unknown calendars get `errors: [{reason: notFound}]`; more than `maxCalendars` items or a range longer
 * than `maxDays` is refused with 400. Transparent and cancelled events are free; so, by default, is an
 * event the calendar's owner declined (Google's behaviour as we understand it; unconfirmed, so
 * `countsDeclined` makes them busy instead).
 */
export interface FreeBusyLimits {
  maxCalendars: number;
  maxDays: number;
  countsDeclined: boolean;
}

/** Whether the calendar's owner is an attendee who declined. */
function declinedByOwner(fields: Record<string, unknown>, owner: string): boolean {
  const attendees = Array.isArray(fields.attendees) ? (fields.attendees as { email?: unknown; self?: unknown; responseStatus?: unknown }[]) : [];
  return attendees.some((a) => (a.self === true || (typeof a.email === 'string' && a.email.toLowerCase() === owner.toLowerCase())) && a.responseStatus === 'declined');
}

interface FreeBusyBody {
  timeMin?: unknown;
  timeMax?: unknown;
  timeZone?: unknown;
  items?: unknown;
}

function parseBound(value: unknown, name: string): number {
  if (value === undefined || value === null) throw googleErrors.required(name, `Missing ${name} parameter.`);
  const ms = typeof value === 'string' ? parseDateTime(value, null) : null;
  if (ms === null) throw googleErrors.invalid(`Invalid ${name} value.`, name);
  return ms;
}

function busyOf(store: SimStore, calendar: CalendarRecord, fromMs: number, toMs: number, countsDeclined: boolean): [number, number][] {
  const zone = calendar.timeZone;
  const blocks: [number, number][] = [];
  const take = (startMs: number, endMs: number): void => {
    if (endMs > fromMs && startMs < toMs) blocks.push([Math.max(startMs, fromMs), Math.min(endMs, toMs)]);
  };
  for (const record of calendar.events.values()) {
    if (record.deleted || record.status === 'cancelled' || record.fields.transparency === 'transparent') continue;
    if (!countsDeclined && declinedByOwner(record.fields, calendar.owner)) continue;
    if (record.type === 'master') {
      for (const key of seriesKeys(record, calendar, toMs + DAY_MS, fromMs - spanOf(record))) {
        if (calendar.events.get(instanceRef(record, key).id)?.deleted === false) continue; // the exception decides
        const times = instanceTimes(record, key);
        const { startMs, endMs } = intervalOf(times.start, times.end, zone);
        take(startMs, endMs);
      }
      continue;
    }
    if (record.type === 'exception') {
      const master = calendar.events.get(record.recurringEventId ?? '');
      if (!master || master.deleted) continue;
    }
    const { startMs, endMs } = intervalOf(record.start, record.end, zone);
    take(startMs, endMs);
  }
  blocks.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const block of blocks) {
    const last = merged.at(-1);
    if (last && block[0] <= last[1]) last[1] = Math.max(last[1], block[1]);
    else merged.push([...block]);
  }
  return merged;
}

export function queryFreeBusy(store: SimStore, body: FreeBusyBody, limits: FreeBusyLimits): Record<string, unknown> {
  const fromMs = parseBound(body.timeMin, 'timeMin');
  const toMs = parseBound(body.timeMax, 'timeMax');
  if (toMs <= fromMs) throw googleErrors.timeRangeEmpty('timeMax');
  if (toMs - fromMs > limits.maxDays * DAY_MS) {
    throw new GoogleApiError(400, { domain: 'calendar', reason: 'timeRangeTooLong', message: 'The requested time range is too long.', locationType: 'parameter', location: 'timeMax' });
  }
  const zone = typeof body.timeZone === 'string' && isKnownZone(body.timeZone) ? body.timeZone : 'UTC';
  const items = Array.isArray(body.items) ? (body.items as { id?: unknown }[]) : [];
  if (items.length > limits.maxCalendars) {
    throw new GoogleApiError(400, { domain: 'calendar', reason: 'tooManyCalendarsRequested', message: 'The number of calendars requested is too large.' });
  }
  const calendars: Record<string, unknown> = {};
  for (const item of items) {
    const id = typeof item?.id === 'string' ? item.id : '';
    const calendar = store.calendars.get(id);
    if (!calendar) {
      calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      continue;
    }
    calendars[id] = { busy: busyOf(store, calendar, fromMs, toMs, limits.countsDeclined).map(([s, e]) => ({ start: formatInZone(s, zone), end: formatInZone(e, zone) })) };
  }
  return { kind: 'calendar#freeBusy', timeMin: new Date(fromMs).toISOString(), timeMax: new Date(toMs).toISOString(), calendars };
}
