import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { BookingType } from '../../../shared/domain/booking-type.ts';
import type { BookingView } from '../../../shared/domain/booking.ts';
import { publicFacingError, publicIdempotencyKey, toPublicBookingTypeView, toPublicBookingView } from '../../../shared/use-cases/public/public-booking.ts';

const bookingType: BookingType = {
  tenantId: 'acme',
  id: 'bkt_01JB3Y6M2QH9N7S5V4T0W8X1ZA',
  publicId: 'pub_AAAAAAAAAAAAAAAAAAAAAA',
  public: true,
  name: 'Intro',
  description: 'Say hello',
  durationMinutes: 30,
  assignment: 'collective',
  hosts: [{ calendarIds: ['cal_host_private'], scheduleId: 'sch_private', writeCalendarId: 'cal_host_private' }],
  rooms: [{ calendarId: 'cal_room_private' }],
  reminders: [{ minutesBefore: 10, channels: ['email'], to: 'hosts' }],
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 3,
};
const booking: BookingView = {
  id: 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA',
  bookingTypeId: bookingType.id,
  status: 'confirmed',
  start: '2027-01-04T09:00:00Z',
  end: '2027-01-04T09:30:00Z',
  hosts: [{ calendarId: 'cal_host_private', writeCalendarId: 'cal_host_private', email: 'host@corp.example', name: 'Hanna Host' }],
  room: { calendarId: 'cal_room_private' },
  invitee: { name: 'Ines', email: 'ines@example.com', timeZone: 'Europe/Berlin' },
  conference: { provider: 'google_meet', joinUrl: 'https://meet.example/abc' },
  providerEvents: [{ calendarId: 'cal_host_private', eventId: 'evt_private' }],
  reminders: [{ minutesBefore: 10, channels: ['email'], to: 'hosts' }],
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};
const HOST_DATA = ['cal_host_private', 'cal_room_private', 'sch_private', 'evt_private', 'host@corp.example', 'Hanna Host', 'acme', bookingType.id];

describe('public views', () => {
  it('show the page and the booking without any host data', () => {
    const text = JSON.stringify([toPublicBookingTypeView(bookingType), toPublicBookingView(booking, bookingType)]);
    for (const secret of HOST_DATA) expect(text).not.toContain(secret);
    expect(toPublicBookingTypeView(bookingType)).toEqual({ publicId: bookingType.publicId, name: 'Intro', description: 'Say hello', durationMinutes: 30 });
    expect(toPublicBookingView(booking, bookingType)).toMatchObject({ id: booking.id, invitee: booking.invitee, conference: booking.conference, bookingType: { publicId: bookingType.publicId, name: 'Intro' } });
  });
});

describe('public errors', () => {
  it('pass input, slot, not-found, rate and token errors as they are', () => {
    for (const code of ['input.invalid', 'booking.slot_unavailable', 'resource.not_found', 'auth.unauthenticated', 'request.rate_limited'] as const) {
      const error = new AppError(code, 'as is');
      expect(publicFacingError(error)).toBe(error);
    }
  });

  it('tell tenant-side errors without what their message names, keeping the status and Retry-After', () => {
    const hidden = publicFacingError(new AppError('provider.rate_limited', 'Google quota for connection con_private of host@corp.example', { retryAfterMs: 30_000 })) as AppError;
    expect(hidden.code).toBe('provider.rate_limited');
    expect(hidden.retryAfterMs).toBe(30_000);
    expect(hidden.message).not.toContain('con_private');
    const conflict = publicFacingError(new AppError('resource.conflict', "The calendar's connection is reauth_required", { details: { connectionId: 'con_private' } })) as AppError;
    expect(conflict.message).not.toContain('reauth_required');
    expect(conflict.details).toBeUndefined();
  });
});

describe('public idempotency keys', () => {
  it('repeat only the same request: another invitee or time with the same key is another booking', () => {
    const request = { start: booking.start, invitee: booking.invitee, notes: null };
    const key = publicIdempotencyKey(bookingType.publicId!, '1', request);
    expect(publicIdempotencyKey(bookingType.publicId!, '1', { ...request, start: '2027-01-04T09:00:00.000Z' })).toBe(key);
    expect(publicIdempotencyKey(bookingType.publicId!, '1', { ...request, invitee: { ...booking.invitee, email: 'eve@example.com' } })).not.toBe(key);
    expect(publicIdempotencyKey(bookingType.publicId!, '1', { ...request, start: '2027-01-04T09:30:00Z' })).not.toBe(key);
    expect(publicIdempotencyKey('pub_BBBBBBBBBBBBBBBBBBBBBB', '1', request)).not.toBe(key);
  });
});
