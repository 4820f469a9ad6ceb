import { inputError, isAppError } from '../../domain/app-error.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import { toBookingView, type Booking, type BookingView } from '../../domain/booking.ts';
import { newId } from '../../domain/ids.ts';
import { pickRoundRobinHost, type RoundRobinHost } from '../../domain/round-robin.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import type { BookingMeeting } from '../../ports/booking-conferencing.ts';
import { createCalendarEvent } from '../events/create-event.ts';
import { calendarMeetingJoinUrl } from './booking-video.ts';
import {
  bookingIdFor,
  checkBookable,
  CLAIM_LEASE_MS,
  claimRangesOf,
  claimResourcesOf,
  freeInStore,
  freeLive,
  hostsUnderLimits,
  occurrencesOf,
  publishBookingEvent,
  slotUnavailable,
  type BookingDeps,
  type Occurrence,
} from './booking-rules.ts';

export interface BookingInvitee {
  name: string;
  email: string;
  timeZone: string;
  phone?: string | undefined;
}

export interface CreateBookingInput {
  tenantId: string;
  bookingTypeId: string;
  start: string;
  invitee: BookingInvitee;
  notes?: string | undefined;
  recurrence?: { rrule: string } | undefined;
  /** The Idempotency-Key: the same key is the same booking (and the same provider event). */
  key?: string | undefined;
}

const ROUND_ROBIN_PERIOD_DAYS = 30;

/**
 * POST /v1/bookings (scheduling.md §2, §4). The time is checked against the store (working hours, busy
 * time with buffers, the slot grid) and then live at the provider; the host (round-robin: the one furthest
 * below its share) and a room are claimed in DynamoDB (conditional, atomic across instances) with a lease;
 * the provider event is written on the host's write calendar with the invitee, the other hosts and the
 * room as attendees; the claim is confirmed and the booking stored and announced. Any failure after the
 * claim frees it. A taken time is `booking.slot_unavailable` (409) with alternatives.
 *
 * @example
 *   const { booking } = await createBooking(deps, { tenantId, bookingTypeId, start, invitee, key });
 */
export async function createBooking(deps: BookingDeps, input: CreateBookingInput): Promise<{ booking: BookingView; created: boolean }> {
  const bookingType = await deps.bookingTypes.get(input.tenantId, input.bookingTypeId);
  if (!bookingType) throw inputError('body.bookingTypeId', 'no booking type with this id');
  const startMs = Date.parse(input.start);
  const occurrences = occurrencesOf(bookingType, startMs, input.invitee.timeZone, input.recurrence?.rrule);
  const now = deps.clock.now();
  checkBookable(bookingType, occurrences, now.getTime(), 'body.start');

  const bookingId = bookingIdFor(input.tenantId, input.key, () => newId('bkg', now.getTime()));
  const existing = await deps.bookings.get(input.tenantId, bookingId);
  if (existing) return { booking: toBookingView(existing), created: false };

  const free = await freeInStore(deps, input.tenantId, bookingType, occurrences, 'body.start');
  if (free.collisions.length > 0 || free.hosts.length === 0) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, free.collisions.length ? free.collisions : occurrences);

  const ranges = claimRangesOf(occurrences);
  // Daily/weekly limits per host: a host at its limit is not free for this booking (collective: nobody is).
  const underLimits = await hostsUnderLimits(deps, input.tenantId, bookingType, free.hosts, startMs);
  const eligible = bookingType.assignment === 'collective' ? (underLimits.size === free.hosts.length ? free.hosts : []) : free.hosts.filter((i) => underLimits.has(i));
  if (eligible.length === 0) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, occurrences);
  const hostOrder = await hostCandidates(deps, input.tenantId, bookingType, eligible);
  const roomOrder: (number | null)[] = bookingType.rooms && bookingType.rooms.length > 0 ? free.rooms : [null];
  for (const hostIndexes of hostOrder) {
    const hostCalendars = hostIndexes.flatMap((i) => bookingType.hosts[i]!.calendarIds);
    if (!(await freeLive(deps, input.tenantId, hostCalendars, bookingType, occurrences))) continue;
    for (const roomIndex of roomOrder) {
      if (roomIndex !== null && !(await freeLive(deps, input.tenantId, [bookingType.rooms![roomIndex]!.calendarId], bookingType, occurrences))) continue;
      const resources = claimResourcesOf(bookingType, hostIndexes, roomIndex);
      const claimed = await deps.claims.claim({ tenantId: input.tenantId, bookingId, resources, ranges, leaseUntilMs: now.getTime() + CLAIM_LEASE_MS, nowMs: now.getTime() });
      if (!claimed.ok) {
        // The room (or the host) went to a concurrent booking: try the next room, then the next host.
        if (claimed.conflicts.every((c) => roomIndex !== null && c.resource === resources.at(-1))) continue;
        break;
      }
      try {
        const booking = await writeBooking(deps, input, bookingType, bookingId, occurrences, hostIndexes, roomIndex, resources);
        return booking;
      } catch (error) {
        await deps.claims.release({ tenantId: input.tenantId, bookingId, resources, ranges }).catch((releaseError: unknown) => {
          // The lease expires by itself; the next attempt can take it over.
          deps.log.warn('booking claim release failed', { bookingId, error: String(releaseError) });
        });
        throw error;
      }
    }
  }
  throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, occurrences);
}

