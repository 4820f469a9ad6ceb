import { AppError, inputError, isAppError } from '../../domain/app-error.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import { toBookingView, type Booking, type BookingView, type OCCURRENCE_SCOPES } from '../../domain/booking.ts';
import { withRuleParts } from '../../domain/event-write.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import type { ClaimRange } from '../../ports/booking-claim-store.ts';
import { deleteCalendarEvent } from '../events/delete-event.ts';
import { updateCalendarEvent } from '../events/update-event.ts';
import { checkBookable, CLAIM_LEASE_MS, claimRangesOf, freeInStore, freeLive, occurrencesOf, publishBookingEvent, replaceBookingOrConflict, slotUnavailable, type BookingDeps, type Occurrence } from './booking-rules.ts';
import { hostsOpenAt, LIMIT_REACHED_DETAIL, limitLedgerFor } from './booking-limits.ts';
import { deleteBookingMeeting, moveBookingMeeting } from './booking-video.ts';
import { withLimitLock } from './limit-lock.ts';

export type OccurrenceScope = (typeof OCCURRENCE_SCOPES)[number];

/** One occurrence as the use-cases work with it: instants, and where it lives at the provider. */
export interface OccurrenceState {
  startMs: number;
  endMs: number;
  status: 'confirmed' | 'cancelled';
  /** Where its series' rule puts it: the instance's original start at the provider. */
  originalStartMs: number;
  /** The stored id of the provider series holding it. */
  seriesEventId: string;
}

/** A recurring booking's occurrences with what older stored bookings leave out filled in. */
export function occurrenceStates(booking: Booking): OccurrenceState[] {
  const firstSeries = booking.providerEvents[0]?.eventId ?? '';
  return (booking.occurrences ?? []).map((o) => ({
    startMs: Date.parse(o.start),
    endMs: Date.parse(o.end),
    status: o.status,
    originalStartMs: Date.parse(o.originalStart ?? o.start),
    seriesEventId: o.seriesEventId ?? firstSeries,
  }));
}

/** Back to the stored shape; the booking's own start/end are its first occurrence's. */
export function withOccurrences(booking: Booking, states: readonly OccurrenceState[]): Booking {
  const firstSeries = booking.providerEvents[0]?.eventId;
  return {
    ...booking,
    start: formatInstant(states[0]!.startMs),
    end: formatInstant(states[0]!.endMs),
    occurrences: states.map((o) => ({
      start: formatInstant(o.startMs),
      end: formatInstant(o.endMs),
      status: o.status,
      originalStart: formatInstant(o.originalStartMs),
      ...(o.seriesEventId !== firstSeries ? { seriesEventId: o.seriesEventId } : {}),
    })),
    claim: { resources: booking.claim.resources, ranges: claimRangesOf(states.filter((o) => o.status === 'confirmed')) },
  };
}

/** The index of the occurrence named by its original start; anything else is a 400 on `body.occurrence`. */
export function occurrenceIndexOf(states: readonly OccurrenceState[], occurrence: string): number {
  const ms = Date.parse(occurrence);
  const index = Number.isNaN(ms) ? -1 : states.findIndex((o) => o.originalStartMs === ms);
  if (index < 0) {
    const known = states.slice(0, 3).map((o) => formatInstant(o.originalStartMs));
    throw inputError('body.occurrence', `not an occurrence of this booking: give one of its occurrences' originalStart (e.g. ${known.join(', ')}${states.length > 3 ? ', …' : ''})`);
  }
  return index;
}

/** `instance` and `following` start at one occurrence: without it they are a 400 on `body.occurrence`. */
function requireOccurrenceFor(scope: OccurrenceScope | undefined, occurrence: string | undefined): void {
  if (occurrence === undefined && (scope === 'instance' || scope === 'following')) throw inputError('body.occurrence', `scope=${scope} needs the occurrence (its originalStart) it starts at`);
}

