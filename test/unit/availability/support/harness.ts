import type { Calendar } from '../../../../shared/domain/calendar.ts';
import type { Schedule, ScheduleContent } from '../../../../shared/domain/schedule.ts';
import type { Page, PageRequest } from '../../../../shared/ports/page.ts';
import type { SchedulePatch, ScheduleStore } from '../../../../shared/ports/schedule-store.ts';
import { CalendarRecurrenceExpander } from '../../../../shared/recurrence/calendar-recurrence-expander.ts';
import type { ConflictDeps } from '../../../../shared/use-cases/availability/check-conflicts.ts';
import type { AvailabilityDeps } from '../../../../shared/use-cases/availability/find-availability.ts';
import { TestClock, testCalendar, testConnection } from '../../../support/stores.ts';
import { InMemoryCalendars, InMemoryEventStore } from '../../read-side/support.ts';

/** Schedules in memory, tenant-scoped like the real store. */
export class InMemorySchedules implements ScheduleStore {
  readonly #items = new Map<string, Schedule>();

  put(schedule: Schedule): Schedule {
    this.#items.set(`${schedule.tenantId}\u0000${schedule.id}`, schedule);
    return schedule;
  }

  async create(schedule: Schedule): Promise<void> {
    this.put(schedule);
  }

  async get(tenantId: string, id: string): Promise<Schedule | null> {
    return this.#items.get(`${tenantId}\u0000${id}`) ?? null;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Map<string, Schedule>> {
    const found = new Map<string, Schedule>();
    for (const id of ids) {
      const schedule = this.#items.get(`${tenantId}\u0000${id}`);
      if (schedule) found.set(id, schedule);
    }
    return found;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Schedule>> {
    return { items: [...this.#items.values()].filter((s) => s.tenantId === tenantId).slice(0, page.limit), cursor: null };
  }

  async update(tenantId: string, id: string, _version: number, patch: SchedulePatch): Promise<Schedule> {
    const current = (await this.get(tenantId, id))!;
    return this.put({ ...current, ...patch, version: current.version + 1 });
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.#items.delete(`${tenantId}\u0000${id}`);
  }
}

let scheduleCounter = 0;

export function schedule(tenantId: string, content: Omit<ScheduleContent, 'name' | 'overrides'> & Partial<Pick<ScheduleContent, 'name' | 'overrides'>>): Schedule {
  scheduleCounter += 1;
  return {
    tenantId,
    id: `sch_${String(scheduleCounter).padStart(26, '0')}`,
    name: content.name ?? 'Working hours',
    timeZone: content.timeZone,
    weekly: content.weekly,
    overrides: content.overrides ?? [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    version: 1,
  };
}

export interface Harness {
  tenantId: string;
  calendars: InMemoryCalendars;
  events: InMemoryEventStore;
  schedules: InMemorySchedules;
  clock: TestClock;
  /** Enough for both use-cases: findAvailability and checkConflicts. */
  deps: AvailabilityDeps & ConflictDeps;
  calendar(name: string, overrides?: Partial<Calendar>): Calendar;
}

/** The availability use-cases over in-memory stores and the real recurrence expander. */
export function harness(tenantId = 'tenant-a', now = '2026-11-01T00:00:00Z'): Harness {
  const calendars = new InMemoryCalendars();
  const events = new InMemoryEventStore();
  const schedules = new InMemorySchedules();
  const clock = new TestClock(now);
  const connection = testConnection(tenantId);
  return {
    tenantId,
    calendars,
    events,
    schedules,
    clock,
    deps: { calendars, events, expander: new CalendarRecurrenceExpander(), schedules, clock },
    calendar(name, overrides = {}) {
      // Fully synced at the clock's time, so the store answers for the whole sync window (collectBusyTime asks the
      // provider, which these tests do not have, for anything outside it).
      const syncedAt = clock.now().toISOString();
      const synced = { syncEnabled: true, cursor: 'synced', lastSyncedAt: syncedAt, lastFullSyncAt: syncedAt };
      const calendar = testCalendar(connection, { providerCalendarId: name, name, timeZone: 'UTC', ...synced, ...overrides });
      calendars.put(calendar);
      return calendar;
    },
  };
}
