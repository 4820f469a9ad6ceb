import { describe, expect, it } from 'vitest';
import { bookingTimerNames, bookingTimers, reminderIdOf, timerName, timerNameOf } from '../../../shared/domain/booking-timers.ts';
import type { Booking } from '../../../shared/domain/booking.ts';
import { TIMER_ID } from '../../../shared/ports/one-time-scheduler.ts';

const base = {
  tenantId: 'acme',
  id: 'bkg_01JZ8Q3W4E5R6T7Y8U9I0OPASD',
  status: 'confirmed' as Booking['status'],
  start: '2027-03-01T10:00:00Z',
  end: '2027-03-01T10:30:00Z',
  reminders: [
    { minutesBefore: 60, channels: ['email' as const], to: 'invitee' as const },
    { minutesBefore: 60, channels: ['sms' as const], to: 'hosts' as const },
  ],
};

describe('booking timers (domain)', () => {
  it('one timer per reminder and one at the end, per confirmed occurrence; none for a cancelled booking', () => {
    const timers = bookingTimers(base);
    expect(timers.map((t) => [t.payload.kind, new Date(t.atMs).toISOString()])).toEqual([
      ['reminder', '2027-03-01T09:00:00.000Z'],
      ['reminder', '2027-03-01T09:00:00.000Z'],
      ['completed', '2027-03-01T10:30:00.000Z'],
    ]);
    // Two reminders at the same offset are two reminders (their channels differ).
    expect(new Set(timers.map((t) => t.eventKey)).size).toBe(3);
    expect(bookingTimers({ ...base, status: 'cancelled' })).toEqual([]);

    const series = { ...base, occurrences: [
      { start: '2027-03-01T10:00:00Z', end: '2027-03-01T10:30:00Z', status: 'confirmed' as const },
      { start: '2027-03-02T10:00:00Z', end: '2027-03-02T10:30:00Z', status: 'cancelled' as const },
      { start: '2027-03-03T10:00:00Z', end: '2027-03-03T10:30:00Z', status: 'confirmed' as const },
    ] };
    expect(bookingTimers(series).map((t) => t.occurrence.index)).toEqual([0, 0, 0, 2, 2, 2]);
    expect(bookingTimerNames(series)).toHaveLength(9);
  });

  it('names are valid schedule names, stable per booking, occurrence and slot, and differ across tenants', () => {
    for (const name of bookingTimerNames({ ...base, occurrences: Array.from({ length: 52 }, () => ({ start: base.start, end: base.end, status: 'confirmed' as const })) })) expect(name).toMatch(TIMER_ID);
    expect(timerName('acme', base.id, 3, 1)).toBe(timerName('acme', base.id, 3, 1));
    expect(timerName('acme', base.id, 3, 1)).not.toBe(timerName('globex', base.id, 3, 1));
    expect(timerName('acme', 'an id with spaces and a very long tail that goes on and on', 0, 'end')).toMatch(TIMER_ID);
    const [first] = bookingTimers(base);
    expect(timerNameOf(first!.payload)).toBe(first!.name);
  });

  it('a moved reminder is a new reminder (its id holds the occurrence start); the same reminder keeps its id', () => {
    const moved = bookingTimers({ ...base, start: '2027-03-01T12:00:00Z', end: '2027-03-01T12:30:00Z' });
    const before = bookingTimers(base);
    expect(moved.map((t) => t.name)).toEqual(before.map((t) => t.name));
    expect(moved[0]!.eventKey).not.toBe(before[0]!.eventKey);
    expect(reminderIdOf('acme', base.id, base.start, 60, 0)).toBe(before[0]!.eventKey);
    expect(before[0]!.eventKey).toMatch(/^rmd_/);
  });
});