/** Collective: all hosts at once. Round-robin: free hosts, best first (fair share, priority, least recent). */
async function hostCandidates(deps: BookingDeps, tenantId: string, bookingType: BookingType, freeHosts: readonly number[]): Promise<number[][]> {
  if (bookingType.assignment === 'collective') return [bookingType.hosts.map((_host, index) => index)];
  const since = new Date(deps.clock.now().getTime() - ROUND_ROBIN_PERIOD_DAYS * 86_400_000).toISOString();
  const stats = await deps.bookings.hostStats(tenantId, bookingType.id, since);
  const pool: RoundRobinHost[] = freeHosts.map((index) => ({
    id: String(index),
    weight: bookingType.hosts[index]!.weight ?? 1,
    priority: bookingType.hosts[index]!.priority ?? 0,
    bookingsInPeriod: stats.get(index)?.count ?? 0,
    lastBookedAtMs: stats.get(index)?.lastBookedAtMs ?? null,
  }));
  const order: number[][] = [];
  const remaining = new Set(pool.map((host) => host.id));
  while (remaining.size > 0) {
    const next = pickRoundRobinHost(pool, remaining);
    if (!next) break;
    order.push([Number(next.id)]);
    remaining.delete(next.id);
  }
  return order;
}

async function emailOfCalendar(deps: BookingDeps, tenantId: string, calendarId: string): Promise<{ email: string; name?: string } | null> {
  const calendar = await deps.writes.calendars.get(tenantId, calendarId);
  if (!calendar) return null;
  // Google names calendars (resource calendars too) by their address; otherwise the account's address.
  if (calendar.providerCalendarId.includes('@')) return { email: calendar.providerCalendarId, name: calendar.name };
  const connection = await deps.writes.connections.get(tenantId, calendar.connectionId);
  return connection?.accountEmail ? { email: connection.accountEmail } : null;
}

