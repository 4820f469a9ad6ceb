import { nextConference } from './conference.ts';
import { googleErrors } from './errors.ts';
import { mergePatch, normalizeEvent, type NormalizedEvent } from './event-input.ts';
import { inputView, renderFull, renderInstance, renderRecord, type RenderContext } from './event-resource.ts';
import { exceptionsOf, instanceRef, isOccurrence, keyOf, originalStartOf, parseInstanceId, trackedKeys } from './series.ts';
import type { RecordChange, SimStore } from './store.ts';
import type { CalendarRecord, EventInput, EventRecord, GoogleEvent, InstanceRef } from './types.ts';

/**
 * Event writes with Google's rules (providers.md items 5, 9, 11, 21): etags and `If-Match` (412), reused ids
 * (409), deleting the deleted (410), instance edits and cancellations becoming exceptions, rule changes
 * dropping exceptions that no longer fall on the rule, Meet creation. HTTP routes and the direct API both
 * call these, so a change made "in Google's UI" looks exactly like one made through the API.
 */
export interface WriteOptions {
  /** Current etag the caller expects (`If-Match`); a mismatch is 412 `conditionNotMet`. */
  ifMatch?: string | null;
  conferenceDataVersion?: number;
}

/** What an event id names: a stored record, or an unmodified instance of a live master. */
export type Target = { kind: 'record'; record: EventRecord } | { kind: 'instance'; master: EventRecord; ref: InstanceRef };

const EVENT_ID = /^[a-v0-9]{5,1024}$/;

export function resolveTarget(calendar: CalendarRecord, eventId: string): Target | null {
  const record = calendar.events.get(eventId);
  // An exception dropped when its series moved away is gone; when the series moves back, the id names a
  // fresh, unmodified instance again (as on Google), not the dropped exception.
  if (record && !(record.deleted && record.type === 'exception')) return { kind: 'record', record };
  const stale = record ? ({ kind: 'record', record } as const) : null;
  const parsed = parseInstanceId(eventId);
  if (!parsed) return stale;
  const master = calendar.events.get(parsed.masterId);
  if (!master || master.deleted || master.type !== 'master' || master.start.allDay !== parsed.allDay) return stale;
  if (!isOccurrence(master, calendar, parsed.key)) return stale;
  return { kind: 'instance', master, ref: instanceRef(master, parsed.key) };
}

export function renderTarget(target: Target, ctx: RenderContext): GoogleEvent {
  return target.kind === 'record' ? renderRecord(target.record, ctx) : renderInstance(target.master, target.ref, ctx);
}

function etagOf(target: Target): string {
  return target.kind === 'record' ? target.record.etag : target.master.etag;
}

