import { toBookingView, type Booking } from '../../domain/booking.ts';
import type { DomainEvent } from '../../domain/domain-events.ts';
import { eventIntervalUtc, eventTimeToUtcMs } from '../../domain/event-time.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { recurrenceLineValues, rulePart } from '../../domain/event-write.ts';
import { eventIdOf } from '../sync/sync-session.ts';
import { deleteBookingMeeting, followCalendarMove } from './booking-video.ts';
import { CLAIM_LEASE_MS, claimRangesOf, publishBookingEvent, type BookingDeps } from './booking-rules.ts';
import { occurrenceStates, subtractRanges, withOccurrences, type OccurrenceState } from './booking-occurrences.ts';

export type CalendarChangeOutcome = 'not_a_booking' | 'own_change' | 'rescheduled' | 'cancelled' | 'calendar_edit_lost' | 'unchanged';

/** `created` matters only for an instance of a series: an edited or cancelled instance is first seen as a new exception. */
type ChangeEvent = DomainEvent<'calendar.event.created'> | DomainEvent<'calendar.event.updated'> | DomainEvent<'calendar.event.deleted'>;

/**
 * Two-way bookings (issue 12 §7): the host moved or deleted a booking's event in Google, Outlook or CalDAV,
 * and sync announced it (calendar.event.updated / deleted). The booking follows — rescheduled or cancelled
 * with `source: "calendar"`, its claims moved or freed — so reminders and the video meeting, which follow
 * booking.* events, follow too. Our own writes coming back are recognised (the booking carries the change it
 * is making, or already shows it). When the API changed the booking after the host's edit (last writer wins
 * by the provider's modification time), the calendar edit is recorded in the history and not applied.
 */
export async function applyCalendarChange(deps: BookingDeps, event: ChangeEvent, attempt = 0): Promise<CalendarChangeOutcome> {
  const stored = event.data.event;
  // A new event that is no instance is a booking's own creation coming back, or nobody's.
  if (event.type === 'calendar.event.created' && !stored.recurringEventId) return 'not_a_booking';
  let bookingId = event.type === 'calendar.event.created' ? null : await deps.bookings.bookingIdOfEvent(event.tenantId, stored.id);
  // One instance of a booking's series (a Google or CalDAV exception, a Graph occurrence) is not linked
  // itself: its series is.
  const seriesEventId = !bookingId && stored.recurringEventId ? eventIdOf(stored.calendarId, stored.recurringEventId) : null;
  if (seriesEventId) bookingId = await deps.bookings.bookingIdOfEvent(event.tenantId, seriesEventId);
  if (!bookingId) return 'not_a_booking';
  const booking = await deps.bookings.get(event.tenantId, bookingId);
  if (!booking || booking.status === 'cancelled') return 'unchanged';
  const deleted = event.type === 'calendar.event.deleted' || stored.status === 'cancelled';
  const nowIso = deps.clock.now().toISOString();
  if (booking.occurrences) {
    const outcome = seriesEventId ? await applyInstanceChange(deps, event, booking, seriesEventId, deleted) : await applySeriesChange(deps, event, booking, deleted);
    return outcome === 'retry' ? retry(deps, event, attempt) : outcome;
  }

  if (deleted) {
    if (booking.pending?.kind === 'cancel') return 'own_change';
    await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: booking.claim.ranges });
    const cancelled = await save(deps, {
      ...booking,
      status: 'cancelled',
      updatedAt: nowIso,
      cancelReason: 'deleted in the calendar',
      history: [...booking.history, { at: nowIso, source: 'calendar', change: 'cancelled', start: booking.start, end: booking.end }],
    }, booking.version);
    if (!cancelled) return retry(deps, event, attempt);
    await deleteBookingMeeting(deps, cancelled);
    await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'calendar', reason: 'deleted in the calendar' });
    return 'cancelled';
  }

  const interval = eventIntervalUtc(stored, booking.invitee.timeZone);
  const start = formatInstant(interval.startMs);
  const end = formatInstant(interval.endMs);
  if (start === booking.start && end === booking.end) return 'unchanged';
  if (booking.pending?.kind === 'move' && booking.pending.start === start && booking.pending.end === end) return 'own_change';
  // Last writer wins by modification time: an API change after the host's edit keeps the booking where it is.
  const editedAt = stored.updated ? Date.parse(stored.updated) : Date.parse(event.time);
  if (editedAt < Date.parse(booking.updatedAt)) {
    await save(deps, { ...booking, history: [...booking.history, { at: nowIso, source: 'calendar', change: 'calendar_edit_lost', start, end }] }, booking.version);
    return 'calendar_edit_lost';
  }

  const ranges = claimRangesOf([interval]);
  const nowMs = deps.clock.now().getTime();
  // The calendar is where the meeting now is: the claim follows it. If another booking holds that time, the
  // host double-booked on purpose; the booking still moves and the history says the time was not exclusive.
  const claimed = await deps.claims.claim({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges, leaseUntilMs: nowMs + CLAIM_LEASE_MS, nowMs });
  if (claimed.ok) await deps.claims.confirm({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges });
  else deps.log.warn('calendar-side move onto a claimed time', { bookingId: booking.id, conflicts: claimed.conflicts.length });
  const freed = subtractRanges(booking.claim.ranges, ranges);
  if (freed.length) await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });
  const previous = { start: booking.start, end: booking.end };
  const moved = await save(deps, {
    ...booking,
    start,
    end,
    claim: { resources: booking.claim.resources, ranges },
    updatedAt: nowIso,
    history: [...booking.history, { at: nowIso, source: 'calendar', change: 'rescheduled', start, end }],
  }, booking.version);
  if (!moved) return retry(deps, event, attempt);
  await followCalendarMove(deps, moved);
  await publishBookingEvent(deps, moved, 'booking.rescheduled', { booking: toBookingView(moved), source: 'calendar', previous });
  return 'rescheduled';
}

