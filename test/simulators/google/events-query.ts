import { googleErrors } from './errors.ts';
import {
  renderCancelledException,
  renderCancelledInstance,
  renderFull,
  renderInstance,
  renderRecord,
  type RenderContext,
} from './event-resource.ts';
import {
  compareKeys,
  decodePageToken,
  decodeSyncToken,
  encodePageToken,
  encodeSyncToken,
  fingerprintOf,
  type PageState,
  type SortKey,
} from './page-tokens.ts';
import { booleanParam, instantParam, maxResultsParam, STANDARD_PARAMS, zoneParam } from './query-params.ts';
import { DAY_MS } from './recurrence.ts';
import { exceptionsOf, instanceRef, instanceTimes, intervalOf, isOccurrence, keyOf, seriesKeys, spanOf, trackedKeys } from './series.ts';
import type { SimStore } from './store.ts';
import type { CalendarRecord, EventRecord, GoogleEvent, InstanceRef } from './types.ts';

/**
 * events.list and events.instances (providers.md items 1–10): full listings with filters, incremental rounds
 * from the change log, opaque page tokens, the sync token only on the last page.
 */
export type PageSizer = (maxResults: number, emptiesSoFar: number) => number;

interface Candidate {
  key: SortKey;
  render: () => GoogleEvent;
}

interface ListQuery {
  timeMin?: number;
  timeMax?: number;
  singleEvents: boolean;
  showDeleted?: boolean;
  orderBy?: 'startTime' | 'updated';
  q?: string;
  iCalUID?: string;
  updatedMin?: number;
  privateProps: [string, string][];
  sharedProps: [string, string][];
}

export interface EventsPage {
  kind: 'calendar#events';
  etag: string;
  summary: string;
  description?: string;
  updated: string;
  timeZone: string;
  accessRole: 'owner';
  defaultReminders: never[];
  nextPageToken?: string;
  nextSyncToken?: string;
  items: GoogleEvent[];
}

/** With a sync token these are refused (providers.md item 2). */
const FORBIDDEN_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'];

function semanticFingerprint(query: URLSearchParams): string {
  const parts: [string, string][] = [...query.entries()].filter(([name]) => name !== 'pageToken' && name !== 'maxResults' && !STANDARD_PARAMS.has(name));
  return fingerprintOf({ parts: parts.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)) });
}

function propertyFilters(query: URLSearchParams, name: string): [string, string][] {
  return query.getAll(name).map((text) => {
    const cut = text.indexOf('=');
    if (cut <= 0) throw googleErrors.invalid(`Invalid ${name}.`, name);
    return [text.slice(0, cut), text.slice(cut + 1)];
  });
}

function parseListQuery(query: URLSearchParams): ListQuery {
  const singleEvents = booleanParam(query, 'singleEvents') ?? false;
  const orderBy = query.get('orderBy') ?? undefined;
  if (orderBy !== undefined && orderBy !== 'startTime' && orderBy !== 'updated') throw googleErrors.invalid(`Invalid value '${orderBy}'.`, 'orderBy');
  if (orderBy === 'startTime' && !singleEvents) throw googleErrors.invalid('The requested ordering is not available for the particular query.', 'orderBy');
  const parsed: ListQuery = {
    timeMin: instantParam(query, 'timeMin'),
    timeMax: instantParam(query, 'timeMax'),
    singleEvents,
    showDeleted: booleanParam(query, 'showDeleted'),
    orderBy,
    q: query.get('q') ?? undefined,
    iCalUID: query.get('iCalUID') ?? undefined,
    updatedMin: instantParam(query, 'updatedMin'),
    privateProps: propertyFilters(query, 'privateExtendedProperty'),
    sharedProps: propertyFilters(query, 'sharedExtendedProperty'),
  };
  if (parsed.timeMin !== undefined && parsed.timeMax !== undefined && parsed.timeMax <= parsed.timeMin) throw googleErrors.timeRangeEmpty('timeMax');
  return parsed;
}

