import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { Schedule } from '../../../shared/domain/schedule.ts';
import { DynamoScheduleStore } from '../../../shared/storage/dynamo-schedule-store.ts';
import { createSchedule, deleteSchedule, getSchedule, listSchedules, updateSchedule } from '../../../shared/use-cases/availability/manage-schedules.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { TestClock } from '../../support/stores.ts';

let store: DynamoScheduleStore;
const clock = new TestClock('2026-11-23T12:00:00Z');
const deps = () => ({ schedules: store, clock });
const office = { name: 'Office', timeZone: 'Europe/Berlin', weekly: [{ day: 'fri' as const, start: '13:00', end: '15:00' }, { day: 'mon' as const, start: '13:00', end: '17:00' }, { day: 'mon' as const, start: '09:00', end: '12:00' }] };

beforeAll(async () => {
  const table = await createTestTable('schedules');
  store = new DynamoScheduleStore({ doc: table.doc, tableName: table.tableName });
});

describe('schedules in DynamoDB', () => {
  it('creates, reads, changes and deletes a schedule; ranges are kept in reading order', async () => {
    const created = await createSchedule(deps(), 'acme', { ...office, overrides: [{ date: '2027-03-29', ranges: [] }] });
    expect(created.id).toMatch(/^sch_[0-9A-Z]{26}$/);
    expect(created.weekly).toEqual([office.weekly[2], office.weekly[1], office.weekly[0]]);
    expect(await getSchedule(deps(), 'acme', created.id)).toEqual(created);

    clock.advance(60_000);
    const changed = await updateSchedule(deps(), 'acme', created.id, { timeZone: 'America/New_York', overrides: [] });
    expect(changed).toMatchObject({ timeZone: 'America/New_York', overrides: [], weekly: created.weekly, updatedAt: '2026-11-23T12:01:00.000Z' });
    expect((await store.get('acme', created.id))!.version).toBe(2);

    await deleteSchedule(deps(), 'acme', created.id);
    await expect(getSchedule(deps(), 'acme', created.id)).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    await expect(deleteSchedule(deps(), 'acme', created.id)).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
  });

  it('keeps tenants apart: another tenant can neither read, list, change, delete nor batch-read a schedule', async () => {
    const mine = await createSchedule(deps(), 'tenant-a', office);
    expect(await store.get('tenant-b', mine.id)).toBeNull();
    expect((await store.getMany('tenant-b', [mine.id])).size).toBe(0);
    expect((await store.getMany('tenant-a', [mine.id])).get(mine.id)!.name).toBe('Office');
    expect((await listSchedules(deps(), { tenantId: 'tenant-b', limit: 50 })).items).toEqual([]);
    await expect(updateSchedule(deps(), 'tenant-b', mine.id, { name: 'Mine now' })).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    await expect(deleteSchedule(deps(), 'tenant-b', mine.id)).rejects.toSatisfy((error) => isAppError(error, 'resource.not_found'));
    expect((await getSchedule(deps(), 'tenant-a', mine.id)).name).toBe('Office');
  });

  it('lists in creation order with a cursor that never crosses tenants', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      ids.push((await createSchedule(deps(), 'paged', { ...office, name: `S${i}` })).id);
    }
    await createSchedule(deps(), 'paged-other', office);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await listSchedules(deps(), { tenantId: 'paged', cursor, limit: 2 });
      seen.push(...result.items.map((item) => item.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(ids);
  });

  it('refuses a stale write (version check) instead of losing a concurrent edit', async () => {
    const created = await createSchedule(deps(), 'acme', office);
    const stale = (await store.get('acme', created.id)) as Schedule;
    await store.update('acme', created.id, stale.version, { name: 'First', updatedAt: clock.now().toISOString() });
    await expect(store.update('acme', created.id, stale.version, { name: 'Second', updatedAt: clock.now().toISOString() })).rejects.toSatisfy((error) => isAppError(error, 'storage.conflict'));
    expect((await store.get('acme', created.id))!.name).toBe('First');
  });

  it('refuses invalid content even from a caller that skipped the HTTP contract', async () => {
    const error = await createSchedule(deps(), 'acme', { ...office, weekly: [{ day: 'mon', start: '10:00', end: '09:00' }] }).catch((thrown: unknown) => thrown);
    expect(isAppError(error, 'input.invalid')).toBe(true);
    expect((error as { details: { field: string } }).details.field).toBe('body.weekly[0].end');
  });
});
