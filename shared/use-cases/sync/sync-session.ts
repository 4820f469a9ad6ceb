import { eventContentHash } from '../../domain/content-hash.ts';
import type { CalendarEvent, ProviderEvent } from '../../domain/calendar-event.ts';
import type { Calendar, TimeRange } from '../../domain/calendar.ts';
import { domainEvent, type DomainEvent } from '../../domain/domain-events.ts';
import { stableId } from '../../domain/ids.ts';
import { zoomConferenceInText } from '../../domain/video-conference.ts';
import type { ProviderChange } from '../../ports/calendar-provider.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { EventStore, StoredEventVersion } from '../../ports/event-store.ts';
import { isInSyncWindow } from './sync-window.ts';

export interface SyncCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

export function eventIdOf(calendarId: string, providerEventId: string): string {
  return stableId('evt', calendarId, providerEventId);
}

export function toCalendarEvent(calendar: Calendar, providerEvent: ProviderEvent): CalendarEvent {
  // A Zoom link in the location or description is the event's conference when the provider names none.
  const linked = providerEvent.conference ? null : zoomConferenceInText(providerEvent.location, providerEvent.description);
  const event = linked ? { ...providerEvent, conference: linked } : providerEvent;
  return {
    ...event,
    tenantId: calendar.tenantId,
    connectionId: calendar.connectionId,
    calendarId: calendar.id,
    id: eventIdOf(calendar.id, event.providerEventId),
    contentHash: eventContentHash(event),
  };
}

function versionOf(event: CalendarEvent): StoredEventVersion {
  return {
    id: event.id,
    providerEventId: event.providerEventId,
    resourceId: event.resourceId,
    recurringEventId: event.recurringEventId,
    contentHash: event.contentHash,
    etag: event.etag,
  };
}

type Operation = { kind: 'put'; event: CalendarEvent } | { kind: 'delete'; providerEventId: string };

export interface SyncSessionDeps {
  events: EventStore;
  publisher: EventPublisher;
  now: () => Date;
}

/**
 * Applies the pages of one sync round to the store. For each page it works out what really changed against
 * what is stored (content hash; an etag-only change is written silently), publishes the domain events for
 * it, and only then writes: a crash between the two re-publishes the same events on retry (their ids are
 * derived from the change), never loses one. A full round also remembers every event it saw so that
 * `finishFullRound` can tombstone what the provider no longer has.
 */
export class SyncSession {
  readonly counts: SyncCounts = { created: 0, updated: 0, deleted: 0, unchanged: 0 };
  private readonly deps: SyncSessionDeps;
  private readonly calendar: Calendar;
  private readonly window: TimeRange;
  private readonly full: boolean;
  private readonly seen = new Set<string>();
  /** Every stored event's version: loaded up front for a full round, lazily for an incremental one. */
  private versions: Map<string, StoredEventVersion> | null = null;

  constructor(deps: SyncSessionDeps, calendar: Calendar, window: TimeRange, full: boolean) {
    this.deps = deps;
    this.calendar = calendar;
    this.window = window;
    this.full = full;
  }

  private async allVersions(): Promise<Map<string, StoredEventVersion>> {
    if (!this.versions) {
      const list = await this.deps.events.listVersions(this.calendar.tenantId, this.calendar.id);
      this.versions = new Map(list.map((version) => [version.id, version]));
    }
    return this.versions;
  }

  async start(): Promise<void> {
    if (this.full) await this.allVersions();
  }

  get storedCount(): number {
    return this.versions?.size ?? 0;
  }

  get seenCount(): number {
    return this.seen.size;
  }

  /** Turns provider changes into put/delete operations on our event ids (the last change of an id wins). */
  private async plan(changes: readonly ProviderChange[]): Promise<Map<string, Operation>> {
    const operations = new Map<string, Operation>();
    const zone = this.calendar.timeZone;
    const upsert = (event: ProviderEvent): void => {
      const id = eventIdOf(this.calendar.id, event.providerEventId);
      if (!isInSyncWindow(event, this.window, zone)) {
        operations.set(id, { kind: 'delete', providerEventId: event.providerEventId });
        return;
      }
      this.seen.add(id);
      operations.set(id, { kind: 'put', event: toCalendarEvent(this.calendar, event) });
    };
    const remove = (providerEventId: string): void => {
      operations.set(eventIdOf(this.calendar.id, providerEventId), { kind: 'delete', providerEventId });
    };
    for (const change of changes) {
      if (change.type === 'upsert') upsert(change.event);
      else if (change.type === 'delete') remove(change.providerEventId);
      else {
        // CalDAV: a resource holds a master and its overrides; what the resource no longer holds is gone.
        const keep = new Set(change.type === 'replaceResource' ? change.events.map((e) => eventIdOf(this.calendar.id, e.providerEventId)) : []);
        for (const version of (await this.allVersions()).values()) {
          if (version.resourceId === change.resourceId && !keep.has(version.id)) remove(version.providerEventId);
        }
        if (change.type === 'replaceResource') change.events.forEach(upsert);
      }
    }
    // A deleted series takes its occurrences and exceptions with it (providers do not always list them).
    const deletedSeries = await this.deletedMasters(operations);
    if (deletedSeries.length) {
      const series = new Set(deletedSeries);
      for (const version of (await this.allVersions()).values()) {
        if (version.recurringEventId && series.has(version.recurringEventId) && operations.get(version.id)?.kind !== 'put') {
          operations.set(version.id, { kind: 'delete', providerEventId: version.providerEventId });
        }
      }
    }
    return operations;
  }