function envelope(calendar: CalendarRecord, store: SimStore, items: GoogleEvent[], zone: string): EventsPage {
  return {
    kind: 'calendar#events',
    etag: calendar.etag,
    summary: calendar.summary,
    ...(calendar.description ? { description: calendar.description } : {}),
    updated: store.nowIso(),
    timeZone: zone,
    accessRole: 'owner',
    defaultReminders: [],
    items,
  };
}

function matchesFilters(record: EventRecord, query: ListQuery): boolean {
  const fields = record.fields;
  if (query.iCalUID !== undefined && record.iCalUID !== query.iCalUID) return false;
  if (query.q !== undefined) {
    const needle = query.q.toLowerCase();
    const attendees = Array.isArray(fields.attendees) ? (fields.attendees as { email?: string; displayName?: string }[]) : [];
    const haystack = [fields.summary, fields.description, fields.location, ...attendees.flatMap((a) => [a.email, a.displayName])];
    if (!haystack.some((text) => typeof text === 'string' && text.toLowerCase().includes(needle))) return false;
  }
  const props = (fields.extendedProperties ?? {}) as { private?: Record<string, string>; shared?: Record<string, string> };
  if (!query.privateProps.every(([k, v]) => props.private?.[k] === v)) return false;
  if (!query.sharedProps.every(([k, v]) => props.shared?.[k] === v)) return false;
  return true;
}

/** Overlap rule of providers.md item 7: `timeMin` bounds the end, `timeMax` the start (both exclusive). */
function overlaps(startMs: number, endMs: number, query: ListQuery): boolean {
  return (query.timeMin === undefined || endMs > query.timeMin) && (query.timeMax === undefined || startMs < query.timeMax);
}

function sortKey(query: ListQuery, id: string, startMs: number, updated: string): SortKey {
  if (query.orderBy === 'startTime') return [startMs, id];
  if (query.orderBy === 'updated') return [updated, id];
  return [0, id];
}

/** Every occurrence key of a live master that falls into the query window. */
function keysInWindow(store: SimStore, calendar: CalendarRecord, master: EventRecord, query: ListQuery, zone: string): number[] {
  const limit = (query.timeMax ?? store.horizonMs()) + DAY_MS;
  const from = query.timeMin === undefined ? Number.NEGATIVE_INFINITY : query.timeMin - spanOf(master);
  return seriesKeys(master, calendar, limit, from).filter((key) => {
    const times = instanceTimes(master, key);
    const { startMs, endMs } = intervalOf(times.start, times.end, zone);
    return overlaps(startMs, endMs, query);
  });
}

function recordInterval(record: EventRecord, calendar: CalendarRecord, zone: string): { startMs: number; endMs: number } {
  if (record.type === 'exception' && record.status === 'cancelled' && record.originalStart) {
    const master = calendar.events.get(record.recurringEventId ?? '');
    if (master) {
      const times = instanceTimes(master, keyOf(record.originalStart));
      return intervalOf(times.start, times.end, zone);
    }
  }
  return intervalOf(record.start, record.end, zone);
}

