import { describe, expect, it } from 'vitest';
import { availabilityRoute, conflictsRoute } from '../../../shared/api/availability.ts';
import { updateCalendarRoute } from '../../../shared/api/calendars.ts';
import { API_ROUTES } from '../../../shared/api/index.ts';
import { createScheduleRoute, listSchedulesRoute, updateScheduleRoute } from '../../../shared/api/schedules.ts';
import { AppError } from '../../../shared/domain/app-error.ts';
import { buildOpenApiDocument } from '../../../shared/runtime/http/openapi.ts';
import { parseRequest } from '../../../shared/runtime/http/parse-request.ts';
import type { RouteContract } from '../../../shared/runtime/http/route.ts';
import { apiEvent } from '../../support/api-event.ts';

const CAL = 'cal_01JB3Y6M2QH9N7S5V4T0W8X1ZA';
const ROOM = 'cal_01JB3Y6M2QH9N7S5V4T0W8X1ZB';
const SCH = 'sch_01JB3Y6M2QH9N7S5V4T0W8X1ZC';

function parse(contract: RouteContract, input: { query?: Record<string, string>; body?: unknown }) {
  return parseRequest(
    contract,
    apiEvent({
      method: contract.method,
      path: contract.path,
      pathParameters: contract.path.includes('{id}') ? { id: SCH } : {},
      ...(input.query ? { query: input.query } : {}),
      ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
    }),
  );
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

const schedule = { name: 'Office', timeZone: 'Europe/Berlin', weekly: [{ day: 'mon', start: '09:00', end: '12:00' }, { day: 'mon', start: '13:00', end: '17:00' }] };

describe('schedule contracts', () => {
  it('accepts several ranges a day, touching ranges, 24:00 ends, overrides and days off', () => {
    const body = {
      ...schedule,
      weekly: [...schedule.weekly, { day: 'mon', start: '12:00', end: '13:00' }, { day: 'sat', start: '20:00', end: '24:00' }],
      overrides: [{ date: '2027-03-29', ranges: [] }, { date: '2027-03-30', ranges: [{ start: '10:00', end: '11:00' }] }],
    };
    expect(parse(createScheduleRoute, { body }).body).toEqual(body);
  });

  it.each([
    ['an unknown zone', { ...schedule, timeZone: 'Mars/Olympus' }, ['body.timeZone']],
    ['a missing name', { timeZone: 'UTC', weekly: [] }, ['body.name']],
    ['an unknown day', { ...schedule, weekly: [{ day: 'monday', start: '09:00', end: '17:00' }] }, ['body.weekly[0].day']],
    ['end before start', { ...schedule, weekly: [{ day: 'tue', start: '17:00', end: '09:00' }] }, ['body.weekly[0].end']],
    ['end equal to start', { ...schedule, weekly: [{ day: 'tue', start: '09:00', end: '09:00' }] }, ['body.weekly[0].end']],
    ['a malformed time', { ...schedule, weekly: [{ day: 'tue', start: '9:00', end: '17:00' }] }, ['body.weekly[0].start']],
    ['24:00 as a start', { ...schedule, weekly: [{ day: 'tue', start: '24:00', end: '24:00' }] }, ['body.weekly[0].start']],
    ['an end past 24:00', { ...schedule, weekly: [{ day: 'tue', start: '09:00', end: '24:30' }] }, ['body.weekly[0].end']],
    ['overlapping ranges of one day', { ...schedule, weekly: [{ day: 'mon', start: '09:00', end: '17:00' }, { day: 'tue', start: '10:00', end: '11:00' }, { day: 'mon', start: '12:00', end: '13:00' }] }, ['body.weekly[2].start']],
    ['a range inside a longer one after a shorter one', { ...schedule, weekly: [{ day: 'mon', start: '09:00', end: '17:00' }, { day: 'mon', start: '10:00', end: '11:00' }, { day: 'mon', start: '12:00', end: '13:00' }] }, ['body.weekly[1].start', 'body.weekly[2].start']],
    ['an impossible date', { ...schedule, overrides: [{ date: '2027-02-30', ranges: [] }] }, ['body.overrides[0].date']],
    ['a malformed date', { ...schedule, overrides: [{ date: '29.03.2027', ranges: [] }] }, ['body.overrides[0].date']],
    ['a date overridden twice', { ...schedule, overrides: [{ date: '2027-03-29', ranges: [] }, { date: '2027-03-29', ranges: [{ start: '09:00', end: '10:00' }] }] }, ['body.overrides[1].date']],
    ['overlapping override ranges', { ...schedule, overrides: [{ date: '2027-03-29', ranges: [{ start: '09:00', end: '11:00' }, { start: '10:30', end: '12:00' }] }] }, ['body.overrides[0].ranges[1].start']],
    ['a bad override end', { ...schedule, overrides: [{ date: '2027-03-29', ranges: [{ start: '09:00', end: '08:00' }] }] }, ['body.overrides[0].ranges[0].end']],
    ['an unknown field', { ...schedule, color: 'red' }, ['body.color']],
  ])('rejects %s naming the field', (_name, body, fields) => {
    expect(rejectedFields(() => parse(createScheduleRoute, { body }))).toEqual(fields);
  });

  it('PATCH checks the fields sent and needs one', () => {
    expect(parse(updateScheduleRoute, { body: { name: 'New name' } }).body).toEqual({ name: 'New name' });
    expect(rejectedFields(() => parse(updateScheduleRoute, { body: {} }))).toEqual(['body']);
    expect(rejectedFields(() => parse(updateScheduleRoute, { body: { timeZone: 'Nowhere/Place' } }))).toEqual(['body.timeZone']);
    expect(rejectedFields(() => parse(updateScheduleRoute, { body: { weekly: [{ day: 'fri', start: '10:00', end: '09:00' }] } }))).toEqual(['body.weekly[0].end']);
    expect(rejectedFields(() => parse(listSchedulesRoute, { query: { limit: '0' } }))).toEqual(['query.limit']);
  });
});

const query = { participants: [{ calendarIds: [CAL] }], start: '2026-11-02T00:00:00Z', end: '2026-11-09T00:00:00Z', durationMinutes: 30 };

describe('availability and conflicts contracts', () => {
  it('accepts the documented shape and a group of rooms', () => {
    expect(parse(availabilityRoute, { body: query }).body).toEqual(query);
    const withRooms = { ...query, mode: 'collective', participants: [{ calendarIds: [CAL], scheduleId: SCH, required: true }, { group: [{ calendarIds: [ROOM] }, { calendarIds: [CAL] }], required: 1 }] };
    expect(parse(availabilityRoute, { body: withRooms }).body).toEqual(withRooms);
  });

  it.each([
    ['no participants', { ...query, participants: [] }, ['body.participants']],
    ['51 participants', { ...query, participants: Array.from({ length: 51 }, () => ({ calendarIds: [CAL] })) }, ['body.participants']],
    ['a participant without calendars', { ...query, participants: [{ scheduleId: SCH }] }, ['body.participants[0].calendarIds']],
    ['a bad calendar id', { ...query, participants: [{ calendarIds: ['primary'] }] }, ['body.participants[0].calendarIds[0]']],
    ['a bad schedule id', { ...query, participants: [{ calendarIds: [CAL], scheduleId: 'x' }] }, ['body.participants[0].scheduleId']],
    ['only optional participants', { ...query, participants: [{ calendarIds: [CAL], required: false }] }, ['body.participants']],
    ['a count on a person', { ...query, participants: [{ calendarIds: [CAL], required: 1 }] }, ['body.participants[0].required']],
    ['a group needing more members than it has', { ...query, participants: [{ group: [{ calendarIds: [ROOM] }], required: 2 }] }, ['body.participants[0].required']],
    ['a group with calendars of its own', { ...query, participants: [{ group: [{ calendarIds: [ROOM] }], calendarIds: [CAL] }] }, ['body.participants[0].calendarIds']],
    ['an unknown mode', { ...query, mode: 'any' }, ['body.mode']],
    ['end before start', { ...query, end: query.start, start: query.end }, ['body.end']],
    ['a range over 90 days', { ...query, end: '2027-02-01T00:00:01Z' }, ['body.end']],
    ['a start that is no instant', { ...query, start: '2026-11-02' }, ['body.start']],
    ['a zero duration', { ...query, durationMinutes: 0 }, ['body.durationMinutes']],
    ['a duration longer than the range', { ...query, end: '2026-11-02T00:20:00Z' }, ['body.durationMinutes']],
    ['a fractional interval', { ...query, intervalMinutes: 7.5 }, ['body.intervalMinutes']],
    ['a negative buffer', { ...query, bufferBeforeMinutes: -5 }, ['body.bufferBeforeMinutes']],
    ['a negative notice', { ...query, minimumNoticeMinutes: -1 }, ['body.minimumNoticeMinutes']],
    ['maxResults 0', { ...query, maxResults: 0 }, ['body.maxResults']],
    ['an unknown zone', { ...query, timeZone: 'Europe/Atlantis' }, ['body.timeZone']],
  ])('availability rejects %s naming the field', (_name, body, fields) => {
    expect(rejectedFields(() => parse(availabilityRoute, { body }))).toEqual(fields);
  });

  const proposal = { calendarIds: [CAL], start: '2026-11-02T10:00:00Z', end: '2026-11-02T11:00:00Z' };
  it.each([
    ['no calendars', { ...proposal, calendarIds: [] }, ['body.calendarIds']],
    ['a bad calendar id', { ...proposal, calendarIds: ['x'] }, ['body.calendarIds[0]']],
    ['end before start', { ...proposal, end: proposal.start, start: proposal.end }, ['body.end']],
    ['a proposal over a day', { ...proposal, end: '2026-11-03T10:00:01Z' }, ['body.end']],
    ['21 alternatives', { ...proposal, alternatives: 21 }, ['body.alternatives']],
    ['a bad schedule id', { ...proposal, scheduleId: 'nope' }, ['body.scheduleId']],
    ['a negative buffer', { ...proposal, bufferAfterMinutes: -1 }, ['body.bufferAfterMinutes']],
  ])('conflicts rejects %s naming the field', (_name, body, fields) => {
    expect(rejectedFields(() => parse(conflictsRoute, { body }))).toEqual(fields);
  });

  it('calendars can be marked as rooms or resources', () => {
    expect(parse(updateCalendarRoute, { body: { kind: 'room' } }).body).toEqual({ kind: 'room' });
    expect(rejectedFields(() => parse(updateCalendarRoute, { body: { kind: 'desk' } }))).toEqual(['body.kind']);
  });

  it('documents every new route in the OpenAPI document', () => {
    const document = buildOpenApiDocument(API_ROUTES, { title: 't', version: '1' }) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(document.paths['/v1/schedules']!.post!.operationId).toBe('createSchedule');
    expect(document.paths['/v1/schedules/{id}']!.patch!.operationId).toBe('updateSchedule');
    expect(document.paths['/v1/availability']!.post!.operationId).toBe('findAvailability');
    expect(document.paths['/v1/conflicts']!.post!.operationId).toBe('checkConflicts');
    expect(JSON.stringify(document.paths['/v1/availability'])).toContain('group');
  });
});
