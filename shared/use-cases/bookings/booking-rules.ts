import { createHash } from 'node:crypto';
import { AppError, inputError, isAppError } from '../../domain/app-error.ts';
import { DEFAULT_HORIZON_DAYS, type BookingType } from '../../domain/booking-type.ts';
import type { Booking } from '../../domain/booking.ts';
import { domainEvent, type DomainEventData } from '../../domain/domain-events.ts';
import { SlotGrid } from '../../domain/slot-grid.ts';
import { wallTimeAt, wallTimeToUtcMs } from '../../domain/time-zone.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { bookingWrittenEntry } from './booking-log.ts';
import type { BookingClaimStore, ClaimRange } from '../../ports/booking-claim-store.ts';
import type { BookingConferencing } from '../../ports/booking-conferencing.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { BookingTypeStore } from '../../ports/booking-type-store.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { Log } from '../../ports/log.ts';
import { blockedBy } from '../availability/busy-sets.ts';
import { collectBusyTime } from '../availability/busy-time.ts';
import { findAvailability, type AvailabilityDeps } from '../availability/find-availability.ts';
import type { EventWriteDeps } from '../events/event-write-context.ts';
import { limitLedgerFor, slotsWithinLimits } from './booking-limits.ts';
import { availabilityQueryOf } from './booking-type-slots.ts';