/** Someone wrote the booking meanwhile: decide again on its fresh state (a few times, then let the queue retry). */
function retry(deps: BookingDeps, event: ChangeEvent, attempt: number): Promise<CalendarChangeOutcome> {
  if (attempt >= 3) throw new AppError('storage.conflict', 'The booking kept changing while a calendar edit was applied', { retryable: true });
  return applyCalendarChange(deps, event, attempt + 1);
}

/** The booking written if nobody else wrote it first; null to start over on the fresh state. */
async function save(deps: BookingDeps, booking: Booking, expectedVersion: number): Promise<Booking | null> {
  try {
    return await deps.bookings.replace(booking, expectedVersion);
  } catch (error) {
    if (isAppError(error, 'storage.conflict')) return null;
    throw error;
  }
}

type StepOutcome = CalendarChangeOutcome | 'retry';

/**
 * The host moved or deleted ONE instance of a recurring booking's series: that occurrence (found by the
 * instance's original start in its series) is rescheduled or cancelled, its claim moved or freed. Our own
 * instance writes coming back are recognised by the pending change or by the occurrence already showing it.
 */
async function applyInstanceChange(deps: BookingDeps, event: ChangeEvent, booking: Booking, seriesEventId: string, deleted: boolean): Promise<StepOutcome> {
  const stored = event.data.event;
  if (!stored.originalStart) return 'unchanged';
  const states = occurrenceStates(booking);
  const originalStartMs = eventTimeToUtcMs(stored.originalStart, booking.invitee.timeZone);
  const index = states.findIndex((o) => o.seriesEventId === seriesEventId && o.originalStartMs === originalStartMs);
  // An instance the booking does not hold (past the end of a split series, say).
  if (index < 0) return 'unchanged';
  const occurrence = states[index]!;
  const named = formatInstant(occurrence.originalStartMs);
  const nowIso = deps.clock.now().toISOString();
  if (occurrence.status === 'cancelled') return 'unchanged';
  // While an API change is being written its instance writes (a split deletes instances on Graph) come back.
  if (booking.pending && (deleted || booking.pending.kind === 'cancel')) return 'own_change';

  if (deleted) {
    const next = states.map((o, i) => (i === index ? { ...o, status: 'cancelled' as const } : o));
    const freed = subtractRanges(claimRangesOf([occurrence]), claimRangesOf(next.filter((o) => o.status === 'confirmed')));
    if (freed.length) await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });
    const allCancelled = next.every((o) => o.status === 'cancelled');
    const cancelled = await save(deps, {
      ...withOccurrences(booking, next),
      ...(allCancelled ? { status: 'cancelled' as const, cancelReason: 'deleted in the calendar' } : {}),
      updatedAt: nowIso,
      history: [...booking.history, { at: nowIso, source: 'calendar', change: 'cancelled', start: formatInstant(occurrence.startMs), end: formatInstant(occurrence.endMs), occurrence: named }],
    }, booking.version);
    if (!cancelled) return 'retry';
    await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'calendar', reason: 'deleted in the calendar', occurrence: named, scope: 'instance' });
    return 'cancelled';
  }

  const interval = eventIntervalUtc(stored, booking.invitee.timeZone);
  if (interval.startMs === occurrence.startMs && interval.endMs === occurrence.endMs) return 'unchanged';
  const start = formatInstant(interval.startMs);
  const end = formatInstant(interval.endMs);
  if (booking.pending?.kind === 'move' && booking.pending.start === start && booking.pending.end === end) return 'own_change';
  const editedAt = stored.updated ? Date.parse(stored.updated) : Date.parse(event.time);
  if (editedAt < Date.parse(booking.updatedAt)) {
    const kept = await save(deps, { ...booking, history: [...booking.history, { at: nowIso, source: 'calendar', change: 'calendar_edit_lost', start, end, occurrence: named }] }, booking.version);
    return kept ? 'calendar_edit_lost' : 'retry';
  }
  const next = states.map((o, i) => (i === index ? { ...o, startMs: interval.startMs, endMs: interval.endMs } : o));
  await moveClaims(deps, booking, [occurrence], [next[index]!], next);
  const moved = await save(deps, {
    ...withOccurrences(booking, next),
    updatedAt: nowIso,
    history: [...booking.history, { at: nowIso, source: 'calendar', change: 'rescheduled', start, end, occurrence: named }],
  }, booking.version);
  if (!moved) return 'retry';
  const previous = { start: formatInstant(occurrence.startMs), end: formatInstant(occurrence.endMs) };
  await publishBookingEvent(deps, moved, 'booking.rescheduled', { booking: toBookingView(moved), source: 'calendar', previous, occurrence: named, scope: 'instance' });
  return 'rescheduled';
}

