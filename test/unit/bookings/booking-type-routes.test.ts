import { describe, expect, it } from 'vitest';
import { createBookingTypeRoute, updateBookingTypeRoute } from '../../../shared/api/booking-types.ts';
import { API_ROUTES } from '../../../shared/api/index.ts';
import { AppError } from '../../../shared/domain/app-error.ts';
import { parseRequest } from '../../../shared/runtime/http/parse-request.ts';
import type { RouteContract } from '../../../shared/runtime/http/route.ts';
import { FUNCTIONS } from '../../../infra/topology.ts';
import { apiEvent } from '../../support/api-event.ts';

const BKT = 'bkt_01JB3Y6M2QH9N7S5V4T0W8X1ZC';

function parse(contract: RouteContract, body: unknown) {
  return parseRequest(contract, apiEvent({ method: contract.method, path: contract.path, pathParameters: contract.path.includes('{id}') ? { id: BKT } : {}, body: JSON.stringify(body) }));
}

function rejectedFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('input.invalid');
    return ((error as AppError).details?.errors as { field: string }[]).map((entry) => entry.field);
  }
  throw new Error('expected the request to be rejected');
}

const host = { calendarIds: ['cal_a', 'cal_b'], scheduleId: 'sch_1', writeCalendarId: 'cal_a' };
const valid = {
  name: 'Intro call',
  durationMinutes: 30,
  slotIntervalMinutes: 15,
  bufferBeforeMinutes: 5,
  dailyLimit: 4,
  weeklyLimit: 10,
  assignment: 'round_robin',
  hosts: [host, { ...host, calendarIds: ['cal_c'], writeCalendarId: 'cal_c', weight: 2, priority: 1 }],
  rooms: [{ calendarId: 'room_1' }],
  conference: 'google_meet',
  reminders: [{ minutesBefore: 60, channels: ['email'], to: 'invitee' }],
  recurrence: { allowed: true, maxOccurrences: 12 },
};

describe('booking type contracts', () => {
  it('accepts a full booking type as sent', () => {
    expect(parse(createBookingTypeRoute, valid).body).toEqual(valid);
  });

  it.each([
    [{ durationMinutes: 7 }, 'body.durationMinutes'],
    [{ durationMinutes: 'thirty' }, 'body.durationMinutes'],
    [{ slotIntervalMinutes: 0 }, 'body.slotIntervalMinutes'],
    [{ bufferAfterMinutes: -1 }, 'body.bufferAfterMinutes'],
    [{ horizonDays: 0 }, 'body.horizonDays'],
    [{ dailyLimit: 5, weeklyLimit: 3 }, 'body.weeklyLimit'],
    [{ assignment: 'random' }, 'body.assignment'],
    [{ hosts: [] }, 'body.hosts'],
    [{ hosts: [{ ...host, writeCalendarId: 'cal_z' }] }, 'body.hosts[0].writeCalendarId'],
    [{ hosts: [host, host] }, 'body.hosts[1].writeCalendarId'],
    [{ hosts: [{ ...host, weight: 0 }] }, 'body.hosts[0].weight'],
    [{ rooms: [{ calendarId: 'r' }, { calendarId: 'r' }] }, 'body.rooms[1].calendarId'],
    [{ conference: 'skype' }, 'body.conference'],
    [{ reminders: [{ minutesBefore: 10, channels: [], to: 'all' }] }, 'body.reminders[0].channels'],
    [{ reminders: [{ minutesBefore: 10, channels: ['fax'], to: 'all' }] }, 'body.reminders[0].channels[0]'],
    [{ recurrence: { allowed: true, maxOccurrences: 500 } }, 'body.recurrence.maxOccurrences'],
    [{ colour: 'red' }, 'body.colour'],
  ])('rejects %j naming %s', (change, field) => {
    expect(rejectedFields(() => parse(createBookingTypeRoute, { ...valid, ...change }))).toContain(field);
  });

  it('needs at least one field on PATCH and checks the ones sent', () => {
    expect(rejectedFields(() => parse(updateBookingTypeRoute, {}))).toEqual(['body']);
    expect(rejectedFields(() => parse(updateBookingTypeRoute, { durationMinutes: 3 }))).toEqual(['body.durationMinutes']);
    expect(parse(updateBookingTypeRoute, { name: 'Renamed' }).body).toEqual({ name: 'Renamed' });
  });

  it('routes every booking-type path to api-bookings, a function of the topology', () => {
    const routes = API_ROUTES.filter((route) => route.path.startsWith('/v1/booking-types'));
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      ['DELETE /v1/booking-types/{id}', 'GET /v1/booking-types', 'GET /v1/booking-types/{id}', 'GET /v1/booking-types/{id}/slots', 'PATCH /v1/booking-types/{id}', 'POST /v1/booking-types'],
    );
    expect(new Set(routes.map((route) => route.function))).toEqual(new Set(['api-bookings']));
    expect(FUNCTIONS.some((spec) => spec.name === 'api-bookings')).toBe(true);
  });
});
