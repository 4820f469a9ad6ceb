import { inputError, notFound } from '../../domain/app-error.ts';
import type { EventDraft, EventTime, ProviderEvent } from '../../domain/calendar-event.ts';
import { eventTimeOrderMs, exdateLine, recurrenceLineValues, rulePart, withRuleParts } from '../../domain/event-write.ts';
import { toCalendarEvent } from '../sync/sync-session.ts';
import type { EventFields } from './event-draft.ts';
import { mergeDraft } from './event-draft.ts';
import type { EventWriteDeps, WriteContext } from './event-write-context.ts';
import { providerWrite } from './event-write-context.ts';

const DAY_MS = 86_400_000;
const isRule = (line: string): boolean => /^\s*RRULE[;:]/i.test(line);
const isExdate = (line: string): boolean => /^\s*EXDATE[;:]/i.test(line);
const zoneOf = (time: EventTime): string => ('dateTime' in time ? (time.timeZone ?? 'UTC') : 'UTC');

function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The UNTIL that ends a series just before `split`: one second earlier, or the day before for all-day series. */
function untilBefore(split: EventTime): string {
  if ('date' in split) return new Date(Date.parse(`${split.date}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
  return compactUtc(Date.parse(split.dateTime) - 1000);
}

/** The series' rule instances (original starts, ms) in [fromMs, toMs), ignoring EXDATEs and exceptions. */
async function ruleInstances(deps: EventWriteDeps, context: WriteContext, master: ProviderEvent, ruleLine: string, fromMs: number, toMs: number): Promise<number[]> {
  const bare = toCalendarEvent(context.calendar, { ...master, kind: 'master', recurrence: [ruleLine] });
  await deps.expander.prepare([bare]);
  const range = { start: new Date(fromMs), end: new Date(toMs) };
  return deps.expander.expand([bare], range, () => context.calendar.timeZone).map((o) => o.originalStartMs ?? o.startMs);
}

export interface SplitOutcome {
  /** The new series from the instance on (null on a delete, or when nothing follows). */
  created: ProviderEvent | null;
  /** Provider ids whose stored copy changed (old master, new master). */
  touched: string[];
}

/**
 * `scope=following` (RFC 5545's THISANDFUTURE done the way every provider can store it): the series ends
 * with an UNTIL just before the instance, and — for an edit — a new series starts at the instance, with the
 * patch applied and the rest of the rule (a COUNT reduced by the instances already past). Decisions, the
 * same on every provider: cancelled instances after the split are carried into the new series as EXDATEs
 * (moved with it when the patch moves the time); edited instances after the split are not carried (they
 * become plain occurrences of the new series); the old series keeps its own exceptions — Google and CalDAV
 * keep them as they are, and on Microsoft 365, where a new pattern resets a series, its cancelled instances
 * inside the sync window are cancelled again. The new series is written first (under a key derived from
 * the request's), so a crash in between leaves an overlap the retry repairs, never a lost half.
 */
export async function splitSeries(deps: EventWriteDeps, context: WriteContext, input: { seriesId: string; split: EventTime; patch: EventFields | null; key: string }): Promise<SplitOutcome | 'whole-series'> {
  const { provider, ref, calendar } = context;
  const master = await provider.getEvent(ref, input.seriesId);
  if (!master) throw notFound('Event');
  const lines = master.recurrence ?? [];
  const ruleLine = lines.find(isRule);
  if (!ruleLine) throw inputError('query.scope', 'the series has no rule to split');
  const splitMs = eventTimeOrderMs(input.split);
  const startMs = eventTimeOrderMs(master.start);
  if (splitMs <= startMs) return 'whole-series';
  const zone = zoneOf(master.start);

  const count = rulePart(ruleLine, 'COUNT');
  const before = count ? (await ruleInstances(deps, context, master, ruleLine, startMs, splitMs)).length : 0;
  const remaining = count ? Number(count) - before : null;

  // The old part: ends before the split; on a provider that stores a series by its members, the instances
  // it had cancelled (rule instances the store does not hold) are named as EXDATEs so they stay cancelled.
  const oldLines = [withRuleParts(ruleLine, { COUNT: null, UNTIL: untilBefore(input.split) }), ...lines.filter((line) => !isRule(line))];
  const members = (await deps.events.listVersions(calendar.tenantId, calendar.id)).filter((v) => v.recurringEventId === master.providerEventId);
  const masterStored = (await deps.events.getMany(calendar.tenantId, calendar.id, [toCalendarEvent(calendar, master).id])).size > 0;
  if (!masterStored && members.length > 0) {
    const stored = await deps.events.getMany(calendar.tenantId, calendar.id, members.map((m) => m.id));
    const kept = new Set([...stored.values()].map((e) => (e.originalStart ? eventTimeOrderMs(e.originalStart) : null)));
    const from = Math.max(startMs, context.window.start.getTime());
    for (const ms of await ruleInstances(deps, context, master, ruleLine, from, Math.min(splitMs, context.window.end.getTime()))) {
      if (!kept.has(ms)) oldLines.push(exdateLine('date' in master.start ? { date: new Date(ms).toISOString().slice(0, 10) } : { dateTime: new Date(ms).toISOString(), timeZone: zone }));
    }
  }

  let created: ProviderEvent | null = null;
  if (input.patch && (remaining === null || remaining > 0)) {
    const durationMs = eventTimeOrderMs(master.end) - startMs;
    const instance: ProviderEvent = {
      ...master,
      start: input.split,
      end: 'date' in input.split ? { date: new Date(splitMs + durationMs).toISOString().slice(0, 10) } : { dateTime: new Date(splitMs + durationMs).toISOString().replace('.000Z', 'Z'), timeZone: zone },
    };
    const draft: EventDraft = mergeDraft(instance, input.patch, calendar.timeZone, calendar.provider);
    const deltaMs = eventTimeOrderMs(draft.start) - splitMs;
    const carried = lines
      .filter(isExdate)
      .flatMap((line) => recurrenceLineValues(line, zone))
      .filter((time) => eventTimeOrderMs(time) >= splitMs);
    const cancelled = [...(await deps.events.getMany(calendar.tenantId, calendar.id, members.map((m) => m.id))).values()]
      .filter((e) => e.status === 'cancelled' && e.originalStart && eventTimeOrderMs(e.originalStart) >= splitMs)
      .map((e) => e.originalStart!);
    const shift = (time: EventTime): EventTime =>
      'date' in time ? { date: new Date(eventTimeOrderMs(time) + deltaMs).toISOString().slice(0, 10) } : { dateTime: new Date(eventTimeOrderMs(time) + deltaMs).toISOString(), timeZone: zone };
    const newRule = withRuleParts(ruleLine, remaining !== null ? { COUNT: String(remaining) } : {});
    draft.recurrence = [newRule, ...[...carried, ...cancelled].map((time) => exdateLine(shift(time)))];
    created = await providerWrite(() => provider.createEvent(ref, draft, { key: `${input.key}:following` }));
  }

  const masterDraft: EventDraft = { ...mergeDraft(master, {}, calendar.timeZone, calendar.provider), recurrence: oldLines };
  await providerWrite(() => provider.updateEvent(ref, master.providerEventId, masterDraft));
  return { created, touched: created ? [master.providerEventId, created.providerEventId] : [master.providerEventId] };
}
