import fc from 'fast-check';
import type { Attendee, Conference, EventTime, Organizer, ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import { formatUtcDateTime } from '../../../shared/recurrence/recurrence-lines.ts';
import { zoneOffsets } from '../../../shared/recurrence/zone-offsets.ts';

/**
 * Generators of events in the normalized form the parser produces (instants without milliseconds, canonical
 * recurrence lines, non-blank texts), so that parse(serialize(x)) can be compared with x itself.
 */
export const ZONES = ['America/New_York', 'Europe/Berlin', 'UTC', 'Asia/Kolkata', 'Australia/Sydney'] as const;
export const DAY_MS = 86_400_000;

export function instant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const text = fc
  .string({ unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '\\', ':', '\n', 'é', '日', '"', '🙂', 'x'), minLength: 1, maxLength: 120 })
  .filter((s) => s.trim().length > 0);
const name = fc.string({ unit: fc.constantFrom('A', 'n', 'a', ' ', ',', ':', ';', 'ö'), minLength: 1, maxLength: 20 }).map((s) => s.trim()).filter((s) => s.length > 0);
const email = fc.constantFrom('ann@example.com', 'bob@example.org', 'carol@example.net', 'dave@example.com');

const conference: fc.Arbitrary<Conference | null> = fc.constantFrom<Conference | null>(
  null,
  { provider: 'zoom', url: 'https://example.zoom.us/j/123456789?pwd=abc', id: '123456789', status: 'ready' },
  { provider: 'teams', url: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0', id: null, status: 'ready' },
  { provider: 'google_meet', url: 'https://meet.google.com/abc-defg-hij', id: null, status: 'ready' },
  { provider: 'other', url: 'https://video.example.com/room/42', id: null, status: 'ready' },
);

const organizer: fc.Arbitrary<Organizer | null> = fc.option(fc.record({ email, name: fc.option(name, { nil: null }), self: fc.constant(false) }), { nil: null });

function attendees(org: Organizer | null): fc.Arbitrary<Attendee[]> {
  return fc.uniqueArray(
    fc.record({
      email,
      name: fc.option(name, { nil: null }),
      responseStatus: fc.constantFrom('needs_action', 'accepted', 'declined', 'tentative') as fc.Arbitrary<Attendee['responseStatus']>,
      optional: fc.boolean(),
    }),
    { maxLength: 3, selector: (a) => a.email },
  ).map((list) => list.map((a) => ({ ...a, organizer: org?.email === a.email, self: false })));
}

/** A wall time away from the small hours, so no value falls into a DST gap or overlap. */
export const wallTime = fc.record({
  dayOffset: fc.integer({ min: 0, max: 3 * 365 }),
  hour: fc.integer({ min: 6, max: 20 }),
  minute: fc.constantFrom(0, 15, 30, 45),
});

export function timedStart(zone: string, wall: { dayOffset: number; hour: number; minute: number }): number {
  const local = Date.UTC(2023, 0, 1) + wall.dayOffset * DAY_MS + wall.hour * 3_600_000 + wall.minute * 60_000;
  return zoneOffsets(zone).localToUtc(local);
}

export interface GeneratedResource {
  events: ProviderEvent[];
}

const base = {
  resourceId: 'res.ics',
  etag: '"etag-1"',
  recurringEventId: null,
  originalStart: null,
};

/**
 * A CalDAV resource: a single event, or a weekly/monthly master (timed in one of ZONES, or all-day) with
 * EXDATEs and moved or cancelled exceptions at real instances of its rule.
 */
export const resource: fc.Arbitrary<GeneratedResource> = fc
  .record({
    uid: fc.constantFrom('uid-1@example.com', '040000008200E00074C5B7101A82E008', 'a;b,c@example.com'),
    allDay: fc.boolean(),
    zone: fc.constantFrom(...ZONES),
    wall: wallTime,
    durationMinutes: fc.integer({ min: 15, max: 600 }),
    durationDays: fc.integer({ min: 1, max: 3 }),
    recurring: fc.boolean(),
    freq: fc.constantFrom('WEEKLY', 'MONTHLY'),
    interval: fc.integer({ min: 1, max: 3 }),
    end: fc.constantFrom('count', 'until', 'none'),
    title: fc.option(text, { nil: null }),
    description: fc.option(text, { nil: null }),
    location: fc.option(text, { nil: null }),
    status: fc.constantFrom('confirmed', 'tentative') as fc.Arbitrary<ProviderEvent['status']>,
    transparency: fc.constantFrom('opaque', 'transparent') as fc.Arbitrary<ProviderEvent['transparency']>,
    organizer,
    conference,
    updatedOffset: fc.integer({ min: 0, max: 1_000_000 }),
    exdateIndexes: fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }),
    moved: fc.uniqueArray(fc.record({ index: fc.integer({ min: 1, max: 8 }), shiftMinutes: fc.integer({ min: -180, max: 180 }), cancelled: fc.boolean() }), {
      maxLength: 3,
      selector: (m) => m.index,
    }),
  })
  .chain((spec) => attendees(spec.organizer).map((list) => ({ ...spec, attendees: list })))
  .map((spec) => {
    const startMs = spec.allDay ? Date.UTC(2023, 0, 1) + spec.wall.dayOffset * DAY_MS : timedStart(spec.zone, spec.wall);
    const time = (ms: number): EventTime => (spec.allDay ? { date: instant(ms).slice(0, 10) } : { dateTime: instant(ms), timeZone: spec.zone });
    const lengthMs = spec.allDay ? spec.durationDays * DAY_MS : spec.durationMinutes * 60_000;
    // Instances in wall time: weekly/monthly steps of the local start, converted back through the zone.
    const zone = spec.allDay ? 'UTC' : spec.zone;
    const localStart = zoneOffsets(zone).utcToLocal(startMs);
    const instanceAt = (index: number): number => {
      if (spec.freq === 'WEEKLY') return zoneOffsets(zone).localToUtc(localStart + index * spec.interval * 7 * DAY_MS);
      const d = new Date(localStart);
      const local = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + index * spec.interval, Math.min(d.getUTCDate(), 28), d.getUTCHours(), d.getUTCMinutes());
      return zoneOffsets(zone).localToUtc(local);
    };
    const rule = [`FREQ=${spec.freq}`];
    if (spec.end === 'until') rule.push(`UNTIL=${spec.allDay ? instant(instanceAt(10)).slice(0, 10).replaceAll('-', '') : formatUtcDateTime(instanceAt(10))}`);
    if (spec.end === 'count') rule.push('COUNT=12');
    if (spec.interval > 1) rule.push(`INTERVAL=${spec.interval}`);
    if (spec.freq === 'MONTHLY') rule.push(`BYMONTHDAY=${Math.min(new Date(localStart).getUTCDate(), 28)}`);
    const masterStartMs = spec.freq === 'MONTHLY' ? instanceAt(0) : startMs;
    const recurrence: string[] | null = spec.recurring ? [`RRULE:${rule.join(';')}`] : null;
    if (recurrence && spec.exdateIndexes.length > 0) {
      const values = spec.exdateIndexes.map(instanceAt);
      recurrence.push(
        spec.allDay ? `EXDATE;VALUE=DATE:${values.map((ms) => instant(ms).slice(0, 10).replaceAll('-', '')).join(',')}` : `EXDATE:${values.map(formatUtcDateTime).join(',')}`,
      );
    }
    const updated = instant(Date.UTC(2022, 5, 1) + spec.updatedOffset * 1000);
    const master: ProviderEvent = {
      ...base,
      providerEventId: spec.uid,
      iCalUID: spec.uid,
      kind: recurrence ? 'master' : 'single',
      title: spec.title,
      description: spec.description,
      location: spec.location,
      start: time(masterStartMs),
      end: time(masterStartMs + lengthMs),
      status: spec.status,
      transparency: spec.transparency,
      organizer: spec.organizer,
      attendees: spec.attendees,
      recurrence,
      conference: spec.conference,
      updated,
    };
    if (!recurrence) return { events: [master] };
    const exceptions = spec.moved
      .filter((m) => !spec.exdateIndexes.includes(m.index))
      .map((m): ProviderEvent => {
        const originalMs = instanceAt(m.index);
        const shifted = spec.allDay ? originalMs + Math.sign(m.shiftMinutes) * DAY_MS : originalMs + m.shiftMinutes * 60_000;
        const originalStart = time(originalMs);
        const key = spec.allDay ? instant(originalMs).slice(0, 10).replaceAll('-', '') : formatUtcDateTime(originalMs);
        return {
          ...master,
          providerEventId: `${spec.uid}#${key}`,
          kind: 'exception',
          title: m.cancelled ? master.title : `${master.title ?? 'moved'} (moved)`,
          start: time(shifted),
          end: time(shifted + lengthMs),
          status: m.cancelled ? 'cancelled' : master.status,
          recurrence: null,
          recurringEventId: spec.uid,
          originalStart,
        };
      });
    return { events: [master, ...exceptions] };
  });
