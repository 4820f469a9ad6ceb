import type { ProviderEvent } from '../../domain/calendar-event.ts';
import type { TimeRange } from '../../domain/calendar.ts';
import { eventIntervalUtc, eventTimeToUtcMs } from '../../domain/event-time.ts';

/** The UNTIL of a series' RRULE lines, as epoch ms, or null when the series is unbounded or counted. */
export function seriesUntilMs(recurrence: readonly string[] | null): number | null {
  let latest: number | null = null;
  for (const line of recurrence ?? []) {
    if (!/^RRULE[:;]/i.test(line)) continue;
    const until = /UNTIL=(\d{8})(T(\d{6})Z?)?/i.exec(line);
    if (!until) return null; // an unbounded or COUNT-bounded rule: keep the series
    const [, date, , time] = until;
    const ms = Date.UTC(Number(date!.slice(0, 4)), Number(date!.slice(4, 6)) - 1, Number(date!.slice(6, 8)), Number(time?.slice(0, 2) ?? 23), Number(time?.slice(2, 4) ?? 59), Number(time?.slice(4, 6) ?? 59));
    latest = Math.max(latest ?? ms, ms);
  }
  return latest;
}

/**
 * Whether a provider event belongs to the mirrored window. A series belongs when any instance may fall in it
 * (it starts before the window ends and its UNTIL, if any, is not before the window starts); an instance of
 * a series belongs by its original start (it replaces or removes that instance, wherever it moved), and a
 * live one also by overlap (moved into the window); everything else by overlap. Google
 * keeps sending changes outside the window after the first full sync (providers.md A2), so this filter is
 * ours to apply.
 */
export function isInSyncWindow(event: ProviderEvent, window: TimeRange, zone: string | null): boolean {
  const windowStart = window.start.getTime();
  const windowEnd = window.end.getTime();
  if (event.kind === 'master') {
    const seriesStart = eventTimeToUtcMs(event.start, zone);
    const until = seriesUntilMs(event.recurrence);
    // Slack of 14 h for all-day series and UNTIL dates without a time of day.
    return seriesStart < windowEnd + 50_400_000 && (until === null || until >= windowStart - 50_400_000);
  }
  if (event.originalStart) {
    // An instance replaces the series' instance at its original start: inside the window it must be kept
    // wherever it was moved (out of the window too), or the master would put the original back there.
    const original = eventTimeToUtcMs(event.originalStart, zone);
    const originalInWindow = original >= windowStart - 50_400_000 && original < windowEnd + 50_400_000;
    if (event.status === 'cancelled' || originalInWindow) return originalInWindow;
  }
  const { startMs, endMs } = eventIntervalUtc(event, zone);
  return startMs < windowEnd && (endMs > windowStart || (endMs === startMs && startMs >= windowStart));
}
