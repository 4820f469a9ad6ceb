import { randomBytes } from 'node:crypto';
import { AppError, notFound } from '../../domain/app-error.ts';
import { bookingTypeProblems, type BookingType, type BookingTypeContent } from '../../domain/booking-type.ts';
import { newId } from '../../domain/ids.ts';
import type { BookingTypePatch, BookingTypeStore } from '../../ports/booking-type-store.ts';
import type { Clock } from '../../ports/clock.ts';

export interface BookingTypeAdminDeps {
  bookingTypes: BookingTypeStore;
  clock: Clock;
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

/** 128 random bits: the public page's address must not be guessable from the booking type id or time. */
function newPublicId(): string {
  return `pub_${randomBytes(16).toString('base64url')}`;
}

export async function createBookingType(deps: BookingTypeAdminDeps, tenantId: string, input: BookingTypeInput): Promise<BookingTypeView> {
  assertValidBookingType(input);
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