function fullCandidates(store: SimStore, calendar: CalendarRecord, query: ListQuery, ctx: RenderContext): Candidate[] {
  const candidates = new Map<string, Candidate>();
  const add = (id: string, startMs: number, updated: string, render: () => GoogleEvent): void => {
    candidates.set(id, { key: sortKey(query, id, startMs, updated), render });
  };
  const wantsDeleted = (record: EventRecord): boolean =>
    query.showDeleted === true || (query.updatedMin !== undefined && Date.parse(record.updated) >= query.updatedMin);

  for (const record of calendar.events.values()) {
    if (query.updatedMin !== undefined && Date.parse(record.updated) < query.updatedMin) continue;
    if (!matchesFilters(record, query)) continue;
    const master = record.recurringEventId ? calendar.events.get(record.recurringEventId) : undefined;
    const cancelledInstance = record.type === 'exception' && record.status === 'cancelled' && !record.deleted;

    if (record.type === 'master') {
      if (record.deleted) {
        if (!wantsDeleted(record)) continue;
        if (!query.singleEvents) add(record.id, recordInterval(record, calendar, ctx.zone).startMs, record.updated, () => renderRecord(record, ctx));
        // singleEvents: a deleted series shows up as its cancelled instances, never as the master.
        else for (const key of keysInWindow(store, calendar, record, query, ctx.zone)) {
          const ref = instanceRef(record, key);
          add(ref.id, key, record.updated, () => renderCancelledInstance(record, ref, record.etag, ctx));
        }
        continue;
      }
      const keys = keysInWindow(store, calendar, record, query, ctx.zone);
      if (keys.length === 0) continue;
      if (!query.singleEvents) {
        add(record.id, intervalOf(record.start, record.end, ctx.zone).startMs, record.updated, () => renderRecord(record, ctx));
        continue;
      }
      for (const key of keys) {
        const ref = instanceRef(record, key);
        if (calendar.events.get(ref.id)?.deleted === false) continue; // the exception record speaks for this instance
        const startMs = intervalOf(instanceTimes(record, key).start, instanceTimes(record, key).end, ctx.zone).startMs;
        add(ref.id, startMs, record.updated, () => renderInstance(record, ref, ctx));
      }
      continue;
    }

    const interval = recordInterval(record, calendar, ctx.zone);
    if (!overlaps(interval.startMs, interval.endMs, query)) continue;
    if (record.type === 'exception' && (!master || master.deleted)) {
      // Exceptions of a deleted series are covered by the series (singleEvents) or are plain tombstones.
      if (!query.singleEvents && wantsDeleted(record)) add(record.id, interval.startMs, record.updated, () => renderRecord(record, ctx));
      continue;
    }
    if (record.deleted && !cancelledInstance) {
      // A dropped exception of a live series is, with singleEvents, either a plain instance again or nothing.
      if (query.singleEvents && record.type === 'exception') continue;
      if (wantsDeleted(record)) add(record.id, interval.startMs, record.updated, () => renderRecord(record, ctx));
      continue;
    }
    // Cancelled instances of live series come with singleEvents=false even without showDeleted (Google's rule).
    if (cancelledInstance && query.singleEvents && !wantsDeleted(record)) continue;
    add(record.id, interval.startMs, record.updated, () => renderRecord(record, ctx));
  }
  return [...candidates.values()];
}

/** The current state of one instance id (for incremental rounds with singleEvents=true). */
function instanceState(calendar: CalendarRecord, ref: InstanceRef, ctx: RenderContext, occurrences: (master: EventRecord) => Set<number>): GoogleEvent {
  const master = calendar.events.get(ref.masterId);
  const exception = calendar.events.get(ref.id);
  if (master && !master.deleted && master.type === 'master') {
    if (exception && !exception.deleted) return exception.status === 'cancelled' ? renderCancelledException(exception, ctx) : renderFull(exception, ctx);
    if (master.start.allDay === ref.allDay && (occurrences(master).has(ref.key) || isOccurrence(master, calendar, ref.key))) return renderInstance(master, ref, ctx);
  }
  return renderCancelledInstance(master, ref, exception?.etag ?? master?.etag ?? '""', ctx);
}