/** What the booking use-cases need: availability (store + live), the stores, the event write path, the bus. */
export interface BookingDeps extends AvailabilityDeps {
  bookingTypes: Pick<BookingTypeStore, 'get'>;
  bookings: BookingStore;
  claims: BookingClaimStore;
  writes: EventWriteDeps;
  publisher: EventPublisher;
  /** Zoom (and other meetings outside the calendar provider); absent: such bookings are made without a link. */
  conferencing?: BookingConferencing | undefined;
  log: Log;
  /** The integration log: one booking.written entry per create, move and cancel. */
  integrationLog?: IntegrationLogWriter | undefined;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A pending claim outlives the provider write (API Gateway's 29 s) with margin; a crashed attempt frees it by then. */
export const CLAIM_LEASE_MS = 120_000;
const ALTERNATIVES = 5;

export interface Occurrence {
  startMs: number;
  endMs: number;
}

/**
 * A booking id from the request's Idempotency-Key: a retry after a timeout or a crash is the same booking,
 * claims the same granules (its own) and names the same provider event, so it converges instead of
 * doubling. Without a key, a fresh id.
 */
export function bookingIdFor(tenantId: string, key: string | undefined, fresh: () => string): string {
  if (key === undefined) return fresh();
  const digest = createHash('sha256').update(`${tenantId}\u0000booking\u0000${key}`).digest();
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let id = '';
  for (let i = 0; i < 26; i++) id += alphabet[digest[i]! % 32];
  return `bkg_${id}`;
}

const RRULE = /^FREQ=(DAILY|WEEKLY|MONTHLY)(;(INTERVAL=\d{1,2}|COUNT=\d{1,3}))*$/;

/**
 * The occurrences of a booking: one, or every one of `FREQ=DAILY|WEEKLY|MONTHLY;COUNT=n[;INTERVAL=k]` at the
 * same wall time in the invitee's zone (a weekly 09:00 stays 09:00 across DST). COUNT is required and
 * bounded by the booking type; each occurrence is checked and claimed.
 */
export function occurrencesOf(bookingType: BookingType, startMs: number, timeZone: string, rrule: string | undefined): Occurrence[] {
  const durationMs = bookingType.durationMinutes * MINUTE_MS;
  if (rrule === undefined) return [{ startMs, endMs: startMs + durationMs }];
  const field = 'body.recurrence.rrule';
  if (!bookingType.recurrence?.allowed) throw inputError(field, 'this booking type does not allow recurring bookings');
  const rule = rrule.toUpperCase().replace(/^RRULE:/, '');
  if (!RRULE.test(rule)) throw inputError(field, 'FREQ=DAILY|WEEKLY|MONTHLY with COUNT (and optionally INTERVAL), e.g. FREQ=WEEKLY;COUNT=6');
  const parts = new Map(rule.split(';').map((part) => part.split('=') as [string, string]));
  const count = Number(parts.get('COUNT'));
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!(count >= 1)) throw inputError(field, 'COUNT is required');
  if (count > bookingType.recurrence.maxOccurrences) throw inputError(field, `COUNT at most ${bookingType.recurrence.maxOccurrences} for this booking type`);
  if (!(interval >= 1)) throw inputError(field, 'INTERVAL from 1 to 99');
  const wall = wallTimeAt(timeZone, startMs);
  const occurrences: Occurrence[] = [];
  for (let n = 0; occurrences.length < count && n < count * 4; n++) {
    const step = n * interval;
    const date =
      parts.get('FREQ') === 'MONTHLY'
        ? new Date(Date.UTC(wall.year, wall.month - 1 + step, wall.day))
        : new Date(Date.UTC(wall.year, wall.month - 1, wall.day + step * (parts.get('FREQ') === 'WEEKLY' ? 7 : 1)));
    // A monthly rule on the 31st skips months without one (RFC 5545), it does not roll into the next month.
    if (parts.get('FREQ') === 'MONTHLY' && date.getUTCDate() !== wall.day) continue;
    const at = wallTimeToUtcMs({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: wall.hour, minute: wall.minute, second: 0 }, timeZone);
    occurrences.push({ startMs: at, endMs: at + durationMs });
  }
  return occurrences;
}

/** A booking's `recurrence.rrule` (with or without the `RRULE:` prefix) as the event's recurrence line. */
export function rruleLineOf(rrule: string): string {
  return `RRULE:${rrule.toUpperCase().replace(/^RRULE:/, '')}`;
}

/** Claims are whole 5-minute granules: the booking's times rounded outwards. */
export function claimRangesOf(occurrences: readonly Occurrence[]): ClaimRange[] {
  const granule = 5 * MINUTE_MS;
  return occurrences.map((o) => ({ startMs: Math.floor(o.startMs / granule) * granule, endMs: Math.ceil(o.endMs / granule) * granule }));
}

/** Start in the past, before the notice, past the horizon: 400 naming `field`. */
export function checkBookable(bookingType: BookingType, occurrences: readonly Occurrence[], nowMs: number, field: string): void {
  const first = occurrences[0]!;
  if (first.startMs < nowMs) throw inputError(field, 'in the past');
  if (first.startMs < nowMs + (bookingType.minimumNoticeMinutes ?? 0) * MINUTE_MS) throw inputError(field, `at least ${bookingType.minimumNoticeMinutes} minutes from now (minimum notice)`);
  const horizonEndMs = nowMs + (bookingType.horizonDays ?? DEFAULT_HORIZON_DAYS) * DAY_MS;
  if (occurrences.some((o) => o.endMs > horizonEndMs)) throw inputError(field, `beyond the booking horizon (${bookingType.horizonDays ?? DEFAULT_HORIZON_DAYS} days)`);
}

export interface FreeAt {
  /** Indexes into the type's hosts that are free for every occurrence. */
  hosts: number[];
  /** Indexes into the type's rooms free for every occurrence (empty when the type has no rooms). */
  rooms: number[];
  /** Occurrences at which the booking cannot happen. */
  collisions: Occurrence[];
}

/**
 * Who is free at every occurrence, by the store (working hours, busy time with buffers, as the slot listing
 * computes it): the same search the slots come from, so a listed slot is bookable. A start that is not on
 * the type's slot grid is a 400 on `field`.
 */
export async function freeInStore(deps: BookingDeps, tenantId: string, bookingType: BookingType, occurrences: readonly Occurrence[], field: string): Promise<FreeAt> {
  const collective = bookingType.assignment === 'collective';
  const roomsGroup = bookingType.rooms && bookingType.rooms.length > 0 ? (collective ? bookingType.hosts.length : 1) : null;
  let hosts = new Set(bookingType.hosts.map((_host, index) => index));
  let rooms = new Set((bookingType.rooms ?? []).map((_room, index) => index));
  const collisions: Occurrence[] = [];
  for (const occurrence of occurrences) {
    const result = await findAvailability(deps, {
      ...availabilityQueryOf(bookingType, tenantId, { start: formatInstant(occurrence.startMs), end: formatInstant(occurrence.endMs) }),
      minimumNoticeMinutes: 0,
      maxResults: 1,
    });
    const slot = result.slots.find((s) => Date.parse(s.start) === occurrence.startMs);
    if (!slot) {
      const grid = new SlotGrid(result.timeZone, bookingType.slotIntervalMinutes ?? bookingType.durationMinutes, occurrence.startMs - DAY_MS, occurrence.endMs + DAY_MS);
      if (!grid.isAligned(occurrence.startMs)) throw inputError(field, `not on a slot: slots start every ${bookingType.slotIntervalMinutes ?? bookingType.durationMinutes} minutes in ${result.timeZone}`);
      collisions.push(occurrence);
      continue;
    }
    const freeHosts = collective ? bookingType.hosts.map((_h, i) => i) : (slot.members?.['0'] ?? []);
    hosts = new Set(freeHosts.filter((i) => hosts.has(i)));
    if (roomsGroup !== null) rooms = new Set((slot.members?.[String(roomsGroup)] ?? []).filter((i) => rooms.has(i)));
  }
  return { hosts: [...hosts], rooms: [...rooms], collisions };
}

/**
 * The live re-check just before the write (scheduling.md §1: the store can be seconds behind): the
 * calendars' busy time read from the providers over every occurrence widened by the buffers. A calendar
 * the provider cannot answer for counts as busy: never book on a guess.
 */
export async function freeLive(deps: BookingDeps, tenantId: string, calendarIds: readonly string[], bookingType: BookingType, occurrences: readonly Occurrence[], ignore?: Occurrence | readonly Occurrence[]): Promise<boolean> {
  const ignored: readonly Occurrence[] = ignore === undefined ? [] : 'startMs' in ignore ? [ignore] : ignore;
  const beforeMs = (bookingType.bufferBeforeMinutes ?? 0) * MINUTE_MS;
  const afterMs = (bookingType.bufferAfterMinutes ?? 0) * MINUTE_MS;
  for (const occurrence of occurrences) {
    const range = { start: new Date(occurrence.startMs - beforeMs), end: new Date(occurrence.endMs + afterMs) };
    const results = await collectBusyTime(deps, { tenantId, calendarIds, range, source: 'provider' });
    for (const result of results) {
      const blocked = blockedBy(result, range.start.getTime(), range.end.getTime());
      for (let i = 0; i < blocked.length; i++) {
        const start = blocked.starts[i]!;
        const end = blocked.ends[i]!;
        // The booking's own event (a reschedule) does not block its new time.
        if (ignored.some((own) => start >= own.startMs && end <= own.endMs)) continue;
        if (start < range.end.getTime() && end > range.start.getTime()) return false;
      }
    }
  }
  return true;
}

/** The nearest free slots of the type around a refused time (the 409's `alternatives`). */
export async function alternativesNear(deps: BookingDeps, tenantId: string, bookingType: BookingType, startMs: number): Promise<{ start: string; end: string }[]> {
  const nowMs = deps.clock.now().getTime();
  const from = Math.max(nowMs, startMs - DAY_MS);
  const to = Math.min(nowMs + (bookingType.horizonDays ?? DEFAULT_HORIZON_DAYS) * DAY_MS, startMs + 2 * DAY_MS);
  if (to <= from) return [];
  const [result, ledger] = await Promise.all([
    findAvailability(deps, { ...availabilityQueryOf(bookingType, tenantId, { start: formatInstant(from), end: formatInstant(to) }), maxResults: 200 }),
    limitLedgerFor(deps, tenantId, bookingType, from, to),
  ]);
  // Alternatives on a day or in a week the limits have filled would be refused too.
  return slotsWithinLimits(ledger, bookingType, result.slots)
    .filter((slot) => Date.parse(slot.start) !== startMs)
    .sort((a, b) => Math.abs(Date.parse(a.start) - startMs) - Math.abs(Date.parse(b.start) - startMs))
    .slice(0, ALTERNATIVES)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    .map((slot) => ({ start: slot.start, end: slot.end }));
}

/** The 409 with alternatives; `detail` says why when it is not busy time (a daily or weekly limit). */
export async function slotUnavailable(deps: BookingDeps, tenantId: string, bookingType: BookingType, occurrences: readonly Occurrence[], collisions: readonly Occurrence[], detail?: string): Promise<AppError> {
  const alternatives = await alternativesNear(deps, tenantId, bookingType, occurrences[0]!.startMs).catch(() => []);
  return new AppError('booking.slot_unavailable', detail ?? (collisions.length > 1 || occurrences.length > 1 ? `${collisions.length} of ${occurrences.length} occurrences are not available` : 'This time is not available any more'), {
    retryable: false,
    details: { alternatives, conflicts: collisions.map((o) => ({ start: formatInstant(o.startMs), end: formatInstant(o.endMs) })) },
  });
}

/** The claim resources of a booking: each host's write calendar it holds, and its room. */
export function claimResourcesOf(bookingType: BookingType, hostIndexes: readonly number[], roomIndex: number | null): string[] {
  const resources = hostIndexes.map((i) => `cal:${bookingType.hosts[i]!.writeCalendarId}`);
  if (roomIndex !== null) resources.push(`cal:${bookingType.rooms![roomIndex]!.calendarId}`);
  return resources;
}

/** Writes the booking over `expectedVersion`; someone else's write in between is a 409 the caller can repeat. */
export async function replaceBookingOrConflict(deps: Pick<BookingDeps, 'bookings'>, booking: Booking, expectedVersion: number): Promise<Booking> {
  try {
    return await deps.bookings.replace(booking, expectedVersion);
  } catch (error) {
    if (isAppError(error, 'storage.conflict')) throw new AppError('resource.conflict', 'The booking changed meanwhile; repeat the request', { retryable: true });
    throw error;
  }
}

/** booking.* with an id stable per booking version: a retried request re-publishes the same event id. */
export async function publishBookingEvent<T extends 'booking.created' | 'booking.rescheduled' | 'booking.cancelled'>(deps: BookingDeps, booking: Booking, type: T, data: DomainEventData<T>): Promise<void> {
  await deps.publisher.publish([domainEvent(type, booking.tenantId, data, { time: deps.clock.now(), idempotencyParts: [booking.id, String(booking.version)] })]);
  await recordIntegrationEvent(deps, await bookingWrittenEntry(deps, booking, type, (data as { source?: string }).source ?? 'api', deps.clock.now()));
}
