import { GraphHttpError, badRequest, malformedId } from './graph-error.ts';
import { parseWindowBound } from './graph-time.ts';
import { parseItemId } from './ids.ts';
import { parseJsonBody, queryValue, type SimResponse } from './http-types.ts';
import type { MailboxStore } from './mailbox-store.ts';
import type { SimCalendar, StoredEvent, TimeWindow, ViewItem } from './model.ts';
import { calendarView, itemsInWindow, sortItems } from './calendar-view.ts';
import type { DeltaEngine } from './delta.ts';
import { parseEventInput } from './event-input.ts';
import type { EventOperations, EventTarget } from './event-operations.ts';
import { renderEvent, renderItem, type RenderOptions } from './event-render.ts';
import type { GraphContext, GraphRoute } from './graph-router.ts';
import type { SubscriptionService } from './subscriptions.ts';

export interface RouteDeps {
  store: MailboxStore;
  operations: EventOperations;
  delta: DeltaEngine;
  subscriptions: SubscriptionService;
  origin: string;
  paging: { defaultPageSize: number; maxPageSize: number };
}

function calendarJson(calendar: SimCalendar, owner: { displayName: string; mail: string; onlineMeetingProviders?: string[] }): Record<string, unknown> {
  const providers = owner.onlineMeetingProviders ?? ['teamsForBusiness'];
  return {
    id: calendar.id,
    name: calendar.name,
    color: 'auto',
    hexColor: calendar.hexColor,
    isDefaultCalendar: calendar.isDefaultCalendar,
    changeKey: calendar.changeKey,
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: providers,
    defaultOnlineMeetingProvider: providers[0] ?? 'unknown',
    isTallyingResponses: true,
    isRemovable: !calendar.isDefaultCalendar,
    owner: { name: owner.displayName, address: owner.mail },
  };
}

function renderTarget(target: EventTarget, render: RenderOptions): Record<string, unknown> {
  return target.kind === 'event' ? renderEvent(target.event, render) : renderItem(target.item, render);
}

function preferenceApplied(context: GraphContext, pageSize: number | null): Record<string, string> {
  const applied: string[] = [];
  if (pageSize !== null && context.prefer.maxPageSize !== null) applied.push(`odata.maxpagesize=${pageSize}`);
  if (context.prefer.timeZone !== null) applied.push(`outlook.timezone="${context.render.timeZoneName}"`);
  return applied.length > 0 ? { 'Preference-Applied': applied.join(', ') } : {};
}

