import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CalendarEvent, ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import type { Occurrence } from '../../../shared/ports/recurrence-expander.ts';
import { parseCalendarResource } from '../../../shared/providers/caldav/ical/index.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/index.ts';
import { zoneOffsets } from '../../../shared/recurrence/zone-offsets.ts';

/**
 * The real-world iCalendar corpus lives beside the repository (`../shared/fixtures/ics`, reference material we
 * do not copy into the project). `ICS_FIXTURES_DIR` points elsewhere when the checkout is not beside it. A
 * missing corpus fails the run with this message: these tests must never be skipped silently.
 */
function locateFixtures(): string {
  const candidates = [
    process.env.ICS_FIXTURES_DIR,
    path.resolve(import.meta.dirname, '../../../../shared/fixtures/ics'),
    '/work/shared/fixtures/ics',
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(path.join(dir, 'MANIFEST.md')));
  if (!found) {
    throw new Error(`The iCalendar fixture corpus was not found (looked in: ${candidates.join(', ')}). Set ICS_FIXTURES_DIR to the folder that holds MANIFEST.md and the .ics files.`);
  }
  return found;
}

export const FIXTURE_DIR = locateFixtures();

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((name) => name.endsWith('.ics'))
    .sort();
}

export function readFixture(name: string): string {
  return readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
}

export interface OracleOccurrence {
  uid: string | null;
  is_override: boolean;
  start: string;
  end: string;
  start_utc: string | null;
  end_utc: string | null;
  kind: 'zoned' | 'utc' | 'floating' | 'date';
  zone: string | null;
  status: string | null;
  summary: string | null;
}

export interface OracleFile {
  file: string;
  window?: { start: string; end: string };
  caveats?: string[];
  machine_tz_dependence?: unknown[];
  count?: number;
  occurrences?: OracleOccurrence[];
  source_of_expectations?: string;
  assertions?: Record<string, unknown>;
}

export function readExpectations(name: string): OracleFile {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, `${name}.expected.json`), 'utf8')) as OracleFile;
}

/** The comparable shape of one occurrence: instants in UTC (`…Z`) for timed, dates for all-day. */
export interface Comparable {
  uid: string | null;
  override: boolean;
  start: string;
  end: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
}

function utcIso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Oracle occurrence → Comparable. Floating values are read as UTC, which is what the parser does without a calendar zone. */
export function fromOracle(occurrence: OracleOccurrence): Comparable {
  const instant = (utc: string | null, local: string): string => utc ?? `${local}Z`;
  const status = (occurrence.status ?? 'CONFIRMED').toLowerCase();
  return {
    uid: occurrence.uid,
    override: occurrence.is_override,
    start: occurrence.kind === 'date' ? occurrence.start : instant(occurrence.start_utc, occurrence.start),
    end: occurrence.kind === 'date' ? occurrence.end : instant(occurrence.end_utc, occurrence.end),
    status: status === 'tentative' || status === 'cancelled' ? status : 'confirmed',
  };
}

export function fromOccurrence(occurrence: Occurrence): Comparable {
  const { event } = occurrence;
  return {
    uid: event.iCalUID,
    override: event.kind === 'exception',
    start: occurrence.startDate ?? utcIso(occurrence.startMs),
    end: occurrence.endDate ?? utcIso(occurrence.endMs),
    status: event.status,
  };
}

export function sortComparables(list: readonly Comparable[]): Comparable[] {
  const key = (c: Comparable): string => `${c.start}|${c.uid ?? ''}|${c.end}|${c.override}`;
  return [...list].sort((a, b) => key(a).localeCompare(key(b)));
}

export function toCalendarEvents(events: readonly ProviderEvent[], calendarId = 'cal_fixture'): CalendarEvent[] {
  return events.map((event, index) => ({
    ...event,
    tenantId: 'tenant-test',
    connectionId: 'con_fixture',
    calendarId,
    id: `evt_${index}_${event.providerEventId}`,
    contentHash: 'hash',
  }));
}

const DAY_MS = 86_400_000;

/**
 * Parses a fixture and lists its occurrences in the oracle's window: naive local bounds applied in each
 * occurrence's own zone (dates for all-day), overlap with [start, end), zero-length ones when start is inside.
 */
export function occurrencesInWindow(name: string, window: { start: string; end: string }): { occurrences: Occurrence[]; warnings: string[] } {
  const parsed = parseCalendarResource(readFixture(name), { resourceId: name, etag: null, calendarTimeZone: null });
  const windowStart = Date.parse(`${window.start}Z`);
  const windowEnd = Date.parse(`${window.end}Z`);
  const expanded = new CalendarRecurrenceExpander().expand(
    toCalendarEvents(parsed.events),
    { start: new Date(windowStart - 2 * DAY_MS), end: new Date(windowEnd + 2 * DAY_MS) },
    () => null,
  );
  const occurrences = expanded.filter((occurrence) => {
    let localStart: number;
    let localEnd: number;
    if (occurrence.startDate !== null && occurrence.endDate !== null) {
      localStart = Date.parse(`${occurrence.startDate}T00:00:00Z`);
      localEnd = Date.parse(`${occurrence.endDate}T00:00:00Z`);
    } else {
      const start = occurrence.event.start;
      const zone = 'timeZone' in start && start.timeZone ? start.timeZone : 'UTC';
      localStart = zoneOffsets(zone).utcToLocal(occurrence.startMs);
      localEnd = zoneOffsets(zone).utcToLocal(occurrence.endMs);
    }
    if (localEnd <= localStart) return localStart >= windowStart && localStart < windowEnd;
    return localStart < windowEnd && localEnd > windowStart;
  });
  return { occurrences, warnings: parsed.warnings };
}