  /** Provider ids of stored series masters that the operations delete (read only when there are deletes). */
  private async deletedMasters(operations: Map<string, Operation>): Promise<string[]> {
    const deleteIds = [...operations].filter(([, op]) => op.kind === 'delete').map(([id]) => id);
    if (deleteIds.length === 0) return [];
    if (this.versions) {
      return deleteIds.filter((id) => this.versions!.has(id) && this.versions!.get(id)!.recurringEventId === null).map((id) => (operations.get(id) as Extract<Operation, { kind: 'delete' }>).providerEventId);
    }
    const stored = await this.deps.events.getMany(this.calendar.tenantId, this.calendar.id, deleteIds);
    return [...stored.values()].filter((event) => event.kind === 'master').map((event) => event.providerEventId);
  }

  async applyPage(changes: readonly ProviderChange[]): Promise<void> {
    if (changes.length === 0) return;
    const operations = await this.plan(changes);
    await this.execute(operations);
  }

  private async execute(operations: Map<string, Operation>): Promise<void> {
    const ids = [...operations.keys()];
    const known = this.versions;
    // Versions decide put/update/skip; full stored events are needed only as the payload of deletions.
    const stored: Map<string, StoredEventVersion> = known ? known : new Map([...(await this.deps.events.getMany(this.calendar.tenantId, this.calendar.id, ids)).values()].map((e) => [e.id, versionOf(e)]));
    const deletions = ids.filter((id) => operations.get(id)!.kind === 'delete' && stored.has(id));
    const deletedEvents = deletions.length ? await this.deps.events.getMany(this.calendar.tenantId, this.calendar.id, deletions) : new Map<string, CalendarEvent>();

    const now = this.deps.now();
    const writes: CalendarEvent[] = [];
    const removals: string[] = [];
    const domainEvents: DomainEvent[] = [];
    const base = { connectionId: this.calendar.connectionId, calendarId: this.calendar.id };
    for (const [id, operation] of operations) {
      const previous = stored.get(id);
      if (operation.kind === 'put') {
        const event = operation.event;
        if (!previous) {
          this.counts.created += 1;
          domainEvents.push(domainEvent('calendar.event.created', event.tenantId, { ...base, event, previousContentHash: null }, { idempotencyParts: [id, 'created', event.contentHash, event.etag ?? event.updated ?? ''], time: now }));
          writes.push(event);
        } else if (previous.contentHash !== event.contentHash) {
          this.counts.updated += 1;
          domainEvents.push(domainEvent('calendar.event.updated', event.tenantId, { ...base, event, previousContentHash: previous.contentHash }, { idempotencyParts: [id, 'updated', previous.contentHash, event.contentHash, event.etag ?? event.updated ?? ''], time: now }));
          writes.push(event);
        } else {
          this.counts.unchanged += 1;
          if (previous.etag !== event.etag) writes.push(event); // keep the etag current for If-Match, silently
        }
      } else if (previous) {
        const last = deletedEvents.get(id);
        removals.push(id);
        if (last) {
          this.counts.deleted += 1;
          domainEvents.push(domainEvent('calendar.event.deleted', last.tenantId, { ...base, event: last, previousContentHash: last.contentHash }, { idempotencyParts: [id, 'deleted', last.contentHash, last.etag ?? ''], time: now }));
        }
      }
    }

    await this.deps.publisher.publish(domainEvents);
    if (writes.length) await this.deps.events.putMany(writes);
    if (removals.length) await this.deps.events.deleteMany(this.calendar.tenantId, this.calendar.id, removals);
    if (known) {
      for (const event of writes) known.set(event.id, versionOf(event));
      for (const id of removals) known.delete(id);
    }
  }

  /** Ids stored but not seen by this full round: the provider no longer has them. */
  async unseenStoredIds(): Promise<string[]> {
    const versions = await this.allVersions();
    return [...versions.keys()].filter((id) => !this.seen.has(id));
  }

  /**
   * After a complete full listing: what the provider no longer has inside the window is deleted (with
   * domain events); what merely aged out of the window (it was not listed because the window moved on) is
   * pruned silently — nobody deleted it, so no `calendar.event.deleted` is emitted for it.
   */
  async finishFullRound(): Promise<void> {
    const unseen = await this.unseenStoredIds();
    if (unseen.length === 0) return;
    const stored = await this.deps.events.getMany(this.calendar.tenantId, this.calendar.id, unseen);
    const agedOut = unseen.filter((id) => {
      const event = stored.get(id);
      return event !== undefined && !isInSyncWindow(event, this.window, this.calendar.timeZone);
    });
    if (agedOut.length) {
      await this.deps.events.deleteMany(this.calendar.tenantId, this.calendar.id, agedOut);
      for (const id of agedOut) this.versions?.delete(id);
    }
    const pruned = new Set(agedOut);
    const versions = await this.allVersions();
    const gone = unseen.filter((id) => !pruned.has(id) && versions.has(id));
    const operations = new Map<string, Operation>(gone.map((id) => [id, { kind: 'delete', providerEventId: versions.get(id)!.providerEventId }]));
    if (operations.size) await this.execute(operations);
  }
}
