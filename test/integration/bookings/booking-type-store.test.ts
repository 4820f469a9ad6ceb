import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { DynamoBookingTypeStore } from '../../../shared/storage/dynamo-booking-type-store.ts';
import {
  createBookingType,
  deleteBookingType,
  getBookingType,
  listBookingTypes,
  updateBookingType,
  type BookingTypeInput,
} from '../../../shared/use-cases/bookings/manage-booking-types.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { TestClock } from '../../support/stores.ts';

let store: DynamoBookingTypeStore;
const clock = new TestClock('2026-11-23T12:00:00Z');
const deps = () => ({ bookingTypes: store, clock });
const intro: BookingTypeInput = {
  name: 'Intro',
  durationMinutes: 30,
  assignment: 'collective',
  hosts: [{ calendarIds: ['cal_a'], scheduleId: 'sch_a', writeCalendarId: 'cal_a' }],
  rooms: [{ calendarId: 'room_1' }],
  conference: 'zoom',
  reminders: [{ minutesBefore: 30, channels: ['email', 'sms'], to: 'all' }],
};

beforeAll(async () => {
  const table = await createTestTable('booking-types');
  store = new DynamoBookingTypeStore({ doc: table.doc, tableName: table.tableName });
});

describe('booking types in DynamoDB', () => {
  it('creates, reads, changes and deletes a booking type, keeping rooms, conference and reminders', async () => {
    const created = await createBookingType(deps(), 'acme', intro);
    expect(created.id).toMatch(/^bkt_[0-9A-Z]{26}$/);
    expect(created).toMatchObject({ ...intro, createdAt: '2026-11-23T12:00:00.000Z' });
    expect(created.publicId).toBeUndefined();
    expect(await getBookingType(deps(), 'acme', created.id)).toEqual(created);

    clock.advance(60_000);
    const changed = await updateBookingType(deps(), 'acme', created.id, { durationMinutes: 45, public: true });
    expect(changed).toMatchObject({ durationMinutes: 45, rooms: intro.rooms, reminders: intro.reminders, updatedAt: '2026-11-23T12:01:00.000Z' });
    expect(changed.publicId).toMatch(/^pub_[A-Za-z0-9_-]{22}$/);
    expect((await store.get('acme', created.id))!.version).toBe(2);
    // A second PATCH keeps the public address: links already handed out stay valid.
    expect((await updateBookingType(deps(), 'acme', created.id, { public: true })).publicId).toBe(changed.publicId);

    await deleteBookingType(deps(), 'acme', created.id);
    await expect(getBookingType(deps(), 'acme', created.id)).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
  });

  it('checks a PATCH together with the stored fields (weeklyLimit below the stored dailyLimit is refused)', async () => {
    const created = await createBookingType(deps(), 'acme', { ...intro, dailyLimit: 5 });
    await expect(updateBookingType(deps(), 'acme', created.id, { weeklyLimit: 3 })).rejects.toSatisfy(
      (error) => isAppError(error, 'input.invalid') && (error as { details?: { field?: string } }).details?.field === 'body.weeklyLimit',
    );
    expect((await getBookingType(deps(), 'acme', created.id)).weeklyLimit).toBeUndefined();
  });

  it('keeps tenants apart and lists in creation order with a cursor', async () => {
    const mine = await createBookingType(deps(), 'tenant-a', intro);
    expect(await store.get('tenant-b', mine.id)).toBeNull();
    await expect(updateBookingType(deps(), 'tenant-b', mine.id, { name: 'x' })).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    await expect(deleteBookingType(deps(), 'tenant-b', mine.id)).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    expect((await listBookingTypes(deps(), { tenantId: 'tenant-b', limit: 50 })).items).toEqual([]);

    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      ids.push((await createBookingType(deps(), 'paged', { ...intro, name: `T${i}` })).id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await listBookingTypes(deps(), { tenantId: 'paged', cursor, limit: 2 });
      seen.push(...result.items.map((item) => item.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(ids);
  });
});
