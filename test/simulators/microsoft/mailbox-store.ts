import { newCalendarId, newChangeKey, newGuid } from './ids.ts';
import type { SimCalendar, SimUser, StoredEvent } from './model.ts';

export interface ChangeEntry {
  seq: number;
  calendarId: string;
  eventId: string;
  before: StoredEvent | null;
  after: StoredEvent | null;
}

export type ChangeType = 'created' | 'updated' | 'deleted';

export interface StoreChange {
  entry: ChangeEntry;
  changeType: ChangeType;
  user: SimUser;
}

export interface NewUser {
  mail: string;
  displayName?: string;
  /** Mailbox time zone; Windows name as Outlook stores it (default `UTC`). */
  timeZone?: string;
  id?: string;
  /** `allowedOnlineMeetingProviders`; `[]` makes a mailbox that cannot host Teams meetings. */
  onlineMeetingProviders?: string[];
}

/**
 * Users, calendars and events of one simulated tenant, plus the change log that delta rounds read: every
 * write appends `{seq, before, after}` for the calendar it touched, and listeners (change notifications)
 * hear about it synchronously.
 */
export class MailboxStore {
  readonly tenantId: string;
  private readonly usersById = new Map<string, SimUser>();
  private readonly calendarsById = new Map<string, SimCalendar>();
  private readonly eventsById = new Map<string, StoredEvent>();
  private readonly eventIdsByCalendar = new Map<string, Set<string>>();
  private readonly changesByCalendar = new Map<string, ChangeEntry[]>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private lastSeq = 0;

  constructor(tenantId: string) {
    this.tenantId = tenantId;
  }

  get seq(): number {
    return this.lastSeq;
  }

  addUser(input: NewUser): SimUser {
    const mail = input.mail.trim();
    if (this.findUser(mail)) throw new Error(`user ${mail} already exists`);
    const id = input.id ?? newGuid();
    const user: SimUser = {
      id,
      tenantId: this.tenantId,
      displayName: input.displayName ?? mail.split('@')[0] ?? mail,
      mail,
      userPrincipalName: mail,
      timeZone: input.timeZone ?? 'UTC',
      defaultCalendarId: '',
      ...(input.onlineMeetingProviders ? { onlineMeetingProviders: [...input.onlineMeetingProviders] } : {}),
    };
    this.usersById.set(id, user);
    const calendar = this.addCalendar(id, { name: 'Calendar', isDefault: true });
    user.defaultCalendarId = calendar.id;
    return user;
  }

  findUser(idOrMail: string): SimUser | undefined {
    const byId = this.usersById.get(idOrMail);
    if (byId) return byId;
    const lower = idOrMail.toLowerCase();
    for (const user of this.usersById.values()) if (user.mail.toLowerCase() === lower || user.userPrincipalName.toLowerCase() === lower) return user;
    return undefined;
  }

  requireUser(idOrMail: string): SimUser {
    const user = this.findUser(idOrMail);
    if (!user) throw new Error(`unknown simulator user ${idOrMail}`);
    return user;
  }

  users(): SimUser[] {
    return [...this.usersById.values()];
  }

  addCalendar(userId: string, input: { name: string; hexColor?: string; isDefault?: boolean }): SimCalendar {
    const user = this.usersById.get(userId);
    if (!user) throw new Error(`unknown simulator user ${userId}`);
    const calendar: SimCalendar = {
      id: newCalendarId(),
      userId,
      name: input.name,
      hexColor: input.hexColor ?? '',
      isDefaultCalendar: input.isDefault ?? false,
      changeKey: newChangeKey(),
    };
    this.calendarsById.set(calendar.id, calendar);
    this.eventIdsByCalendar.set(calendar.id, new Set());
    this.changesByCalendar.set(calendar.id, []);
    return calendar;
  }

  calendar(id: string): SimCalendar | undefined {
    return this.calendarsById.get(id);
  }

  calendarsOf(userId: string): SimCalendar[] {
    const calendars = [...this.calendarsById.values()].filter((c) => c.userId === userId);
    return calendars.sort((a, b) => Number(b.isDefaultCalendar) - Number(a.isDefaultCalendar));
  }

  event(id: string): StoredEvent | undefined {
    return this.eventsById.get(id);
  }

  /** Single events and series masters of a calendar. */
  *eventsIn(calendarId: string): Generator<StoredEvent> {
    for (const id of this.eventIdsByCalendar.get(calendarId) ?? []) {
      const event = this.eventsById.get(id);
      if (event) yield event;
    }
  }

  findByTransactionId(userId: string, transactionId: string): StoredEvent | undefined {
    for (const event of this.eventsById.values()) if (event.userId === userId && event.transactionId === transactionId) return event;
    return undefined;
  }

  /** Stores a new version of an event (created when it did not exist). */
  put(after: StoredEvent): ChangeEntry {
    const before = this.eventsById.get(after.id) ?? null;
    if (before && before.calendarId !== after.calendarId) throw new Error('events do not move between calendars');
    this.eventsById.set(after.id, after);
    this.eventIdsByCalendar.get(after.calendarId)?.add(after.id);
    return this.record(after.calendarId, after.id, before, after, before ? 'updated' : 'created');
  }

  remove(id: string): ChangeEntry | null {
    const before = this.eventsById.get(id);
    if (!before) return null;
    this.eventsById.delete(id);
    this.eventIdsByCalendar.get(before.calendarId)?.delete(id);
    return this.record(before.calendarId, id, before, null, 'deleted');
  }

  /** Change entries of a calendar with `seq` greater than `afterSeq`, oldest first. */
  changesSince(calendarId: string, afterSeq: number): ChangeEntry[] {
    const log = this.changesByCalendar.get(calendarId) ?? [];
    let low = 0;
    let high = log.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (log[mid]!.seq <= afterSeq) low = mid + 1;
      else high = mid;
    }
    return log.slice(low);
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(calendarId: string, eventId: string, before: StoredEvent | null, after: StoredEvent | null, changeType: ChangeType): ChangeEntry {
    const entry: ChangeEntry = { seq: ++this.lastSeq, calendarId, eventId, before, after };
    this.changesByCalendar.get(calendarId)?.push(entry);
    const user = this.usersById.get((after ?? before)!.userId)!;
    for (const listener of this.listeners) listener({ entry, changeType, user });
    return entry;
  }
}
