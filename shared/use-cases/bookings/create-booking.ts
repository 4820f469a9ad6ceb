import { AppError, inputError, isAppError } from '../../domain/app-error.ts';
import type { BookingAttempt } from '../../domain/booking-attempt.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import { toBookingView, type Booking, type BookingView } from '../../domain/booking.ts';
import { newId } from '../../domain/ids.ts';
import { pickRoundRobinHost, type RoundRobinHost } from '../../domain/round-robin.ts';
import { zoomJoinLine } from '../../domain/meeting-link-text.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import type { BookingMeeting } from '../../ports/booking-conferencing.ts';
import { createCalendarEvent } from '../events/create-event.ts';
import { hostsOpenAt, LIMIT_REACHED_DETAIL, limitLedgerFor } from './booking-limits.ts';
import { withLimitLock } from './limit-lock.ts';
import { calendarMeetingJoinUrl } from './booking-video.ts';
import {
  bookingIdFor,
  checkBookable,
  CLAIM_LEASE_MS,
  claimRangesOf,
  claimResourcesOf,
  freeInStore,
  freeLive,
  occurrencesOf,
  publishBookingEvent,
  rruleLineOf,
  slotUnavailable,
  type BookingDeps,
  type Occurrence,
} from './booking-rules.ts';

export interface BookingInvitee {
  name: string;
  email: string;
  timeZone: string;
  phone?: string | undefined;
  locale?: string | undefined;
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
  // A retry of an attempt that never finished (a crash, a timeout): the same host and room, its own claims.
  const earlier = input.key === undefined ? null : await deps.bookings.getAttempt(input.tenantId, bookingId);
  if (earlier) return resumeAttempt(deps, input, bookingType, earlier, occurrences);

  const free = await freeInStore(deps, input.tenantId, bookingType, occurrences, 'body.start');
  if (free.collisions.length > 0 || free.hosts.length === 0) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, free.collisions.length ? free.collisions : occurrences);

  // Concurrent bookings of a type with limits take turns per host and week: each reads the ledger with the
  // others' bookings in it (limit-lock.ts).
  return withLimitLock(deps, { tenantId: input.tenantId, owner: bookingId, bookingType, startsMs: occurrences.map((o) => o.startMs) }, async (zones) => {
    const ranges = claimRangesOf(occurrences);
    // Daily/weekly limits per host, at every occurrence: a host at its limit is not free for this booking
    // (collective: nobody is). The slot list applies the same ledger, so it never offered this time.
    const ledger = await limitLedgerFor(deps, input.tenantId, bookingType, occurrences[0]!.startMs, occurrences.at(-1)!.endMs, { zones });
    const eligible = hostsOpenAt(ledger, bookingType, free.hosts, occurrences.map((o) => o.startMs));
    if (eligible.length === 0) throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, occurrences, LIMIT_REACHED_DETAIL);
    const hostOrder = await hostCandidates(deps, input.tenantId, bookingType, eligible);
    const roomOrder: (number | null)[] = bookingType.rooms && bookingType.rooms.length > 0 ? free.rooms : [null];
    let lostAt: Occurrence[] = [];
    for (const hostIndexes of hostOrder) {
      const hostCalendars = hostIndexes.flatMap((i) => bookingType.hosts[i]!.calendarIds);
      if (!(await freeLive(deps, input.tenantId, hostCalendars, bookingType, occurrences))) {
        lostAt = await liveCollisions(deps, input.tenantId, hostCalendars, bookingType, occurrences);
        continue;
      }
      for (const roomIndex of roomOrder) {
        if (roomIndex !== null && !(await freeLive(deps, input.tenantId, [bookingType.rooms![roomIndex]!.calendarId], bookingType, occurrences))) {
          lostAt = await liveCollisions(deps, input.tenantId, [bookingType.rooms![roomIndex]!.calendarId], bookingType, occurrences);
          continue;
        }
        const resources = claimResourcesOf(bookingType, hostIndexes, roomIndex);
        const claimed = await deps.claims.claim({ tenantId: input.tenantId, bookingId, resources, ranges, leaseUntilMs: now.getTime() + CLAIM_LEASE_MS, nowMs: now.getTime() });
        if (!claimed.ok) {
          // A recurring booking's 409 names the occurrences a concurrent booking took (claims hold granules).
          lostAt = occurrences.filter((_o, i) => claimed.conflicts.some((c) => c.startMs >= ranges[i]!.startMs && c.startMs < ranges[i]!.endMs));
          // The room (or the host) went to a concurrent booking: try the next room, then the next host.
          if (claimed.conflicts.every((c) => roomIndex !== null && c.resource === resources.at(-1))) continue;
          break;
        }
        const attempt: BookingAttempt = {
          tenantId: input.tenantId,
          bookingId,
          bookingTypeId: bookingType.id,
          start: formatInstant(startMs),
          invitee: { name: input.invitee.name, email: input.invitee.email, timeZone: input.invitee.timeZone, ...(input.invitee.phone ? { phone: input.invitee.phone } : {}), ...(input.invitee.locale ? { locale: input.invitee.locale } : {}) },
          ...(input.notes ? { notes: input.notes } : {}),
          ...(input.recurrence ? { recurrence: { rrule: input.recurrence.rrule } } : {}),
          ...(input.key !== undefined ? { key: input.key } : {}),
          hostIndexes,
          roomIndex,
          writeCalendarId: bookingType.hosts[hostIndexes[0]!]!.writeCalendarId,
          resources,
          ranges,
          startedAt: now.toISOString(),
          leaseUntilMs: now.getTime() + CLAIM_LEASE_MS,
        };
        return finishAttempt(deps, bookingType, attempt, occurrences);
      }
    }
    throw await slotUnavailable(deps, input.tenantId, bookingType, occurrences, lostAt.length > 0 ? lostAt : occurrences);
  });
}

