import type { ProviderChange } from '../../ports/calendar-provider.ts';
import { SyncSession, eventIdOf, type SyncCounts } from '../sync/sync-session.ts';
import type { EventWriteDeps, WriteContext } from './event-write-context.ts';

export interface MirrorRequest {
  /** Provider ids our write touched. */
  providerEventIds: readonly string[];
  /** Of those, the series masters (their stored members are reconciled too). */
  seriesIds?: readonly string[];
}

/**
 * Stores what our write changed exactly as the next sync will see it, and announces it — through the same
 * SyncSession the sync engine uses, so the domain events are the ones a sync would emit (same ids: when a
 * sync runs at the same moment, both emit the same events and consumers keep one), and the next sync finds
 * equal content hashes and emits nothing: no echo, no change loop.
 *
 * The provider is read once more (`readAsSynced`) instead of trusting the write's reply, because providers
 * answer a write in a slightly different shape than they list (Graph lists a series as its occurrences,
 * CalDAV a whole resource). Where a provider lists a series only by its members (Graph), members we still
 * store but the provider no longer lists (a cancelled EXDATE instance, a reset series) are deleted.
 * Calendars that are not synced keep no copy: nothing is stored and nothing announced for them.
 */
export async function mirrorWrite(deps: EventWriteDeps, context: WriteContext, request: MirrorRequest): Promise<SyncCounts | null> {
  const { calendar, provider, ref, window } = context;
  if (!calendar.syncEnabled) return null;
  const changes: ProviderChange[] = [];
  for (const id of new Set(request.providerEventIds)) changes.push(...(await provider.readAsSynced(ref, id, window)));
  const upserted = new Set(changes.flatMap((change) => (change.type === 'upsert' ? [change.event.providerEventId] : change.type === 'replaceResource' ? change.events.map((e) => e.providerEventId) : [])));
  const memberShaped = (request.seriesIds ?? []).filter((id) => !upserted.has(id) && !changes.some((c) => c.type === 'replaceResource' || c.type === 'deleteResource'));
  if (memberShaped.length > 0) {
    const series = new Set(memberShaped);
    for (const version of await deps.events.listVersions(calendar.tenantId, calendar.id)) {
      if (version.recurringEventId && series.has(version.recurringEventId) && !upserted.has(version.providerEventId)) changes.push({ type: 'delete', providerEventId: version.providerEventId });
    }
  }
  const session = new SyncSession({ events: deps.events, publisher: deps.publisher, now: () => deps.clock.now() }, calendar, window, false);
  await session.applyPage(changes);
  deps.log.info('event write mirrored', { calendarId: calendar.id, ...session.counts, ids: [...request.providerEventIds].map((id) => eventIdOf(calendar.id, id)) });
  return session.counts;
}
