import { BookingLimitLedger, hasLimits, limitReadRange, type BookedOccurrence } from '../../domain/booking-limits.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import type { Booking } from '../../domain/booking.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';

export interface BookingLimitDeps {
  bookings: Pick<BookingStore, 'list'>;
  schedules: Pick<ScheduleStore, 'getMany'>;
}

/** The 409's detail when a limit, not busy time, refuses the time. */
export const LIMIT_REACHED_DETAIL = "The booking type's daily or weekly limit is reached at this time";

const PAGE_SIZE = 200;
const MAX_PAGES = 20;

/** Each host's schedule zone, in host order: the zone its local days and ISO weeks are counted in. */
export async function hostZonesOf(deps: Pick<BookingLimitDeps, 'schedules'>, tenantId: string, bookingType: BookingType): Promise<string[]> {
  const schedules = await deps.schedules.getMany(tenantId, [...new Set(bookingType.hosts.map((host) => host.scheduleId))]);
  return bookingType.hosts.map((host) => schedules.get(host.scheduleId)?.timeZone ?? 'UTC');
}

/**
 * The limit ledger of a booking type around [fromMs, toMs): its confirmed occurrences (each occurrence of a
 * recurring booking counts on its own day) in the hosts' schedule zones. Null when the type has no limits,
 * so callers skip the read. `excludeBookingId`: a booking being moved does not count against its new time;
 * `excludeOccurrences`: just those occurrences of it (moved ones of a series). `zones`: the hosts' zones when
 * the caller has read them already (withLimitLock has).
 */
export async function limitLedgerFor(
  deps: BookingLimitDeps,
  tenantId: string,
  bookingType: BookingType,
  fromMs: number,
  toMs: number,
  options: { excludeBookingId?: string | undefined; excludeOccurrences?: { bookingId: string; startsMs: readonly number[] } | undefined; zones?: readonly string[] | undefined } = {},
): Promise<BookingLimitLedger | null> {
  if (!hasLimits(bookingType)) return null;
  const zones = options.zones ?? (await hostZonesOf(deps, tenantId, bookingType));
  const range = limitReadRange(fromMs, toMs);
  const booked: BookedOccurrence[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    // A recurring booking's start is its first occurrence: when the type allows series, one that began long
    // before the range can still have occurrences in it, so only the end of the range filters the listing.
    const result = await deps.bookings.list(
      tenantId,
      { bookingTypeId: bookingType.id, status: 'confirmed', end: formatInstant(range.toMs), ...(bookingType.recurrence?.allowed ? {} : { start: formatInstant(range.fromMs) }) },
      { cursor, limit: PAGE_SIZE },
    );
    for (const booking of result.items) {
      if (booking.id === options.excludeBookingId) continue;
      // Occurrences being moved leave their old days; the booking's others stay where they are.
      const leaving = booking.id === options.excludeOccurrences?.bookingId ? new Set(options.excludeOccurrences.startsMs) : null;
      for (const startMs of confirmedStartsOf(booking)) {
        if (startMs >= range.fromMs && startMs < range.toMs && !leaving?.has(startMs)) booked.push({ hostIndex: booking.hostIndex, startMs });
      }
    }
    if (!result.cursor) break;
    cursor = result.cursor;
  }
  return new BookingLimitLedger(bookingType, bookingType.assignment === 'collective', zones, booked);
}

function confirmedStartsOf(booking: Booking): number[] {
  if (!booking.occurrences) return [Date.parse(booking.start)];
  return booking.occurrences.filter((o) => o.status === 'confirmed').map((o) => Date.parse(o.start));
}

/**
 * Of `hostIndexes`, those that may take one more booking at every start. Collective types: all of them or
 * none (a collective booking needs every host).
 */
export function hostsOpenAt(ledger: BookingLimitLedger | null, bookingType: BookingType, hostIndexes: readonly number[], startsMs: readonly number[]): number[] {
  if (ledger === null) return [...hostIndexes];
  const open = hostIndexes.filter((index) => ledger.isOpenAtAll(index, startsMs));
  if (bookingType.assignment === 'collective') return open.length === hostIndexes.length ? [...hostIndexes] : [];
  return open;
}

/**
 * Slots of the type that the limits leave bookable: collective = every host under its limits; round-robin =
 * at least one of the hosts free at the slot (`members['0']`) under its limits.
 */
export function slotsWithinLimits<S extends { start: string; members?: Record<string, number[]> | undefined }>(ledger: BookingLimitLedger | null, bookingType: BookingType, slots: readonly S[]): S[] {
  if (ledger === null) return [...slots];
  const allHosts = bookingType.hosts.map((_host, index) => index);
  return slots.filter((slot) => {
    const startMs = Date.parse(slot.start);
    const candidates = bookingType.assignment === 'collective' ? allHosts : (slot.members?.['0'] ?? []);
    return hostsOpenAt(ledger, bookingType, candidates, [startMs]).length > 0;
  });
}
