import { randomBytes } from 'node:crypto';
import { AppError, notFound } from '../../domain/app-error.ts';
import { bookingTypeProblems, type BookingType, type BookingTypeContent } from '../../domain/booking-type.ts';
import { newId } from '../../domain/ids.ts';
import type { BookingTypePatch, BookingTypeStore } from '../../ports/booking-type-store.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';

export interface BookingTypeAdminDeps {
  bookingTypes: BookingTypeStore;
  clock: Clock;
  /** When given, every calendar and schedule a booking type names must be the tenant's (else 404 naming the field). */
  references?: { calendars: Pick<CalendarStore, 'get'>; schedules: Pick<ScheduleStore, 'getMany'> };
}

export type BookingTypeView = Omit<BookingType, 'tenantId' | 'version'>;
export type BookingTypeInput = BookingTypeContent;
export type BookingTypePatchInput = Partial<BookingTypeContent>;

export function toBookingTypeView(bookingType: BookingType): BookingTypeView {
  const { tenantId: _tenant, version: _version, ...view } = bookingType;
  return view;
}

/** The HTTP contract checks this already; repeated so no caller can store a booking type the slot search misreads. */
export function assertValidBookingType(content: Partial<BookingTypeContent>): void {
  const problems = bookingTypeProblems(content);
  if (problems.length === 0) return;
  const errors = problems.map((problem) => ({
    field: problem.path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}.${part}`), 'body'),
    message: problem.message,
  }));
  throw new AppError('input.invalid', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { details: { field: errors[0]!.field, errors } });
}

/**
 * The calendars, schedules and rooms named in `content` exist in the tenant: another tenant's id is as unknown as
 * a made-up one (404 naming the first such field, as /v1/availability does), so a booking type never points at
 * data it cannot read and existence never leaks.
 */
async function assertReferencesExist(deps: BookingTypeAdminDeps, tenantId: string, content: Partial<BookingTypeContent>): Promise<void> {
  const refs = deps.references;
  if (!refs) return;
  // In body order: per host its calendars, its write calendar, its schedule; rooms last.
  const named: { field: string; id: string; kind: 'Calendar' | 'Schedule' }[] = [];
  (content.hosts ?? []).forEach((host, i) => {
    host.calendarIds.forEach((id, j) => named.push({ field: `body.hosts[${i}].calendarIds[${j}]`, id, kind: 'Calendar' }));
    named.push({ field: `body.hosts[${i}].writeCalendarId`, id: host.writeCalendarId, kind: 'Calendar' });
    named.push({ field: `body.hosts[${i}].scheduleId`, id: host.scheduleId, kind: 'Schedule' });
  });
  (content.rooms ?? []).forEach((room, i) => named.push({ field: `body.rooms[${i}].calendarId`, id: room.calendarId, kind: 'Calendar' }));
  if (named.length === 0) return;
  const calendarIds = [...new Set(named.filter((n) => n.kind === 'Calendar').map((n) => n.id))];
  const scheduleIds = [...new Set(named.filter((n) => n.kind === 'Schedule').map((n) => n.id))];
  const [calendars, schedules] = await Promise.all([
    Promise.all(calendarIds.map(async (id) => ((await refs.calendars.get(tenantId, id)) ? id : null))),
    scheduleIds.length ? refs.schedules.getMany(tenantId, scheduleIds) : Promise.resolve(new Map<string, unknown>()),
  ]);
  const knownCalendars = new Set(calendars);
  const missing = named.filter((n) => (n.kind === 'Calendar' ? !knownCalendars.has(n.id) : !schedules.has(n.id)));
  if (missing.length === 0) return;
  const errors = missing.map((m) => ({ field: m.field, message: `${m.kind} ${m.id} not found` }));
  throw new AppError('resource.not_found', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { details: { field: errors[0]!.field, errors } });
}

/** 128 random bits: the public page's address must not be guessable from the booking type id or time. */
function newPublicId(): string {
  return `pub_${randomBytes(16).toString('base64url')}`;
}

export async function createBookingType(deps: BookingTypeAdminDeps, tenantId: string, input: BookingTypeInput): Promise<BookingTypeView> {
  assertValidBookingType(input);
  await assertReferencesExist(deps, tenantId, input);
  const now = deps.clock.now();
  const bookingType: BookingType = {
    ...stripUndefined(input),
    tenantId,
    id: newId('bkt', now.getTime()),
    ...(input.public ? { publicId: newPublicId() } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  await deps.bookingTypes.create(bookingType);
  return toBookingTypeView(bookingType);
}

export async function getBookingType(deps: Pick<BookingTypeAdminDeps, 'bookingTypes'>, tenantId: string, bookingTypeId: string): Promise<BookingTypeView> {
  const bookingType = await deps.bookingTypes.get(tenantId, bookingTypeId);
  if (!bookingType) throw notFound('Booking type');
  return toBookingTypeView(bookingType);
}

export async function listBookingTypes(
  deps: Pick<BookingTypeAdminDeps, 'bookingTypes'>,
  input: { tenantId: string; cursor?: string | undefined; limit: number },
): Promise<{ items: BookingTypeView[]; nextCursor: string | null }> {
  const page = await deps.bookingTypes.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toBookingTypeView), nextCursor: page.cursor };
}

/** Replaces the fields sent, checked together with the stored ones; conditional on the version read. */
export async function updateBookingType(deps: BookingTypeAdminDeps, tenantId: string, bookingTypeId: string, input: BookingTypePatchInput): Promise<BookingTypeView> {
  const current = await deps.bookingTypes.get(tenantId, bookingTypeId);
  if (!current) throw notFound('Booking type');
  const patchContent = stripUndefined(input);
  // Cross-field rules (weeklyLimit ≥ dailyLimit, writeCalendarId among calendarIds) hold for the result.
  assertValidBookingType({ ...current, ...patchContent });
  await assertReferencesExist(deps, tenantId, { hosts: patchContent.hosts, rooms: patchContent.rooms });
  const patch: BookingTypePatch = { ...patchContent, updatedAt: deps.clock.now().toISOString() };
  if (input.public === true && !current.publicId) patch.publicId = newPublicId();
  return toBookingTypeView(await deps.bookingTypes.update(tenantId, bookingTypeId, current.version, patch));
}

export async function deleteBookingType(deps: Pick<BookingTypeAdminDeps, 'bookingTypes'>, tenantId: string, bookingTypeId: string): Promise<void> {
  if (!(await deps.bookingTypes.delete(tenantId, bookingTypeId))) throw notFound('Booking type');
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
