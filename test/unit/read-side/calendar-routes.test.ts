import { describe, expect, it } from 'vitest';
import { freeBusyRoute, listEventsRoute, updateCalendarRoute } from '../../../shared/api/calendars.ts';
import { API_ROUTES } from '../../../shared/api/index.ts';
import { AppError } from '../../../shared/domain/app-error.ts';
import { buildOpenApiDocument } from '../../../shared/runtime/http/openapi.ts';
import { parseRequest } from '../../../shared/runtime/http/parse-request.ts';
import type { RouteContract } from '../../../shared/runtime/http/route.ts';
import { apiEvent } from '../../support/api-event.ts';

const CAL_A = 'cal_01JB3Y6M2QH9N7S5V4T0W8X1ZA';
const CAL_B = 'cal_01JB3Y6M2QH9N7S5V4T0W8X1ZB';

function parse(contract: RouteContract, input: { query?: Record<string, string>; body?: unknown; id?: string }) {
  return parseRequest(
    contract,
    apiEvent({
      method: contract.method,
      path: contract.path,
      pathParameters: contract.path.includes('{id}') ? { id: input.id ?? CAL_A } : {},
      ...(input.query ? { query: input.query } : {}),
      ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
    }),
  );
}

/** The fields a rejected request names, in order. */
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

const range = { start: '2026-11-01T00:00:00Z', end: '2026-12-01T00:00:00Z' };

describe('GET /v1/calendars/{id}/events contract', () => {
  it('parses a valid query with defaults (limit 100, expand true)', () => {
    expect(parse(listEventsRoute, { query: range }).query).toEqual({ ...range, limit: 100, expand: true, cursor: undefined });
    expect(parse(listEventsRoute, { query: { ...range, expand: 'false', limit: '500' } }).query).toMatchObject({ expand: false, limit: 500 });
  });

  it.each([
    ['a missing start', { end: range.end }, ['query.start']],
    ['a start that is not an instant', { ...range, start: '2026-11-01' }, ['query.start']],
    ['a missing end', { start: range.start }, ['query.end']],
    ['an end before the start', { start: range.end, end: range.start }, ['query.end']],
    ['an end equal to the start', { start: range.start, end: range.start }, ['query.end']],
    ['a range over 366 days', { start: '2026-01-01T00:00:00Z', end: '2027-01-02T00:00:01Z' }, ['query.end']],
    ['a limit of 0', { ...range, limit: '0' }, ['query.limit']],
    ['a limit of 501', { ...range, limit: '501' }, ['query.limit']],
    ['expand=yes', { ...range, expand: 'yes' }, ['query.expand']],
    ['a cursor with foreign characters', { ...range, cursor: 'a+b/c' }, ['query.cursor']],
  ])('rejects %s naming the field', (_name, query, fields) => {
    expect(rejectedFields(() => parse(listEventsRoute, { query }))).toEqual(fields);
  });

  it('accepts exactly 366 days and offsets', () => {
    expect(() => parse(listEventsRoute, { query: { start: '2026-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z' } })).not.toThrow();
    expect(() => parse(listEventsRoute, { query: { start: '2026-11-01T00:00:00+01:00', end: '2026-11-01T00:00:00-05:00' } })).not.toThrow();
  });

  it('rejects a malformed calendar id in the path', () => {
    expect(rejectedFields(() => parse(listEventsRoute, { query: range, id: 'primary' }))).toEqual(['params.id']);
  });
});