/** Graph's `/v1.0` routes for calendars, events, views, delta and subscriptions (paths already mapped to `/me`). */
export function createGraphRoutes(deps: RouteDeps): GraphRoute[] {
  const { store, operations, delta, subscriptions, origin, paging } = deps;

  const calendarOf = (context: GraphContext): SimCalendar => {
    const id = context.params.calendarId;
    if (id === undefined) return store.calendar(context.auth.user.defaultCalendarId)!;
    if (parseItemId(id)?.kind !== 'calendar') throw malformedId();
    const calendar = store.calendar(id);
    if (!calendar || calendar.userId !== context.auth.user.id) throw new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return calendar;
  };

  const targetOf = (context: GraphContext): EventTarget =>
    operations.resolve(context.params.eventId!, { userId: context.auth.user.id, calendarId: context.params.calendarId });

  const pageSizeOf = (context: GraphContext): number => {
    const top = queryValue(context.request.query, '$top');
    const requested = top !== undefined && /^\d+$/.test(top) && Number(top) > 0 ? Number(top) : context.prefer.maxPageSize ?? paging.defaultPageSize;
    return Math.min(requested, paging.maxPageSize);
  };

  const windowOf = (context: GraphContext): TimeWindow => {
    const start = queryValue(context.request.query, 'startDateTime');
    const end = queryValue(context.request.query, 'endDateTime');
    if (!start || !end) throw badRequest('This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.', 'ErrorInvalidParameter');
    const startMs = parseWindowBound(start);
    const endMs = parseWindowBound(end);
    if (startMs === null || endMs === null || endMs <= startMs) throw badRequest('StartDateTime and EndDateTime must be ISO 8601 date-times with EndDateTime after StartDateTime.', 'ErrorInvalidParameter');
    return { startMs, endMs };
  };

  /** `$top`/`$skip` paging with an absolute `@odata.nextLink` that keeps the other query parameters. */
  const pagedList = <T>(context: GraphContext, all: T[], render: (item: T) => Record<string, unknown>, contextUrl: string): SimResponse => {
    const size = pageSizeOf(context);
    const skipText = queryValue(context.request.query, '$skip');
    const skip = skipText !== undefined && /^\d+$/.test(skipText) ? Number(skipText) : 0;
    const body: Record<string, unknown> = { '@odata.context': contextUrl, value: all.slice(skip, skip + size).map(render) };
    if (skip + size < all.length) {
      const query = new URLSearchParams();
      for (const [key, value] of context.request.query) if (!/^\$(skip|top)$/i.test(key)) query.set(key, value);
      query.set('$top', String(size));
      query.set('$skip', String(skip + size));
      body['@odata.nextLink'] = `${origin}${context.request.rawPath}?${query.toString().replaceAll('%24', '$')}`;
    }
    return { status: 200, headers: preferenceApplied(context, size), json: body };
  };

  const listEvents = (context: GraphContext): SimResponse => {
    const calendar = calendarOf(context);
    const events: StoredEvent[] = [...store.eventsIn(calendar.id)].sort((a, b) => a.createdMs - b.createdMs);
    return pagedList(context, events, (event) => renderEvent(event, context.render), `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/events`);
  };

  const createEvent = (context: GraphContext): SimResponse => {
    const calendar = calendarOf(context);
    const event = operations.create(calendar, context.auth.user, parseEventInput(parseJsonBody(context.request), false));
    return { status: 201, headers: preferenceApplied(context, null), json: { '@odata.context': `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/events/$entity`, ...renderEvent(event, context.render) } };
  };

  const getEvent = (context: GraphContext): SimResponse => ({
    status: 200,
    headers: preferenceApplied(context, null),
    json: { '@odata.context': `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/events/$entity`, ...renderTarget(targetOf(context), context.render) },
  });

  const patchEvent = (context: GraphContext): SimResponse => {
    const target = targetOf(context);
    const input = parseEventInput(parseJsonBody(context.request), false);
    const updated = operations.update(target, input, context.auth.user, context.request.headers['if-match']);
    return { status: 200, headers: preferenceApplied(context, null), json: { '@odata.context': `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/events/$entity`, ...renderTarget(updated, context.render) } };
  };

  const deleteEvent = (context: GraphContext): SimResponse => {
    operations.delete(targetOf(context), context.request.headers['if-match']);
    return { status: 204 };
  };

  const instances = (context: GraphContext): SimResponse => {
    const target = targetOf(context);
    const window = windowOf(context);
    const items: ViewItem[] = target.kind === 'event' && target.event.recurrence ? sortItems(itemsInWindow(target.event, window)) : [];
    return pagedList(context, items, (item) => renderItem(item, context.render), `${origin}/v1.0/$metadata#Collection(event)`);
  };

  /**
   * `$select` on calendarView keeps only the named properties (plus `id` and `@odata.etag`, which Graph always
   * sends), so a client that forgets a property it reads finds out here as it would against Graph.
   */
  const selected = (context: GraphContext, render: (item: ViewItem) => Record<string, unknown>): ((item: ViewItem) => Record<string, unknown>) => {
    const select = queryValue(context.request.query, '$select');
    if (!select) return render;
    const keep = new Set(['id', '@odata.etag', ...select.split(',').map((name) => name.trim()).filter(Boolean)]);
    return (item) => Object.fromEntries(Object.entries(render(item)).filter(([key]) => keep.has(key)));
  };

  const view = (context: GraphContext): SimResponse => {
    const items = calendarView(store, calendarOf(context).id, windowOf(context));
    return pagedList(context, items, selected(context, (item) => renderItem(item, context.render)), `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/calendarView`);
  };

  const deltaView = (context: GraphContext): SimResponse => {
    const pageSize = Math.min(context.prefer.maxPageSize ?? paging.defaultPageSize, paging.maxPageSize);
    const response = delta.handle({ request: context.request, calendarId: calendarOf(context).id, pageSize, render: context.render });
    return { ...response, headers: { ...response.headers, ...preferenceApplied(context, pageSize) } };
  };

  const me = (context: GraphContext): SimResponse => {
    const { user } = context.auth;
    const [givenName = null, surname = null] = user.displayName.split(' ');
    return {
      status: 200,
      json: {
        '@odata.context': `${origin}/v1.0/$metadata#users/$entity`, businessPhones: [], displayName: user.displayName, givenName, surname,
        jobTitle: null, mail: user.mail, mobilePhone: null, officeLocation: null, preferredLanguage: 'en-US', userPrincipalName: user.userPrincipalName, id: user.id,
      },
    };
  };

  const calendars = (context: GraphContext): SimResponse => ({
    status: 200,
    json: { '@odata.context': `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/calendars`, value: store.calendarsOf(context.auth.user.id).map((c) => calendarJson(c, context.auth.user)) },
  });

  const calendar = (context: GraphContext): SimResponse => ({
    status: 200,
    json: { '@odata.context': `${origin}/v1.0/$metadata#users('${context.auth.user.id}')/calendars/$entity`, ...calendarJson(calendarOf(context), context.auth.user) },
  });

  const subscriptionJson = (id: string, context: GraphContext) => ({
    '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`,
    ...subscriptions.toJson(subscriptions.get(id, context.auth.user.id)),
  });

  const eventBases = ['/me/events', '/me/calendar/events', '/me/calendars/:calendarId/events'];
  const viewBases = ['/me/calendarView', '/me/calendar/calendarView', '/me/calendars/:calendarId/calendarView'];
  return [
    { method: 'GET', template: '/me', access: 'user', handler: me },
    { method: 'GET', template: '/me/mailboxSettings', access: 'mailbox', handler: (c) => ({ status: 200, json: { timeZone: c.auth.user.timeZone, dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm' } }) },
    { method: 'GET', template: '/me/calendars', access: 'read', handler: calendars },
    { method: 'GET', template: '/me/calendar', access: 'read', handler: calendar },
    { method: 'GET', template: '/me/calendars/:calendarId', access: 'read', handler: calendar },
    ...eventBases.flatMap((base): GraphRoute[] => [
      { method: 'GET', template: base, access: 'read', handler: listEvents },
      { method: 'POST', template: base, access: 'write', handler: createEvent },
      { method: 'GET', template: `${base}/:eventId`, access: 'read', handler: getEvent },
      { method: 'PATCH', template: `${base}/:eventId`, access: 'write', handler: patchEvent },
      { method: 'DELETE', template: `${base}/:eventId`, access: 'write', handler: deleteEvent },
      { method: 'GET', template: `${base}/:eventId/instances`, access: 'read', handler: instances },
    ]),
    ...viewBases.flatMap((base): GraphRoute[] => [
      { method: 'GET', template: base, access: 'read', handler: view },
      { method: 'GET', template: `${base}/delta`, access: 'read', handler: deltaView },
    ]),
    {
      method: 'POST', template: '/subscriptions', access: 'read',
      handler: async (c) => {
        const created = await subscriptions.create(c.auth.user, c.auth.clientId, parseJsonBody(c.request));
        return { status: 201, json: { '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`, ...subscriptions.toJson(created) } };
      },
    },
    { method: 'GET', template: '/subscriptions', access: 'read', handler: (c) => ({ status: 200, json: { '@odata.context': `${origin}/v1.0/$metadata#subscriptions`, value: subscriptions.list(c.auth.user.id).map((s) => subscriptions.toJson(s)) } }) },
    { method: 'GET', template: '/subscriptions/:subscriptionId', access: 'read', handler: (c) => ({ status: 200, json: subscriptionJson(c.params.subscriptionId!, c) }) },
    {
      method: 'PATCH', template: '/subscriptions/:subscriptionId', access: 'read',
      handler: (c) => {
        subscriptions.renew(c.params.subscriptionId!, c.auth.user.id, parseJsonBody(c.request));
        return { status: 200, json: subscriptionJson(c.params.subscriptionId!, c) };
      },
    },
    {
      method: 'DELETE', template: '/subscriptions/:subscriptionId', access: 'read',
      handler: (c) => {
        subscriptions.delete(c.params.subscriptionId!, c.auth.user.id);
        return { status: 204 };
      },
    },
  ];
}