function incrementalCandidates(store: SimStore, calendar: CalendarRecord, since: number, high: number, singleEvents: boolean, ctx: RenderContext): Candidate[] {
  const latest = new Map<string, { seq: number; ref: InstanceRef | null; recordId: string }>();
  let low = 0;
  let top = calendar.log.length;
  while (low < top) {
    const mid = (low + top) >> 1;
    if ((calendar.log[mid] as { seq: number }).seq <= since) low = mid + 1;
    else top = mid;
  }
  for (let i = low; i < calendar.log.length; i += 1) {
    const entry = calendar.log[i];
    if (!entry || entry.seq > high) break;
    const record = calendar.events.get(entry.eventId);
    if (!singleEvents || !record) {
      latest.set(entry.eventId, { seq: entry.seq, ref: null, recordId: entry.eventId });
      continue;
    }
    if (record.type === 'exception' && record.recurringEventId && record.originalStart) {
      const ref = { id: record.id, masterId: record.recurringEventId, key: keyOf(record.originalStart), allDay: record.originalStart.allDay };
      latest.set(record.id, { seq: entry.seq, ref, recordId: record.id });
      continue;
    }
    for (const ref of entry.instances ?? []) latest.set(ref.id, { seq: entry.seq, ref, recordId: record.id });
    if (record.type === 'single' || !entry.instances) latest.set(record.id, { seq: entry.seq, ref: null, recordId: record.id });
  }
  const cache = new Map<string, Set<number>>();
  const occurrences = (master: EventRecord): Set<number> => {
    let keys = cache.get(master.id);
    if (!keys) cache.set(master.id, (keys = new Set(trackedKeys(master, calendar, store.nowMs(), store.horizonMs()))));
    return keys;
  };
  return [...latest.entries()].map(([id, { seq, ref, recordId }]) => ({
    key: [seq, id] as SortKey,
    render: (): GoogleEvent => {
      if (ref) return instanceState(calendar, ref, ctx, occurrences);
      const record = calendar.events.get(recordId) as EventRecord;
      // A live master never appears in a singleEvents listing: its old single self is gone.
      if (singleEvents && record.type === 'master' && !record.deleted) return { kind: 'calendar#event', etag: record.etag, id: record.id, status: 'cancelled' };
      return renderRecord(record, ctx);
    },
  }));
}

function paginate(candidates: Candidate[], state: PageState, maxResults: number, sizer: PageSizer): { items: GoogleEvent[]; next: PageState | null } {
  candidates.sort((a, b) => compareKeys(a.key, b.key));
  let start = 0;
  if (state.after) {
    const after = state.after;
    start = candidates.findIndex((candidate) => compareKeys(candidate.key, after) > 0);
    if (start < 0) start = candidates.length;
  }
  const size = Math.min(maxResults, Math.max(0, sizer(maxResults, state.empties)));
  const page = candidates.slice(start, start + size);
  if (start + page.length >= candidates.length) return { items: page.map((c) => c.render()), next: null };
  const last = page.at(-1);
  return { items: page.map((c) => c.render()), next: { ...state, after: last ? last.key : state.after, empties: page.length === 0 ? state.empties + 1 : 0 } };
}

function readPageState(query: URLSearchParams, calendar: CalendarRecord, fingerprint: string): PageState | null {
  const token = query.get('pageToken');
  if (token === null) return null;
  const state = decodePageToken(token);
  if (!state || state.calendarId !== calendar.id || state.fingerprint !== fingerprint) throw googleErrors.invalid('Invalid page token value.', 'pageToken');
  return state;
}

export function listEvents(store: SimStore, calendar: CalendarRecord, query: URLSearchParams, sizer: PageSizer): EventsPage {
  const maxResults = maxResultsParam(query, 250, 2500);
  const zone = zoneParam(query) ?? calendar.timeZone;
  const ctx: RenderContext = { calendar, zone };
  const fingerprint = semanticFingerprint(query);
  const syncToken = query.get('syncToken');

  if (syncToken !== null) {
    for (const name of FORBIDDEN_WITH_SYNC_TOKEN) {
      if (query.has(name)) throw googleErrors.invalid(`The parameter ${name} cannot be used together with syncToken.`, name);
    }
    if (booleanParam(query, 'showDeleted') === false) throw googleErrors.invalid('showDeleted=false cannot be used together with syncToken.', 'showDeleted');
    const singleEvents = booleanParam(query, 'singleEvents') ?? false;
    const sync = decodeSyncToken(syncToken);
    if (!sync || sync.calendarId !== calendar.id || sync.epoch !== calendar.epoch || sync.seq > calendar.seq) throw googleErrors.fullSyncRequired();
    if (sync.singleEvents !== singleEvents) throw googleErrors.invalid('singleEvents must repeat the value of the initial full sync.', 'singleEvents');
    const state = readPageState(query, calendar, fingerprint) ?? { mode: 'incremental', calendarId: calendar.id, fingerprint, high: calendar.seq, after: null, empties: 0 };
    const { items, next } = paginate(incrementalCandidates(store, calendar, sync.seq, state.high, singleEvents, ctx), state, maxResults, sizer);
    return finish(store, calendar, zone, items, next, state.high, singleEvents);
  }

  const parsed = parseListQuery(query);
  const state = readPageState(query, calendar, fingerprint) ?? { mode: 'full', calendarId: calendar.id, fingerprint, high: calendar.seq, after: null, empties: 0 };
  const { items, next } = paginate(fullCandidates(store, calendar, parsed, ctx), state, maxResults, sizer);
  return finish(store, calendar, zone, items, next, state.high, parsed.singleEvents);
}

