import { createHash } from 'node:crypto';
import { googleErrors } from './errors.ts';
import { instanceRef, trackedKeys } from './series.ts';
import type { CalendarRecord, EventRecord, InstanceRef, SimUser } from './types.ts';
import { isKnownZone } from './zone-time.ts';

export interface StoreOptions {
  now: () => Date;
  /** How far past `now` open-ended series are expanded (singleEvents without timeMax, change tracking). */
  expansionHorizonDays: number;
}

export interface RecordChange {
  record: EventRecord;
  /** For masters: the instance ids the change touched (old and new occurrences). */
  instances?: InstanceRef[] | null;
}

type ChangeListener = (calendarId: string) => void;

/**
 * The simulator's truth: users, their calendars and events, and a change log per calendar. Every mutation
 * goes through `commit`, which stamps a new per-calendar sequence number, etag and `updated`, appends to the
 * log (incremental sync reads it) and tells listeners (push channels).
 */
export class SimStore {
  readonly users = new Map<string, SimUser>();
  readonly calendars = new Map<string, CalendarRecord>();
  readonly options: StoreOptions;
  private idCounter = 0;
  private etagCounter = 3_180_000_000_000_000;
  private readonly listeners: ChangeListener[] = [];

  constructor(options: StoreOptions) {
    this.options = options;
  }

  nowMs(): number {
    return this.options.now().getTime();
  }

  nowIso(): string {
    return this.options.now().toISOString();
  }

  horizonMs(): number {
    return this.nowMs() + this.options.expansionHorizonDays * 86_400_000;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  createUser(input: { email: string; name?: string; timeZone?: string }): SimUser {
    const email = input.email.toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error(`not an e-mail address: ${input.email}`);
    if (this.users.has(email)) throw new Error(`user exists: ${email} (an autoConsentUser is created at start)`);
    const timeZone = input.timeZone ?? 'UTC';
    if (!isKnownZone(timeZone)) throw new Error(`unknown time zone: ${timeZone}`);
    // Google subjects are 21-digit numbers, stable per account.
    const sub = `1${BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 15)}`).toString().padStart(20, '0').slice(0, 20)}`;
    const user: SimUser = { email, name: input.name ?? email.split('@')[0] ?? email, sub, timeZone, primaryCalendarId: email };
    this.users.set(email, user);
    this.addCalendar({ id: email, owner: email, summary: email, description: null, timeZone, primary: true });
    return user;
  }

  createCalendar(ownerEmail: string, input: { summary: string; timeZone?: string; description?: string; id?: string }): CalendarRecord {
    const owner = this.requireUser(ownerEmail);
    const id = input.id ?? `c_${createHash('sha256').update(`${owner.email}/${this.calendars.size}/${input.summary}`).digest('hex').slice(0, 26)}@group.calendar.google.com`;
    if (this.calendars.has(id)) throw new Error(`calendar exists: ${id}`);
    const timeZone = input.timeZone ?? owner.timeZone;
    if (!isKnownZone(timeZone)) throw new Error(`unknown time zone: ${timeZone}`);
    return this.addCalendar({ id, owner: owner.email, summary: input.summary, description: input.description ?? null, timeZone, primary: false });
  }

  private addCalendar(input: Pick<CalendarRecord, 'id' | 'owner' | 'summary' | 'description' | 'timeZone' | 'primary'>): CalendarRecord {
    const calendar: CalendarRecord = { ...input, etag: this.nextEtag(), seq: 0, epoch: 0, events: new Map(), exceptions: new Map(), log: [] };
    this.calendars.set(calendar.id, calendar);
    return calendar;
  }

  requireUser(email: string): SimUser {
    const user = this.users.get(email.toLowerCase());
    if (!user) throw new Error(`unknown user: ${email}`);
    return user;
  }

  /** The calendar, or a 404 in Google's shape. */
  requireCalendar(calendarId: string): CalendarRecord {
    const calendar = this.calendars.get(calendarId);
    if (!calendar) throw googleErrors.notFound();
    return calendar;
  }

  calendarsOf(email: string): CalendarRecord[] {
    return [...this.calendars.values()].filter((calendar) => calendar.owner === email.toLowerCase());
  }

  /** Google event ids are base32hex (`[a-v0-9]`), 5–1024 characters. */
  nextEventId(): string {
    this.idCounter += 1;
    return `ev${this.idCounter.toString(32).padStart(8, '0')}${createHash('sha256').update(String(this.idCounter)).digest('hex').slice(0, 6).replace(/[w-z]/g, '0')}`;
  }

  nextEtag(): string {
    this.etagCounter += 1 + (this.etagCounter % 7);
    return `"${this.etagCounter}"`;
  }

  /** Stores a new or changed record without logging it (callers follow with `commit`). */
  put(calendar: CalendarRecord, record: EventRecord): void {
    calendar.events.set(record.id, record);
    if (record.type === 'exception' && record.recurringEventId) {
      let ids = calendar.exceptions.get(record.recurringEventId);
      if (!ids) calendar.exceptions.set(record.recurringEventId, (ids = new Set()));
      ids.add(record.id);
    }
  }

  /** A live master's change touches every current occurrence too (plus those the caller saw before the change). */
  private touchedInstances(calendar: CalendarRecord, record: EventRecord, before: InstanceRef[] | null): InstanceRef[] | null {
    if (record.type !== 'master' || record.deleted) return before;
    const byId = new Map((before ?? []).map((ref) => [ref.id, ref]));
    for (const key of trackedKeys(record, calendar, this.nowMs(), this.horizonMs())) {
      const ref = instanceRef(record, key);
      byId.set(ref.id, ref);
    }
    return [...byId.values()];
  }

  /** Records one user-visible operation: one sequence number, fresh etags, log entries, one notification. */
  commit(calendar: CalendarRecord, changes: RecordChange[]): void {
    if (changes.length === 0) return;
    calendar.seq += 1;
    const updated = this.nowIso();
    for (const { record, instances } of changes) {
      record.seq = calendar.seq;
      record.etag = this.nextEtag();
      record.updated = updated;
      this.put(calendar, record);
      calendar.log.push({ seq: calendar.seq, eventId: record.id, instances: this.touchedInstances(calendar, record, instances ?? null) });
    }
    calendar.etag = this.nextEtag();
    for (const listener of this.listeners) listener(calendar.id);
  }
}