async function writeBooking(
  deps: BookingDeps,
  input: CreateBookingInput,
  bookingType: BookingType,
  bookingId: string,
  occurrences: readonly Occurrence[],
  hostIndexes: readonly number[],
  roomIndex: number | null,
  resources: string[],
): Promise<{ booking: BookingView; created: boolean }> {
  const organizer = bookingType.hosts[hostIndexes[0]!]!;
  const hostContacts = await Promise.all(hostIndexes.map((i) => emailOfCalendar(deps, input.tenantId, bookingType.hosts[i]!.writeCalendarId)));
  const room = roomIndex === null ? null : bookingType.rooms![roomIndex]!;
  const roomContact = room ? await emailOfCalendar(deps, input.tenantId, room.calendarId) : null;
  const attendees = [
    { email: input.invitee.email, name: input.invitee.name },
    ...hostContacts.slice(1).flatMap((contact) => (contact ? [{ email: contact.email, ...(contact.name ? { name: contact.name } : {}) }] : [])),
    ...(roomContact ? [{ email: roomContact.email, name: roomContact.name ?? 'Room' }] : []),
  ];
  const first = occurrences[0]!;
  let meeting: BookingMeeting | null = null;
  if (bookingType.conference === 'zoom') meeting = await zoomMeeting(deps, input, bookingType, bookingId, organizer, first);
  const description = [input.notes ? `Notes from ${input.invitee.name}: ${input.notes}` : null, meeting ? `Join Zoom: ${meeting.joinUrl}` : null, `Booking ${bookingId}`].filter(Boolean).join('\n\n');
  const conference = bookingType.conference === 'google_meet' || bookingType.conference === 'microsoft_teams' ? { provider: bookingType.conference } : undefined;
  const event = await createCalendarEvent(deps.writes, {
    tenantId: input.tenantId,
    calendarId: organizer.writeCalendarId,
    key: bookingId,
    fields: {
      title: `${bookingType.name}: ${input.invitee.name}`,
      start: formatInstant(first.startMs),
      end: formatInstant(first.endMs),
      timeZone: input.invitee.timeZone,
      description,
      ...(meeting ? { location: meeting.joinUrl } : {}),
      attendees,
      ...(conference ? { conference } : {}),
      ...(input.recurrence ? { recurrence: [`RRULE:${input.recurrence.rrule.toUpperCase().replace(/^RRULE:/, '')}`] } : {}),
    },
  });
  await deps.claims.confirm({ tenantId: input.tenantId, bookingId, resources, ranges: claimRangesOf(occurrences) });
  const nowIso = deps.clock.now().toISOString();
  const joinUrl = meeting?.joinUrl ?? (conference ? await calendarMeetingJoinUrl(deps, { tenantId: input.tenantId, calendarId: organizer.writeCalendarId, bookingId, event }) : null);
  const booking: Booking = {
    tenantId: input.tenantId,
    id: bookingId,
    bookingTypeId: bookingType.id,
    status: 'confirmed',
    start: formatInstant(first.startMs),
    end: formatInstant(first.endMs),
    hosts: hostIndexes.map((i, n) => ({ calendarId: bookingType.hosts[i]!.writeCalendarId, writeCalendarId: bookingType.hosts[i]!.writeCalendarId, ...(hostContacts[n] ? { email: hostContacts[n].email } : {}) })),
    room: room ? { calendarId: room.calendarId } : null,
    invitee: { name: input.invitee.name, email: input.invitee.email, timeZone: input.invitee.timeZone, ...(input.invitee.phone ? { phone: input.invitee.phone } : {}) },
    ...(input.notes ? { notes: input.notes } : {}),
    conference: { provider: bookingType.conference ?? 'none', joinUrl },
    ...(occurrences.length > 1 ? { occurrences: occurrences.map((o) => ({ start: formatInstant(o.startMs), end: formatInstant(o.endMs), status: 'confirmed' as const })) } : {}),
    providerEvents: [{ calendarId: organizer.writeCalendarId, eventId: event.id }],
    reminders: bookingType.reminders ?? [],
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 1,
    hostIndex: hostIndexes[0]!,
    claim: { resources, ranges: claimRangesOf(occurrences) },
    ...(input.recurrence ? { recurrence: { rrule: input.recurrence.rrule } } : {}),
    history: [{ at: nowIso, source: 'api', change: 'created', start: formatInstant(first.startMs), end: formatInstant(first.endMs) }],
  };
  // The link first: a calendar-side edit arriving right after must find its booking.
  await deps.bookings.linkEvent(input.tenantId, event.id, bookingId);
  const created = await deps.bookings.create(booking);
  if (!created) {
    const stored = await deps.bookings.get(input.tenantId, bookingId);
    if (stored) return { booking: toBookingView(stored), created: false };
  }
  await publishBookingEvent(deps, booking, 'booking.created', { booking: toBookingView(booking), source: 'api' });
  return { booking: toBookingView(booking), created: true };
}

/** A Zoom meeting through the conferencing seam; a failure leaves the booking without a link, logged, never refused. */
async function zoomMeeting(deps: BookingDeps, input: CreateBookingInput, bookingType: BookingType, bookingId: string, host: BookingType['hosts'][number], first: Occurrence): Promise<BookingMeeting | null> {
  if (!host.video) {
    deps.log.warn('zoom booking without a video connection on the host', { bookingId, bookingTypeId: bookingType.id });
    return null;
  }
  if (!deps.conferencing) {
    deps.log.warn('zoom booking but no video conferencing is wired', { bookingId });
    return null;
  }
  try {
    const result = await deps.conferencing.createMeeting({
      tenantId: input.tenantId,
      bookingId,
      connectionId: host.video.connectionId,
      ...(host.video.userId ? { userId: host.video.userId } : {}),
      title: `${bookingType.name}: ${input.invitee.name}`,
      start: formatInstant(first.startMs),
      end: formatInstant(first.endMs),
      timeZone: input.invitee.timeZone,
    });
    if (result.ok) return result.meeting;
    deps.log.warn('zoom meeting not created; booking made without a link', { bookingId, code: result.code });
  } catch (error) {
    deps.log.warn('zoom meeting not created; booking made without a link', { bookingId, code: isAppError(error) ? error.code : 'internal.unexpected' });
  }
  return null;
}