/** The occurrenceId the event write path takes for one instance: `<series event id>_<original start, basic UTC>`. */
export function instanceEventId(seriesEventId: string, originalStartMs: number): string {
  return `${seriesEventId}_${new Date(originalStartMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}

/** The calendar the booking's series event lives in. */
function calendarOfSeries(booking: Booking, seriesEventId: string): string {
  return (booking.providerEvents.find((e) => e.eventId === seriesEventId) ?? booking.providerEvents[0]!).calendarId;
}

/** `following` / `series` touch the occurrences from `index` on, grouped by the provider series holding them. */
function groupsFrom(states: readonly OccurrenceState[], index: number): { seriesEventId: string; indexes: number[] }[] {
  const groups: { seriesEventId: string; indexes: number[] }[] = [];
  for (let i = index; i < states.length; i++) {
    const group = groups.find((g) => g.seriesEventId === states[i]!.seriesEventId);
    if (group) group.indexes.push(i);
    else groups.push({ seriesEventId: states[i]!.seriesEventId, indexes: [i] });
  }
  return groups;
}

const overlaps = (a: Occurrence, b: Occurrence) => a.startMs < b.endMs && a.endMs > b.startMs;

/** The rule's times from a new first start, as the provider expands the new (or moved) series. */
function ruleTimes(bookingType: BookingType, booking: Booking, firstStartMs: number, count: number, durationMs: number): Occurrence[] {
  const rule = withRuleParts(booking.recurrence!.rrule.toUpperCase().replace(/^RRULE:/, ''), { COUNT: String(count) });
  const unbounded = { ...bookingType, durationMinutes: durationMs / 60_000, recurrence: { allowed: true, maxOccurrences: count } };
  return occurrencesOf(unbounded, firstStartMs, booking.invitee.timeZone, rule);
}

export interface OccurrenceRescheduleInput {
  tenantId: string;
  start: string;
  /** The occurrence's original start; absent: the series as a whole (from its first occurrence). */
  occurrence?: string | undefined;
  scope?: OccurrenceScope | undefined;
}

/**
 * Reschedule of a recurring booking at one occurrence: `instance` moves just it, `following` it and every
 * later one (the provider series is split: the old one ends before it, a new one starts at the new time),
 * `series` all of them by the same shift. The new times are checked like a new booking for the booking's
 * own host and room, claimed, the provider instance or series moved, and only then the old times freed;
 * the booking's occurrences carry the new times (and, after a split, the new series' original starts).
 */
export async function rescheduleOccurrences(deps: BookingDeps, booking: Booking, bookingType: BookingType, input: OccurrenceRescheduleInput): Promise<BookingView> {
  requireOccurrenceFor(input.scope, input.occurrence);
  const states = occurrenceStates(booking);
  const named = input.occurrence === undefined ? 0 : occurrenceIndexOf(states, input.occurrence);
  const scope: OccurrenceScope = input.scope ?? (input.occurrence === undefined ? 'series' : 'instance');
  const requestedMs = Date.parse(input.start);
  const shiftMs = requestedMs - states[named]!.startMs;
  if (states[named]!.status === 'cancelled') throw new AppError('resource.conflict', 'This occurrence is cancelled; make a new booking for it', { retryable: false });
  if (shiftMs === 0) return toBookingView(booking);
  if (scope === 'series' && states[0]!.startMs < deps.clock.now().getTime()) throw inputError('body.scope', 'the series has begun: move the occurrences still to come with scope=following from the next one');
  // `series` is `following` from the first occurrence, shifted alike.
  const from = scope === 'series' ? 0 : named;
  const fromStartMs = scope === 'series' ? states[0]!.startMs + shiftMs : requestedMs;

  // Where each touched occurrence goes. One instance: just there. Otherwise per provider series: the one
  // holding `from` restarts its rule at the new time (a split, or the whole series when `from` is its
  // first), later series move by the same shift.
  const next = states.map((o) => ({ ...o }));
  const writes: { seriesEventId: string; eventId: string; scope: 'instance' | 'following' | 'series'; startMs: number; endMs: number; indexes: number[] }[] = [];
  if (scope === 'instance') {
    const o = next[named]!;
    const durationMs = o.endMs - o.startMs;
    writes.push({ seriesEventId: o.seriesEventId, eventId: instanceEventId(o.seriesEventId, o.originalStartMs), scope: 'instance', startMs: requestedMs, endMs: requestedMs + durationMs, indexes: [named] });
    o.startMs = requestedMs;
    o.endMs = requestedMs + durationMs;
  } else {
    for (const group of groupsFrom(states, from)) {
      // A series with nothing left to move (its occurrences cancelled, maybe deleted at the provider) stays.
      if (group.indexes.every((i) => states[i]!.status === 'cancelled')) continue;
      const first = states[group.indexes[0]!]!;
      const firstOfSeries = states.findIndex((o) => o.seriesEventId === group.seriesEventId) === group.indexes[0];
      const durationMs = first.endMs - first.startMs;
      const holdsFrom = group.indexes[0] === from;
      const groupStartMs = holdsFrom ? fromStartMs : first.startMs + shiftMs;
      // A whole series moves its rule by the shift of the instance named; a split restarts it at the new time.
      const ruleStartMs = firstOfSeries ? first.originalStartMs + (groupStartMs - first.startMs) : groupStartMs;
      const times = ruleTimes(bookingType, booking, ruleStartMs, group.indexes.length, durationMs);
      group.indexes.forEach((index, n) => {
        next[index] = { ...next[index]!, startMs: times[n]!.startMs, endMs: times[n]!.endMs, originalStartMs: times[n]!.startMs };
      });
      writes.push({ seriesEventId: group.seriesEventId, eventId: instanceEventId(group.seriesEventId, first.originalStartMs), scope: firstOfSeries ? 'series' : 'following', startMs: groupStartMs, endMs: groupStartMs + durationMs, indexes: group.indexes });
    }
  }

  const moving = writes.flatMap((w) => w.indexes).filter((i) => states[i]!.status === 'confirmed');
  const oldTimes = moving.map((i) => states[i]!);
  const newTimes = moving.map((i) => next[i]!);
  const now = deps.clock.now();
  checkBookable(bookingType, newTimes, now.getTime(), 'body.start');
  // The booking's other occurrences hold their times: one occurrence cannot move onto another.
  const staying = states.filter((o, i) => o.status === 'confirmed' && !moving.includes(i));
  const ontoOwn = newTimes.filter((o) => staying.some((s) => overlaps(o, s)));
  if (ontoOwn.length > 0) throw await slotUnavailable(deps, input.tenantId, bookingType, newTimes, ontoOwn);

  // Concurrent bookings and moves of a type with limits take turns per host and week (limit-lock.ts), and the
  // moved occurrences are held to the daily/weekly limits on their new days like a new booking.
  return withLimitLock(deps, { tenantId: input.tenantId, owner: booking.id, bookingType, startsMs: newTimes.map((o) => o.startMs) }, async (zones) => {
    if (newTimes.length > 0) {
      const newStarts = newTimes.map((o) => o.startMs);
      const ledger = await limitLedgerFor(deps, input.tenantId, bookingType, Math.min(...newStarts), Math.max(...newTimes.map((o) => o.endMs)), { excludeOccurrences: { bookingId: booking.id, startsMs: oldTimes.map((o) => o.startMs) }, zones });
      const heldHosts = bookingType.assignment === 'collective' ? bookingType.hosts.map((_host, index) => index) : [booking.hostIndex];
      if (hostsOpenAt(ledger, bookingType, heldHosts, newStarts).length === 0) throw await slotUnavailable(deps, input.tenantId, bookingType, newTimes, newTimes, LIMIT_REACHED_DETAIL);
    }
    // Only this booking's host (and room) matter: it keeps them.
    const hostType = { ...bookingType, assignment: 'collective' as const, hosts: booking.hosts.map((host) => bookingType.hosts.find((h) => h.writeCalendarId === host.writeCalendarId) ?? bookingType.hosts[booking.hostIndex]!), rooms: booking.room ? [{ calendarId: booking.room.calendarId }] : [] };
    const free = await freeInStore(deps, input.tenantId, hostType, newTimes, 'body.start');
    // The store still shows the moving occurrences where they are: a collision with them is judged live below.
    const collisions = free.collisions.filter((o) => !oldTimes.some((old) => overlaps(o, old)));
    if (collisions.length > 0) throw await slotUnavailable(deps, input.tenantId, bookingType, newTimes, collisions);
    const calendars = [...hostType.hosts.flatMap((host) => host.calendarIds), ...(booking.room ? [booking.room.calendarId] : [])];
    if (!(await freeLive(deps, input.tenantId, calendars, bookingType, newTimes, oldTimes))) throw await slotUnavailable(deps, input.tenantId, bookingType, newTimes, newTimes);

    const ranges = claimRangesOf(newTimes);
    const oldRanges = claimRangesOf(oldTimes);
    const claimed = await deps.claims.claim({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges, leaseUntilMs: now.getTime() + CLAIM_LEASE_MS, nowMs: now.getTime() });
    if (!claimed.ok) throw await slotUnavailable(deps, input.tenantId, bookingType, newTimes, newTimes);
    const namedOriginal = formatInstant(states[named]!.originalStartMs);
    // Marked before the provider write: when the move comes back through sync it is known as ours.
    const marked = await replaceBookingOrConflict(deps, { ...booking, pending: { kind: 'move', occurrence: namedOriginal, start: formatInstant(newTimes[0]?.startMs ?? fromStartMs), end: formatInstant(newTimes[0]?.endMs ?? fromStartMs) } }, booking.version);
    const providerEvents = [...booking.providerEvents];
    try {
      for (const write of writes) {
        const event = await updateCalendarEvent(deps.writes, {
          tenantId: input.tenantId,
          calendarId: calendarOfSeries(booking, write.seriesEventId),
          eventId: write.eventId,
          scope: write.scope,
          // Names the series a split creates: a retry of the same move finds it instead of making a second one.
          key: `${booking.id}:${write.seriesEventId}:${write.eventId}:${write.startMs}`,
          fields: { start: formatInstant(write.startMs), end: formatInstant(write.endMs), timeZone: booking.invitee.timeZone },
        });
        if (write.scope === 'following' && event.id !== write.seriesEventId) {
          // The split's new series holds these occurrences from now on; its edits must find the booking too.
          await deps.bookings.linkEvent(input.tenantId, event.id, booking.id);
          providerEvents.push({ calendarId: calendarOfSeries(booking, write.seriesEventId), eventId: event.id });
          for (const index of write.indexes) next[index] = { ...next[index]!, seriesEventId: event.id };
        }
        if (write.scope === 'series') {
          // A moved series' rule instances are new (Google drops the old exceptions, an EXDATE names the old
          // time): its cancelled occurrences are cancelled again where they are now. A split carries them itself.
          for (const index of write.indexes.filter((i) => states[i]!.status === 'cancelled')) {
            await deleteCalendarEvent(deps.writes, { tenantId: input.tenantId, calendarId: calendarOfSeries(booking, write.seriesEventId), eventId: instanceEventId(write.seriesEventId, next[index]!.originalStartMs), scope: 'instance' }).catch((error: unknown) => {
              if (!isAppError(error, 'resource.not_found') && !isAppError(error, 'provider.not_found')) throw error;
            });
          }
        }
      }
    } catch (error) {
      // Not moved (or not all of it): give back what the new times took that the old ones do not hold.
      const taken = subtractRanges(ranges, claimRangesOf(states.filter((o) => o.status === 'confirmed')));
      if (taken.length) await deps.claims.release({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: taken }).catch(() => undefined);
      const { pending: _pending, ...unmarked } = marked;
      await deps.bookings.replace({ ...unmarked, providerEvents }, marked.version).catch(() => undefined);
      throw error;
    }
    await deps.claims.confirm({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges });
    const freed = subtractRanges(oldRanges, claimRangesOf(next.filter((o) => o.status === 'confirmed')));
    if (freed.length) await deps.claims.release({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });

    const nowIso = now.toISOString();
    const { pending: _pending, ...current } = marked;
    const namedNow = next[named]!;
    const moved: Booking = {
      ...withOccurrences({ ...current, providerEvents }, next),
      updatedAt: nowIso,
      history: [...booking.history, { at: nowIso, source: 'api', change: 'rescheduled', start: formatInstant(namedNow.startMs), end: formatInstant(namedNow.endMs), occurrence: namedOriginal }],
    };
    const stored = await replaceBookingOrConflict(deps, moved, marked.version);
    // The whole series moved: its Zoom series moves alike. One occurrence or the following ones keep the
    // meeting where it is — its one link serves every occurrence at whatever time it is held.
    if (scope === 'series') await moveBookingMeeting(deps, stored, bookingType);
    const previous = { start: formatInstant(states[named]!.startMs), end: formatInstant(states[named]!.endMs) };
    await publishBookingEvent(deps, stored, 'booking.rescheduled', { booking: toBookingView(stored), source: 'api', previous, ...(input.occurrence !== undefined ? { occurrence: namedOriginal } : {}), scope });
    return toBookingView(stored);
  });
}

export interface OccurrenceCancelInput {
  tenantId: string;
  reason?: string | undefined;
  /** The occurrence's original start; absent: every occurrence. */
  occurrence?: string | undefined;
  scope?: OccurrenceScope | undefined;
}

/**
 * Cancel of a recurring booking at one occurrence: `instance` cancels just it (the provider cancels the
 * instance), `following` it and every later one (its series ends before it; later series are deleted),
 * `series` every one. Their claims are freed; a booking with no confirmed occurrence left is cancelled.
 * Cancelling what is already cancelled answers the booking as it is.
 */
export async function cancelOccurrences(deps: BookingDeps, booking: Booking, input: OccurrenceCancelInput): Promise<BookingView> {
  requireOccurrenceFor(input.scope, input.occurrence);
  const states = occurrenceStates(booking);
  const named = input.occurrence === undefined ? 0 : occurrenceIndexOf(states, input.occurrence);
  const scope: OccurrenceScope = input.scope ?? (input.occurrence === undefined ? 'series' : 'instance');
  const from = scope === 'series' ? 0 : named;
  const touched = scope === 'instance' ? [named] : states.map((_o, i) => i).filter((i) => i >= from);
  const cancelling = touched.filter((i) => states[i]!.status === 'confirmed');
  if (cancelling.length === 0) return toBookingView(booking);
  const namedOriginal = formatInstant(states[named]!.originalStartMs);

  // Marked before the deletes: when they come back through sync they are known as ours.
  const marked = await replaceBookingOrConflict(deps, { ...booking, pending: { kind: 'cancel', ...(scope === 'series' ? {} : { occurrence: namedOriginal }) } }, booking.version);
  const deletes: { calendarId: string; eventId: string; scope: 'instance' | 'following' | 'series' }[] = [];
  if (scope === 'instance') {
    const o = states[named]!;
    deletes.push({ calendarId: calendarOfSeries(booking, o.seriesEventId), eventId: instanceEventId(o.seriesEventId, o.originalStartMs), scope: 'instance' });
  } else {
    for (const group of groupsFrom(states, from)) {
      const first = states[group.indexes[0]!]!;
      const firstOfSeries = states.findIndex((o) => o.seriesEventId === group.seriesEventId) === group.indexes[0];
      // Ending a series before its first instance is deleting it.
      deletes.push(
        firstOfSeries
          ? { calendarId: calendarOfSeries(booking, group.seriesEventId), eventId: group.seriesEventId, scope: 'series' }
          : { calendarId: calendarOfSeries(booking, group.seriesEventId), eventId: instanceEventId(group.seriesEventId, first.originalStartMs), scope: 'following' },
      );
    }
  }
  for (const write of deletes) {
    try {
      await deleteCalendarEvent(deps.writes, { tenantId: input.tenantId, calendarId: write.calendarId, eventId: write.eventId, scope: write.scope });
    } catch (error) {
      // Already gone at the provider or from our store (the host deleted it): nothing left to delete.
      if (!isAppError(error, 'resource.not_found') && !isAppError(error, 'provider.not_found')) throw error;
    }
  }
  const next = states.map((o, i) => (cancelling.includes(i) ? { ...o, status: 'cancelled' as const } : o));
  const freed = subtractRanges(claimRangesOf(cancelling.map((i) => states[i]!)), claimRangesOf(next.filter((o) => o.status === 'confirmed')));
  if (freed.length) await deps.claims.release({ tenantId: input.tenantId, bookingId: booking.id, resources: booking.claim.resources, ranges: freed });

  const nowIso = deps.clock.now().toISOString();
  const { pending: _pending, ...current } = marked;
  const allCancelled = next.every((o) => o.status === 'cancelled');
  const cancelled = await replaceBookingOrConflict(deps, {
    ...withOccurrences(current, next),
    ...(allCancelled ? { status: 'cancelled' as const, ...(input.reason ? { cancelReason: input.reason } : {}) } : {}),
    updatedAt: nowIso,
    history: [...booking.history, { at: nowIso, source: 'api', change: 'cancelled', start: formatInstant(states[named]!.startMs), end: formatInstant(states[named]!.endMs), occurrence: namedOriginal }],
  }, marked.version);
  // Nothing left to meet for: the series' Zoom meeting goes too (some left: its one link still serves them).
  if (allCancelled) await deleteBookingMeeting(deps, cancelled);
  await publishBookingEvent(deps, cancelled, 'booking.cancelled', { booking: toBookingView(cancelled), source: 'api', ...(input.occurrence !== undefined ? { occurrence: namedOriginal } : {}), scope, ...(input.reason ? { reason: input.reason } : {}) });
  return toBookingView(cancelled);
}

/** `from` minus `remove`, on the 5-minute granule ranges claims are made of. */
export function subtractRanges(from: readonly ClaimRange[], remove: readonly ClaimRange[]): ClaimRange[] {
  let pieces = from.map((range) => ({ ...range }));
  for (const cut of remove) {
    pieces = pieces.flatMap((piece) => {
      if (cut.endMs <= piece.startMs || cut.startMs >= piece.endMs) return [piece];
      const out: ClaimRange[] = [];
      if (cut.startMs > piece.startMs) out.push({ startMs: piece.startMs, endMs: cut.startMs });
      if (cut.endMs < piece.endMs) out.push({ startMs: cut.endMs, endMs: piece.endMs });
      return out;
    });
  }
  return pieces;
}