/**
 * Writes the attempt down (before the provider write, so whatever happens next can be finished by a retry
 * or by the orphan reconciler), then the provider event and the booking. A failure frees the claims; a
 * crash leaves them to their lease.
 */
export async function finishAttempt(deps: BookingDeps, bookingType: BookingType, attempt: BookingAttempt, occurrences: readonly Occurrence[]): Promise<{ booking: BookingView; created: boolean }> {
  const { tenantId, bookingId, resources, ranges } = attempt;
  try {
    await deps.bookings.saveAttempt(attempt);
    return await writeBooking(deps, inputOfAttempt(attempt), bookingType, bookingId, occurrences, attempt.hostIndexes, attempt.roomIndex, resources);
  } catch (error) {
    await deps.claims.release({ tenantId, bookingId, resources, ranges }).catch((releaseError: unknown) => {
      // The lease expires by itself; the next attempt can take it over.
      deps.log.warn('booking claim release failed', { bookingId, error: String(releaseError) });
    });
    throw error;
  }
}

/**
 * The retry of an attempt that did not finish (same Idempotency-Key): it keeps the attempt's host and room,
 * so it re-claims its own granules (or takes them back once the lease has passed and nobody else did) and
 * names the same provider event, which each adapter returns instead of making a second one (Google: our
 * event id, 409 → read; Graph: the same transactionId; CalDAV: our href, If-None-Match 412 → read). The store
 * check is not repeated: the attempt's own event, if the provider write happened, is in the store by now
 * and would refuse it. The live check is, with busy time lying inside an occurrence taken to be that event.
 */