/**
 * A recurring booking's series event changed as a whole: deleted (its occurrences are cancelled) or moved
 * (its occurrences shift with its start). Other series edits — an UNTIL our own split wrote, a new title —
 * leave the booking as it is.
 */
async function applySeriesChange(deps: BookingDeps, event: ChangeEvent, booking: Booking, deleted: boolean): Promise<StepOutcome> {
  const stored = event.data.event;
  const states = occurrenceStates(booking);
  const members = states.map((o, i) => ({ o, i })).filter(({ o }) => o.seriesEventId === stored.id);
  if (members.length === 0) return 'unchanged';
  if (booking.pending) return 'own_change';
  const nowIso = deps.clock.now().toISOString();
  const first = members[0]!.o;
  if (deleted) {
    const cancelling = members.filter(({ o }) => o.status === 'confirmed').map(({ i }) => i);
    if (cancelling.length === 0) return 'unchanged';
    const next = states.map((o, i) => (cancelling.includes(i) ? { ...o, status: 'cancelled' as const } : o));
    const freed = subtractRanges(claimRangesOf(cancelling.map((i) => states[i]!)), claimRangesOf(next.filter((o) => o.status === 'confirmed')));
    if (freed.length) await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });
    const allCancelled = next.every((o) => o.status === 'cancelled');
    const cancelled = await save(deps, {
      ...withOccurrences(booking, next),
      ...(allCancelled ? { status: 'cancelled' as const, cancelReason: 'deleted in the calendar' } : {}),
      updatedAt: nowIso,
      history: [...booking.history, { at: nowIso, source: 'calendar', change: 'cancelled', start: formatInstant(first.startMs), end: formatInstant(first.endMs), occurrence: formatInstant(first.originalStartMs) }],
    }, booking.version);
    if (!cancelled) return 'retry';
    const scope = members[0]!.i === 0 ? 'series' : 'following';
    await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'calendar', reason: 'deleted in the calendar', occurrence: formatInstant(first.originalStartMs), scope });
    return 'cancelled';
  }
  const startMs = eventIntervalUtc(stored, booking.invitee.timeZone).startMs;
  const shiftMs = startMs - first.originalStartMs;
  if (shiftMs === 0) {
    // The same series, but its rule may leave occurrences out now: the host deleted one instance (an EXDATE,
    // as CalDAV clients do) or "this and following" (an UNTIL or a smaller COUNT, as Google does).
    const excluded = members.filter(({ o }, n) => o.status === 'confirmed' && !ruleKeeps(stored, o, n, booking.invitee.timeZone)).map(({ i }) => i);
    if (excluded.length === 0) return 'unchanged';
    const next = states.map((o, i) => (excluded.includes(i) ? { ...o, status: 'cancelled' as const } : o));
    const freed = subtractRanges(claimRangesOf(excluded.map((i) => states[i]!)), claimRangesOf(next.filter((o) => o.status === 'confirmed')));
    if (freed.length) await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });
    const named = states[excluded[0]!]!;
    const allCancelled = next.every((o) => o.status === 'cancelled');
    const cancelled = await save(deps, {
      ...withOccurrences(booking, next),
      ...(allCancelled ? { status: 'cancelled' as const, cancelReason: 'deleted in the calendar' } : {}),
      updatedAt: nowIso,
      history: [...booking.history, { at: nowIso, source: 'calendar', change: 'cancelled', start: formatInstant(named.startMs), end: formatInstant(named.endMs), occurrence: formatInstant(named.originalStartMs) }],
    }, booking.version);
    if (!cancelled) return 'retry';
    // One instance, or the tail of the series from the first one left out.
    const tail = excluded.length > 1 && members.filter(({ i }) => i >= excluded[0]!).every(({ i, o }) => excluded.includes(i) || o.status === 'cancelled');
    await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'calendar', reason: 'deleted in the calendar', occurrence: formatInstant(named.originalStartMs), scope: tail ? 'following' : 'instance' });
    return 'cancelled';
  }
  const editedAt = stored.updated ? Date.parse(stored.updated) : Date.parse(event.time);
  const start = formatInstant(first.startMs + shiftMs);
  const end = formatInstant(first.endMs + shiftMs);
  if (editedAt < Date.parse(booking.updatedAt)) {
    const kept = await save(deps, { ...booking, history: [...booking.history, { at: nowIso, source: 'calendar', change: 'calendar_edit_lost', start, end, occurrence: formatInstant(first.originalStartMs) }] }, booking.version);
    return kept ? 'calendar_edit_lost' : 'retry';
  }
  const memberIndexes = new Set(members.map(({ i }) => i));
  const next = states.map((o, i) => (memberIndexes.has(i) ? { ...o, startMs: o.startMs + shiftMs, endMs: o.endMs + shiftMs, originalStartMs: o.originalStartMs + shiftMs } : o));
  const moving = members.filter(({ o }) => o.status === 'confirmed').map(({ i }) => i);
  await moveClaims(deps, booking, moving.map((i) => states[i]!), moving.map((i) => next[i]!), next);
  const moved = await save(deps, {
    ...withOccurrences(booking, next),
    updatedAt: nowIso,
    history: [...booking.history, { at: nowIso, source: 'calendar', change: 'rescheduled', start, end, occurrence: formatInstant(first.originalStartMs) }],
  }, booking.version);
  if (!moved) return 'retry';
  const scope = members[0]!.i === 0 ? 'series' : 'following';
  await publishBookingEvent(deps, moved, 'booking.rescheduled', { booking: toBookingView(moved), source: 'calendar', previous: { start: formatInstant(first.startMs), end: formatInstant(first.endMs) }, occurrence: formatInstant(first.originalStartMs), scope });
  return 'rescheduled';
}

