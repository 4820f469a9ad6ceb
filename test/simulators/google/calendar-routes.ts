import { googleErrors } from './errors.ts';
import { renderRecord, type RenderContext } from './event-resource.ts';
import { deleteEvent, insertEvent, moveEvent, renderTarget, resolveTarget, settleConferences, writeEvent } from './event-writes.ts';
import { listEvents, listInstances, type PageSizer } from './events-query.ts';
import type { Faults, RouteName } from './faults.ts';
import { queryFreeBusy, type FreeBusyLimits } from './free-busy.ts';
import { header, type SimRequest, type SimResponse } from './http-types.ts';
import type { AccessGrant, OAuthServer } from './oauth.ts';
import type { PushHub } from './push.ts';
import { maxResultsParam, zoneParam } from './query-params.ts';
import type { SimStore } from './store.ts';
import type { CalendarRecord, EventInput } from './types.ts';

/** The Calendar API v3 routes (paths stay `/calendar/v3/...` whatever the origin: providers.md item 25). */
export interface RouteDef {
  name: RouteName;
  method: string;
  pattern: RegExp;
  handle: (request: SimRequest, params: string[]) => SimResponse;
}

export interface CalendarApiContext {
  store: SimStore;
  oauth: OAuthServer;
  push: PushHub;
  faults: Faults;
  pageSizer: PageSizer;
  freeBusy: FreeBusyLimits;
  /** `next-read`: pending Meet creations complete on the next read of their calendar. */
  conferenceResolution: () => 'next-read' | 'manual';
}

const AUTH = 'https://www.googleapis.com/auth/';
const scopes = (...names: string[]): string[] => names.map((name) => AUTH + name);
const READ_EVENTS = scopes('calendar', 'calendar.readonly', 'calendar.events', 'calendar.events.readonly', 'calendar.events.owned', 'calendar.events.owned.readonly');
const WRITE_EVENTS = scopes('calendar', 'calendar.events', 'calendar.events.owned');
const READ_CALENDAR_LIST = scopes('calendar', 'calendar.readonly', 'calendar.calendarlist', 'calendar.calendarlist.readonly');
const READ_CALENDARS = scopes('calendar', 'calendar.readonly', 'calendar.calendars', 'calendar.calendars.readonly', 'calendar.app.created');
const FREE_BUSY = scopes('calendar', 'calendar.readonly', 'calendar.freebusy', 'calendar.events.freebusy');
const ANY_CALENDAR = [...new Set([...READ_EVENTS, ...READ_CALENDAR_LIST, ...READ_CALENDARS, ...FREE_BUSY])];

function parseJson(request: SimRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(request.body.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw googleErrors.badRequest('Parse Error');
  }
}

function ok(body: unknown): SimResponse {
  return { status: 200, body };
}

function calendarListEntry(calendar: CalendarRecord): Record<string, unknown> {
  return {
    kind: 'calendar#calendarListEntry',
    etag: calendar.etag,
    id: calendar.id,
    summary: calendar.summary,
    ...(calendar.description ? { description: calendar.description } : {}),
    timeZone: calendar.timeZone,
    colorId: calendar.primary ? '14' : '7',
    backgroundColor: calendar.primary ? '#9fe1e7' : '#42d692',
    foregroundColor: '#000000',
    selected: true,
    accessRole: 'owner',
    defaultReminders: [],
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
    ...(calendar.primary ? { primary: true } : {}),
  };
}