describe('GET /v1/free-busy contract', () => {
  it('splits, trims and de-duplicates calendar ids (comma-separated, or repeated and joined by the gateway)', () => {
    expect(parse(freeBusyRoute, { query: { ...range, calendarIds: `${CAL_A}, ${CAL_B},${CAL_A}` } }).query).toMatchObject({ calendarIds: [CAL_A, CAL_B] });
  });

  it.each([
    ['no calendarIds', { ...range }, ['query.calendarIds']],
    ['empty calendarIds', { ...range, calendarIds: ' , ' }, ['query.calendarIds']],
    ['a malformed id', { ...range, calendarIds: `${CAL_A},primary` }, ['query.calendarIds']],
    ['51 calendars', { ...range, calendarIds: Array.from({ length: 51 }, (_, i) => `cal_01JB3Y6M2QH9N7S5V4T0W8X${String(i).padStart(3, '0')}`).join(',') }, ['query.calendarIds']],
    ['a missing start', { calendarIds: CAL_A, end: range.end }, ['query.start']],
    ['an end before the start', { calendarIds: CAL_A, start: range.end, end: range.start }, ['query.end']],
    ['an unknown time zone', { ...range, calendarIds: CAL_A, timeZone: 'Mars/Olympus' }, ['query.timeZone']],
  ])('rejects %s naming the field', (_name, query, fields) => {
    expect(rejectedFields(() => parse(freeBusyRoute, { query }))).toEqual(fields);
  });

  it('names the malformed id in the message', () => {
    try {
      parse(freeBusyRoute, { query: { ...range, calendarIds: `${CAL_A},primary` } });
    } catch (error) {
      expect((error as AppError).message).toContain('"primary" is not a calendar id');
      return;
    }
    throw new Error('expected a rejection');
  });

  it('accepts 50 calendars', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `cal_01JB3Y6M2QH9N7S5V4T0W8X${String(i).padStart(3, '0')}`);
    expect((parse(freeBusyRoute, { query: { ...range, calendarIds: ids.join(',') } }).query as { calendarIds: string[] }).calendarIds).toHaveLength(50);
  });
});

describe('PATCH /v1/calendars/{id} contract', () => {
  it('accepts either field or both, and a window with one side', () => {
    expect(parse(updateCalendarRoute, { body: { syncEnabled: false } }).body).toEqual({ syncEnabled: false });
    expect(parse(updateCalendarRoute, { body: { syncWindow: { pastDays: 7 } } }).body).toEqual({ syncWindow: { pastDays: 7 } });
    expect(parse(updateCalendarRoute, { body: { syncEnabled: true, syncWindow: { pastDays: 365, futureDays: 7 } } }).body).toMatchObject({ syncEnabled: true });
  });

  it.each([
    ['pastDays below 7', { syncWindow: { pastDays: 6 } }, ['body.syncWindow.pastDays']],
    ['pastDays above 365', { syncWindow: { pastDays: 366 } }, ['body.syncWindow.pastDays']],
    ['fractional futureDays', { syncWindow: { futureDays: 30.5 } }, ['body.syncWindow.futureDays']],
    ['an unknown field', { syncEnabled: true, name: 'Work' }, ['body.name']],
    ['an unknown window field', { syncWindow: { pastDays: 30, days: 3 } }, ['body.syncWindow.days']],
    ['an empty body object', {}, ['body']],
    ['an empty window', { syncWindow: {} }, ['body.syncWindow']],
    ['a string flag', { syncEnabled: 'false' }, ['body.syncEnabled']],
  ])('rejects %s naming the field', (_name, body, fields) => {
    expect(rejectedFields(() => parse(updateCalendarRoute, { body }))).toEqual(fields);
  });

  it('rejects a missing body', () => {
    expect(rejectedFields(() => parse(updateCalendarRoute, {}))).toEqual(['body']);
  });
});

describe('OpenAPI', () => {
  it('documents the read-side routes with their query parameters', () => {
    const doc = buildOpenApiDocument(API_ROUTES, { title: 't', version: '1' }) as { paths: Record<string, Record<string, { parameters: { name: string; required: boolean }[] }>> };
    const events = doc.paths['/v1/calendars/{id}/events']!.get!;
    expect(events.parameters.map((p) => `${p.name}:${p.required}`).sort()).toEqual(['cursor:false', 'end:true', 'expand:false', 'id:true', 'limit:false', 'start:true']);
    const freeBusy = doc.paths['/v1/free-busy']!.get!;
    expect(freeBusy.parameters.map((p) => `${p.name}:${p.required}`).sort()).toEqual(['calendarIds:true', 'end:true', 'start:true', 'timeZone:false']);
    expect(doc.paths['/v1/calendars/{id}']!.patch).toBeDefined();
    expect(doc.paths['/v1/connections/{id}/calendars']!.get).toBeDefined();
  });
});