async function resumeAttempt(deps: BookingDeps, input: CreateBookingInput, bookingType: BookingType, attempt: BookingAttempt, occurrences: readonly Occurrence[]): Promise<{ booking: BookingView; created: boolean }> {
  const sameRequest = attempt.bookingTypeId === input.bookingTypeId && Date.parse(attempt.start) === Date.parse(input.start) && (attempt.recurrence?.rrule ?? null) === (input.recurrence?.rrule ?? null);
  if (!sameRequest) throw new AppError('idempotency.key_reused', 'This Idempotency-Key was used with a different request; use a new key for a new request', { retryable: false, details: { field: 'headers.idempotency-key' } });
  if (bookingType.hosts[attempt.hostIndexes[0]!]?.writeCalendarId !== attempt.writeCalendarId) {
    throw new AppError('resource.conflict', 'The booking type\'s hosts changed since this request was first made; use a new Idempotency-Key', { retryable: false });
  }
  const nowMs = deps.clock.now().getTime();
  const { tenantId, bookingId, resources, ranges } = attempt;
  const claimed = await deps.claims.claim({ tenantId, bookingId, resources, ranges, leaseUntilMs: nowMs + CLAIM_LEASE_MS, nowMs });
  if (!claimed.ok) throw await slotUnavailable(deps, tenantId, bookingType, occurrences, occurrences);
  const calendars = [...attempt.hostIndexes.flatMap((i) => bookingType.hosts[i]!.calendarIds), ...(attempt.roomIndex === null ? [] : [bookingType.rooms![attempt.roomIndex]!.calendarId])];
  for (const occurrence of occurrences) {
    if (await freeLive(deps, tenantId, calendars, bookingType, [occurrence], occurrence)) continue;
    await deps.claims.release({ tenantId, bookingId, resources, ranges }).catch(() => undefined);
    throw await slotUnavailable(deps, tenantId, bookingType, occurrences, [occurrence]);
  }
  return finishAttempt(deps, bookingType, { ...attempt, leaseUntilMs: nowMs + CLAIM_LEASE_MS }, occurrences);
}

function inputOfAttempt(attempt: BookingAttempt): CreateBookingInput {
  return { tenantId: attempt.tenantId, bookingTypeId: attempt.bookingTypeId, start: attempt.start, invitee: attempt.invitee, notes: attempt.notes, recurrence: attempt.recurrence, key: attempt.key };
}

/** Which occurrences of a recurring booking the live check refused (for the 409's `conflicts`): asked one by one, only after a refusal. */
async function liveCollisions(deps: BookingDeps, tenantId: string, calendarIds: readonly string[], bookingType: BookingType, occurrences: readonly Occurrence[]): Promise<Occurrence[]> {
  if (occurrences.length === 1) return [...occurrences];
  const busy: Occurrence[] = [];
  for (const occurrence of occurrences) if (!(await freeLive(deps, tenantId, calendarIds, bookingType, [occurrence]))) busy.push(occurrence);
  return busy;
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
  const description = [input.notes ? `Notes from ${input.invitee.name}: ${input.notes}` : null, meeting ? zoomJoinLine(meeting.joinUrl) : null, `Booking ${bookingId}`].filter(Boolean).join('\n\n');
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
      ...(input.recurrence ? { recurrence: [rruleLineOf(input.recurrence.rrule)] } : {}),
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
    invitee: { name: input.invitee.name, email: input.invitee.email, timeZone: input.invitee.timeZone, ...(input.invitee.phone ? { phone: input.invitee.phone } : {}), ...(input.invitee.locale ? { locale: input.invitee.locale } : {}) },
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
  let missing: string | null = null;
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
      // A recurring booking's meeting serves every occurrence (a scheduled one's link expires 30 days after it).
      ...(input.recurrence ? { recurrence: [rruleLineOf(input.recurrence.rrule)] } : {}),
    });
    if (result.ok) return result.meeting;
    if (result.code === 'video.connection_missing') missing = result.message;
    else deps.log.warn('zoom meeting not created; booking made without a link', { bookingId, code: result.code });
  } catch (error) {
    deps.log.warn('zoom meeting not created; booking made without a link', { bookingId, code: isAppError(error) ? error.code : 'internal.unexpected' });
  }
  // A disconnected connection is not a passing failure: every booking would lack its link until the booking
  // type is changed, so the booking is refused (its claim is freed by finishAttempt) with what to fix.
  if (missing !== null) {
    const hostIndex = bookingType.hosts.indexOf(host);
    throw new AppError('video.connection_missing', `Booking type ${bookingType.id} has its host's Zoom meetings on connection ${host.video.connectionId}, which was disconnected; connect Zoom again and set the host's video.connectionId, or change the booking type's conference`, {
      retryable: false,
      details: { field: `bookingType.hosts[${hostIndex}].video.connectionId`, connectionId: host.video.connectionId, bookingTypeId: bookingType.id },
    });
  }
  return null;
}