export function calendarRoutes(ctx: CalendarApiContext): RouteDef[] {
  const { store } = ctx;

  const authorize = (request: SimRequest, allowed: string[]): AccessGrant => {
    const grant = ctx.oauth.authenticate(request);
    if (!allowed.some((scope) => grant.scopes.has(scope))) throw googleErrors.insufficientPermissions();
    const limited = ctx.faults.checkRate(grant.email, store.nowMs());
    if (limited) throw limited;
    return grant;
  };
  /** The caller's own calendar (`primary` is the caller's e-mail); anything else is 404. */
  const ownCalendar = (grant: AccessGrant, rawId: string): CalendarRecord => {
    const id = rawId === 'primary' ? grant.email : rawId;
    const calendar = store.calendars.get(id);
    if (!calendar || calendar.owner !== grant.email) throw googleErrors.notFound();
    return calendar;
  };
  const readable = (calendar: CalendarRecord): CalendarRecord => {
    if (ctx.conferenceResolution() === 'next-read') settleConferences(store, calendar);
    return calendar;
  };
  const options = (request: SimRequest) => ({
    ifMatch: header(request, 'if-match') ?? null,
    conferenceDataVersion: Number(request.url.searchParams.get('conferenceDataVersion') ?? '0') || 0,
  });
  const rendered = (calendar: CalendarRecord, eventId: string): SimResponse => {
    const record = calendar.events.get(eventId);
    if (!record) throw googleErrors.notFound();
    return ok(renderRecord(record, { calendar, zone: calendar.timeZone }));
  };

  const base = '^/calendar/v3';
  const cal = '([^/]+)';
  const ev = '([^/]+)';
  return [
    {
      name: 'calendarList.list',
      method: 'GET',
      pattern: new RegExp(`${base}/users/me/calendarList$`),
      handle: (request) => {
        const grant = authorize(request, READ_CALENDAR_LIST);
        const all = store.calendarsOf(grant.email).sort((a, b) => Number(b.primary) - Number(a.primary) || (a.id < b.id ? -1 : 1));
        const size = maxResultsParam(request.url.searchParams, 100, 250);
        const token = request.url.searchParams.get('pageToken');
        const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^cl:/, '')) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw googleErrors.invalid('Invalid page token value.', 'pageToken');
        const page = all.slice(offset, offset + size);
        const more = offset + size < all.length;
        return ok({
          kind: 'calendar#calendarList',
          etag: store.nextEtag(),
          ...(more ? { nextPageToken: Buffer.from(`cl:${offset + size}`).toString('base64url') } : {}),
          items: page.map(calendarListEntry),
        });
      },
    },
    {
      name: 'calendarList.get',
      method: 'GET',
      pattern: new RegExp(`${base}/users/me/calendarList/${cal}$`),
      handle: (request, [id]) => ok(calendarListEntry(ownCalendar(authorize(request, READ_CALENDAR_LIST), id as string))),
    },
    {
      name: 'calendars.get',
      method: 'GET',
      pattern: new RegExp(`${base}/calendars/${cal}$`),
      handle: (request, [id]) => {
        const calendar = ownCalendar(authorize(request, READ_CALENDARS), id as string);
        return ok({ kind: 'calendar#calendar', etag: calendar.etag, id: calendar.id, summary: calendar.summary, timeZone: calendar.timeZone, conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] } });
      },
    },
    {
      name: 'events.watch',
      method: 'POST',
      pattern: new RegExp(`${base}/calendars/${cal}/events/watch$`),
      handle: (request, [id]) => {
        const calendar = ownCalendar(authorize(request, READ_EVENTS), id as string);
        return ok(ctx.push.watch(calendar.id, parseJson(request)));
      },
    },
    {
      name: 'events.list',
      method: 'GET',
      pattern: new RegExp(`${base}/calendars/${cal}/events$`),
      handle: (request, [id]) => {
        const calendar = readable(ownCalendar(authorize(request, READ_EVENTS), id as string));
        return ok(listEvents(store, calendar, request.url.searchParams, ctx.pageSizer));
      },
    },
    {
      name: 'events.insert',
      method: 'POST',
      pattern: new RegExp(`${base}/calendars/${cal}/events$`),
      handle: (request, [id]) => {
        const calendar = ownCalendar(authorize(request, WRITE_EVENTS), id as string);
        const record = insertEvent(store, calendar.id, parseJson(request) as EventInput, options(request));
        return rendered(calendar, record.id);
      },
    },
    {
      name: 'events.instances',
      method: 'GET',
      pattern: new RegExp(`${base}/calendars/${cal}/events/${ev}/instances$`),
      handle: (request, [id, eventId]) => {
        const calendar = readable(ownCalendar(authorize(request, READ_EVENTS), id as string));
        return ok(listInstances(store, calendar, eventId as string, request.url.searchParams, ctx.pageSizer));
      },
    },
    {
      name: 'events.move',
      method: 'POST',
      pattern: new RegExp(`${base}/calendars/${cal}/events/${ev}/move$`),
      handle: (request, [id, eventId]) => {
        const grant = authorize(request, WRITE_EVENTS);
        const source = ownCalendar(grant, id as string);
        const destinationId = request.url.searchParams.get('destination');
        if (!destinationId) throw googleErrors.required('destination');
        const destination = ownCalendar(grant, destinationId);
        moveEvent(store, source.id, eventId as string, destination.id);
        return rendered(destination, eventId as string);
      },
    },
    {
      name: 'events.get',
      method: 'GET',
      pattern: new RegExp(`${base}/calendars/${cal}/events/${ev}$`),
      handle: (request, [id, eventId]) => {
        const calendar = readable(ownCalendar(authorize(request, READ_EVENTS), id as string));
        const target = resolveTarget(calendar, eventId as string);
        if (!target) throw googleErrors.notFound();
        const renderCtx: RenderContext = { calendar, zone: zoneParam(request.url.searchParams) ?? calendar.timeZone };
        const event = renderTarget(target, renderCtx);
        if (header(request, 'if-none-match') === event.etag) return { status: 304 };
        return ok(event);
      },
    },
    ...(['PUT', 'PATCH'] as const).map(
      (method): RouteDef => ({
        name: method === 'PUT' ? 'events.update' : 'events.patch',
        method,
        pattern: new RegExp(`${base}/calendars/${cal}/events/${ev}$`),
        handle: (request, [id, eventId]) => {
          const calendar = ownCalendar(authorize(request, WRITE_EVENTS), id as string);
          const body = parseJson(request) as EventInput;
          const record = writeEvent(store, calendar.id, eventId as string, body, method === 'PUT' ? 'replace' : 'patch', options(request));
          return rendered(calendar, record.id);
        },
      }),
    ),
    {
      name: 'events.delete',
      method: 'DELETE',
      pattern: new RegExp(`${base}/calendars/${cal}/events/${ev}$`),
      handle: (request, [id, eventId]) => {
        const calendar = ownCalendar(authorize(request, WRITE_EVENTS), id as string);
        deleteEvent(store, calendar.id, eventId as string, options(request));
        return { status: 204 };
      },
    },
    {
      name: 'channels.stop',
      method: 'POST',
      pattern: new RegExp(`${base}/channels/stop$`),
      handle: (request) => {
        authorize(request, ANY_CALENDAR);
        ctx.push.stop(parseJson(request));
        return { status: 204 };
      },
    },
    {
      name: 'freebusy.query',
      method: 'POST',
      pattern: new RegExp(`${base}/freeBusy$`),
      handle: (request) => {
        authorize(request, FREE_BUSY);
        return ok(queryFreeBusy(store, parseJson(request), ctx.freeBusy));
      },
    },
  ];
}