/**
 * The calendar is where the meeting now is: the claims follow. If another booking holds that time, the host
 * double-booked on purpose; the booking still moves, and the log says the time was not exclusive.
 */
async function moveClaims(deps: BookingDeps, booking: Booking, from: readonly OccurrenceState[], to: readonly OccurrenceState[], after: readonly OccurrenceState[]): Promise<void> {
  const ranges = claimRangesOf(to);
  const nowMs = deps.clock.now().getTime();
  const claimed = await deps.claims.claim({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges, leaseUntilMs: nowMs + CLAIM_LEASE_MS, nowMs });
  if (claimed.ok) await deps.claims.confirm({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges });
  else deps.log.warn('calendar-side move onto a claimed time', { bookingId: booking.id, conflicts: claimed.conflicts.length });
  const freed = subtractRanges(claimRangesOf(from), claimRangesOf(after.filter((o) => o.status === 'confirmed')));
  if (freed.length) await deps.claims.release({ tenantId: booking.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });
}

/**
 * Whether the series' rule (as stored now) still has the occurrence, the n-th of the series: not named by an
 * EXDATE, not after an UNTIL, within a COUNT.
 */
function ruleKeeps(series: ChangeEvent['data']['event'], occurrence: OccurrenceState, n: number, zone: string): boolean {
  const lines = series.recurrence ?? [];
  const rule = lines.find((line) => /^\s*RRULE[;:]/i.test(line));
  if (!rule) return true;
  const count = rulePart(rule, 'COUNT');
  if (count !== undefined && n >= Number(count)) return false;
  const until = rulePart(rule, 'UNTIL');
  if (until !== undefined) {
    const [untilTime] = recurrenceLineValues(`UNTIL:${until}`, 'dateTime' in series.start ? (series.start.timeZone ?? zone) : zone);
    const untilMs = untilTime ? eventTimeToUtcMs(untilTime, zone) + ('date' in untilTime ? 86_400_000 - 1 : 0) : Number.POSITIVE_INFINITY;
    if (occurrence.originalStartMs > untilMs) return false;
  }
  const excluded = lines.filter((line) => /^\s*EXDATE[;:]/i.test(line)).flatMap((line) => recurrenceLineValues(line, zone));
  return !excluded.some((time) => eventTimeToUtcMs(time, zone) === occurrence.originalStartMs);
}