function checkIfMatch(target: Target, ifMatch: string | null | undefined): void {
  if (ifMatch === undefined || ifMatch === null || ifMatch === '*') return;
  const strip = (etag: string): string => etag.replace(/^W\//, '').replace(/^"|"$/g, '');
  if (strip(ifMatch) !== strip(etagOf(target))) throw googleErrors.conditionNotMet();
}

function applyNormalized(record: EventRecord, normalized: NormalizedEvent): void {
  const timingChanged =
    JSON.stringify([record.start, record.end, record.recurrence]) !== JSON.stringify([normalized.start, normalized.end, normalized.recurrence]);
  record.start = normalized.start;
  record.end = normalized.end;
  record.startZone = normalized.startZone;
  record.endZone = normalized.endZone;
  record.recurrence = normalized.recurrence;
  record.parsedRecurrence = normalized.parsedRecurrence;
  record.status = normalized.status;
  record.fields = normalized.fields;
  if (timingChanged) record.sequence += 1;
}

export function insertEvent(store: SimStore, calendarId: string, input: EventInput, options: WriteOptions = {}): EventRecord {
  const calendar = store.requireCalendar(calendarId);
  const id = input.id ?? store.nextEventId();
  if (typeof id !== 'string' || !EVENT_ID.test(id)) throw googleErrors.invalid('Invalid resource id value.', 'id');
  if (calendar.events.has(id)) throw googleErrors.duplicate();
  const normalized = normalizeEvent(input, calendar, { allowRecurrence: true });
  if (normalized.status === 'cancelled') throw googleErrors.invalid('Cannot insert a cancelled event.', 'status');
  const now = store.nowIso();
  const record: EventRecord = {
    id,
    calendarId,
    type: normalized.recurrence ? 'master' : 'single',
    deleted: false,
    seq: 0,
    etag: '',
    created: now,
    updated: now,
    sequence: 0,
    iCalUID: typeof input.iCalUID === 'string' ? input.iCalUID : `${id}@google.com`,
    recurringEventId: null,
    originalStart: null,
    conference: nextConference(input, null, options.conferenceDataVersion ?? 0, id),
    ...normalized,
  };
  store.commit(calendar, [{ record }]);
  return record;
}

/** PUT (`replace`) or PATCH (`patch`) of a single, a master, an exception or a plain instance. */
export function writeEvent(
  store: SimStore,
  calendarId: string,
  eventId: string,
  body: EventInput,
  mode: 'replace' | 'patch',
  options: WriteOptions = {},
): EventRecord {
  const calendar = store.requireCalendar(calendarId);
  const target = resolveTarget(calendar, eventId);
  if (!target) throw googleErrors.notFound();
  if (target.kind === 'record' && target.record.deleted) throw googleErrors.deleted();
  checkIfMatch(target, options.ifMatch);
  const ctx: RenderContext = { calendar, zone: calendar.timeZone };
  const base = target.kind === 'record' ? renderFull(target.record, ctx) : renderInstance(target.master, target.ref, ctx);
  const input: EventInput = mode === 'patch' ? mergePatch(inputView(base), body) : { ...body };
  if (mode === 'replace' && body.conferenceData === undefined && (options.conferenceDataVersion ?? 0) >= 1) input.conferenceData = null;
  // A PATCH's null clears a field; for conferenceData that is the removal nextConference must see (with version 1).
  if (mode === 'patch' && body.conferenceData === null) input.conferenceData = null;

  if (target.kind === 'instance' || target.record.type === 'exception') return writeInstance(store, calendar, target, input, options);
  const record = target.record;
  const normalized = normalizeEvent(input, calendar, { allowRecurrence: true });
  if (normalized.status === 'cancelled') {
    deleteEvent(store, calendarId, eventId, {});
    return record;
  }
  const oldRefs = record.type === 'master' ? trackedKeys(record, calendar, store.nowMs(), store.horizonMs()).map((key) => instanceRef(record, key)) : [];
  applyNormalized(record, normalized);
  record.type = normalized.recurrence ? 'master' : 'single';
  record.conference = nextConference(input, record.conference, options.conferenceDataVersion ?? 0, record.id);
  const changes: RecordChange[] = [];
  // Exceptions survive only while their original start is still an occurrence of the (new) rule.
  for (const exception of exceptionsOf(calendar, record.id)) {
    const key = exception.originalStart ? keyOf(exception.originalStart) : Number.NaN;
    const keeps = record.type === 'master' && exception.originalStart?.allDay === record.start.allDay && isOccurrence(record, calendar, key);
    if (!keeps) {
      exception.deleted = true;
      changes.push({ record: exception });
    }
  }
  changes.unshift({ record, instances: oldRefs }); // commit adds the new occurrences
  store.commit(calendar, changes);
  return record;
}

function writeInstance(store: SimStore, calendar: CalendarRecord, target: Target, input: EventInput, options: WriteOptions): EventRecord {
  const master = target.kind === 'instance' ? target.master : calendar.events.get(target.record.recurringEventId ?? '');
  if (!master || master.deleted) throw googleErrors.notFound();
  const normalized = normalizeEvent(input, calendar, { allowRecurrence: false });
  const record = target.kind === 'record' ? target.record : newException(store, master, target.ref);
  applyNormalized(record, normalized);
  record.conference = nextConference(input, record.conference, options.conferenceDataVersion ?? 0, record.id);
  store.commit(calendar, [{ record }]);
  return record;
}

function newException(store: SimStore, master: EventRecord, ref: InstanceRef): EventRecord {
  const now = store.nowIso();
  return {
    id: ref.id,
    calendarId: master.calendarId,
    type: 'exception',
    deleted: false,
    seq: 0,
    etag: '',
    created: now,
    updated: now,
    sequence: master.sequence,
    iCalUID: master.iCalUID,
    status: master.status,
    start: master.start,
    end: master.end,
    startZone: master.startZone,
    endZone: master.endZone,
    recurrence: null,
    parsedRecurrence: null,
    recurringEventId: master.id,
    originalStart: originalStartOf(master, ref.key),
    fields: structuredClone(master.fields),
    conference: master.conference,
  };
}

export function deleteEvent(store: SimStore, calendarId: string, eventId: string, options: WriteOptions = {}): void {
  const calendar = store.requireCalendar(calendarId);
  const target = resolveTarget(calendar, eventId);
  if (!target) throw googleErrors.notFound();
  if (target.kind === 'record' && (target.record.deleted || (target.record.type === 'exception' && target.record.status === 'cancelled'))) {
    throw googleErrors.deleted();
  }
  checkIfMatch(target, options.ifMatch);
  if (target.kind === 'instance') {
    const exception = newException(store, target.master, target.ref);
    exception.status = 'cancelled';
    store.commit(calendar, [{ record: exception }]);
    return;
  }
  const record = target.record;
  if (record.type === 'exception') {
    record.status = 'cancelled';
    store.commit(calendar, [{ record }]);
    return;
  }
  const refs = record.type === 'master' ? trackedKeys(record, calendar, store.nowMs(), store.horizonMs()).map((key) => instanceRef(record, key)) : null;
  record.deleted = true;
  const changes: RecordChange[] = [{ record, instances: refs }];
  for (const exception of exceptionsOf(calendar, record.id)) {
    exception.deleted = true;
    changes.push({ record: exception });
  }
  store.commit(calendar, changes);
}

/** Moves a single or a series (with its exceptions) to another calendar; the id stays. */
export function moveEvent(store: SimStore, calendarId: string, eventId: string, destinationId: string): EventRecord {
  const source = store.requireCalendar(calendarId);
  const destination = store.requireCalendar(destinationId);
  const target = resolveTarget(source, eventId);
  if (!target) throw googleErrors.notFound();
  if (target.kind === 'instance' || target.record.type === 'exception') {
    throw googleErrors.invalid('Cannot change the organizer of an instance.', 'eventId');
  }
  if (target.record.deleted) throw googleErrors.deleted();
  if (destination.events.has(eventId)) throw googleErrors.duplicate();
  const record = target.record;
  const exceptions = exceptionsOf(source, record.id);
  const refs = record.type === 'master' ? trackedKeys(record, source, store.nowMs(), store.horizonMs()).map((key) => instanceRef(record, key)) : null;
  const copies = [record, ...exceptions].map((r): EventRecord => ({ ...structuredClone(r), calendarId: destinationId }));
  for (const r of [record, ...exceptions]) r.deleted = true;
  store.commit(source, [{ record, instances: refs }, ...exceptions.map((r) => ({ record: r }))]);
  store.commit(destination, copies.map((r) => ({ record: r })));
  return copies[0] as EventRecord;
}

/** Completes pending Meet creations of a calendar (one change, one push). */
export function settleConferences(store: SimStore, calendar: CalendarRecord): void {
  const changes: RecordChange[] = [];
  for (const record of calendar.events.values()) {
    if (!record.deleted && record.conference?.status === 'pending') {
      record.conference = { ...record.conference, status: 'success' };
      changes.push({ record });
    }
  }
  store.commit(calendar, changes);
}