function finish(store: SimStore, calendar: CalendarRecord, zone: string, items: GoogleEvent[], next: PageState | null, high: number, singleEvents: boolean): EventsPage {
  const page = envelope(calendar, store, items, zone);
  // The next round starts where this one's first page stood: whatever changed while it was paging comes again.
  if (next) page.nextPageToken = encodePageToken(next);
  else page.nextSyncToken = encodeSyncToken({ calendarId: calendar.id, seq: high, epoch: calendar.epoch, singleEvents });
  return page;
}

/** Everything a full listing with `query` would return, unpaged, in listing order (the simulator's truth). */
export function collectEvents(store: SimStore, calendar: CalendarRecord, query: URLSearchParams): GoogleEvent[] {
  const parsed = parseListQuery(query);
  const candidates = fullCandidates(store, calendar, parsed, { calendar, zone: zoneParam(query) ?? calendar.timeZone });
  return candidates.sort((a, b) => compareKeys(a.key, b.key)).map((candidate) => candidate.render());
}

/** events.instances: the instances of one series (exceptions applied), ordered by start. No sync token. */
export function listInstances(store: SimStore, calendar: CalendarRecord, eventId: string, query: URLSearchParams, sizer: PageSizer): EventsPage {
  const master = calendar.events.get(eventId);
  if (!master) throw googleErrors.notFound();
  if (master.deleted) throw googleErrors.deleted();
  const zone = zoneParam(query) ?? calendar.timeZone;
  const ctx: RenderContext = { calendar, zone };
  const maxResults = maxResultsParam(query, 250, 2500);
  const window: ListQuery = {
    timeMin: instantParam(query, 'timeMin'),
    timeMax: instantParam(query, 'timeMax'),
    singleEvents: true,
    showDeleted: booleanParam(query, 'showDeleted'),
    orderBy: 'startTime',
    privateProps: [],
    sharedProps: [],
  };
  const originalStart = instantParam(query, 'originalStart');
  const candidates: Candidate[] = [];
  if (master.type !== 'master') {
    candidates.push({ key: [intervalOf(master.start, master.end, zone).startMs, master.id], render: () => renderRecord(master, ctx) });
  } else {
    const exceptions = new Map(exceptionsOf(calendar, master.id).map((e) => [e.id, e]));
    const limit = Math.max(window.timeMax ?? store.horizonMs(), originalStart ?? 0) + DAY_MS;
    const from = originalStart ?? (window.timeMin === undefined ? Number.NEGATIVE_INFINITY : window.timeMin - spanOf(master));
    for (const key of seriesKeys(master, calendar, limit, from)) {
      const ref = instanceRef(master, key);
      const exception = exceptions.get(ref.id);
      const times = exception ? { start: exception.start, end: exception.end } : instanceTimes(master, key);
      const { startMs, endMs } = intervalOf(times.start, times.end, zone);
      if (originalStart !== undefined ? key !== originalStart : !overlaps(startMs, endMs, window)) continue;
      if (exception?.status === 'cancelled' && window.showDeleted !== true) continue;
      candidates.push({ key: [startMs, ref.id], render: () => (exception ? renderRecord(exception, ctx) : renderInstance(master, ref, ctx)) });
    }
  }
  const fingerprint = semanticFingerprint(query);
  const state = readPageState(query, calendar, fingerprint) ?? { mode: 'full', calendarId: calendar.id, fingerprint, high: calendar.seq, after: null, empties: 0 };
  const { items, next } = paginate(candidates, state, maxResults, sizer);
  const page = envelope(calendar, store, items, zone);
  if (next) page.nextPageToken = encodePageToken(next);
  return page;
}
