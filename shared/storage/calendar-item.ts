import type { Calendar } from '../domain/calendar.ts';
import { INDEX } from './table-schema.ts';
import { ENTITY_ATTRIBUTE, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';

/**
 * The calendar item and its index attributes. Invariants the store keeps with every write:
 * - gsi2 (`syncDue`) attributes and `nextSyncAt` exist together, and only while `syncEnabled` is true;
 * - gsi3 (`pushExpiry`) attributes exist exactly while `push` is set.
 * Both indexes are sparse, so the scheduler and the renewer read only what concerns them.
 */
export const SYNC_STATE_ATTRIBUTES = ['leaseOwner', 'leaseUntil', 'syncRequestedAt', 'nextSyncAt'] as const;

export function syncDueAttributes(tenantId: string, calendarId: string, nextSyncAt: string): StoredItem {
  return {
    [INDEX.syncDue.partitionKey]: keys.syncDuePartition(keys.shardOf(calendarId)),
    [INDEX.syncDue.sortKey]: keys.syncDueSortKey(canonicalInstant(nextSyncAt), tenantId, calendarId),
  };
}

export function pushExpiryAttributes(tenantId: string, calendarId: string, expiresAt: string): StoredItem {
  return {
    [INDEX.pushExpiry.partitionKey]: keys.pushExpiryPartition(keys.shardOf(calendarId)),
    [INDEX.pushExpiry.sortKey]: keys.pushExpirySortKey(canonicalInstant(expiresAt), tenantId, calendarId),
  };
}

/** A fresh calendar item; `nextSyncAt` is kept (and indexed) only when sync is enabled. */
export function calendarItem(calendar: Calendar, nextSyncAt: string | null): StoredItem {
  const scheduled = calendar.syncEnabled && nextSyncAt !== null;
  return {
    ...keys.calendar(calendar.tenantId, calendar.id),
    [ENTITY_ATTRIBUTE]: 'calendar',
    ...calendar,
    [INDEX.byParent.partitionKey]: keys.calendarsOfConnection(calendar.tenantId, calendar.connectionId),
    [INDEX.byParent.sortKey]: `${keys.calendarPrefix}${calendar.id}`,
    ...(scheduled ? { nextSyncAt: canonicalInstant(nextSyncAt), ...syncDueAttributes(calendar.tenantId, calendar.id, nextSyncAt) } : {}),
    ...(calendar.push ? pushExpiryAttributes(calendar.tenantId, calendar.id, calendar.push.expiresAt) : {}),
  };
}

/** Instants are compared as strings in conditions and index keys, so they are always written the same way. */
export function canonicalInstant(value: string): string {
  return new Date(value).toISOString();
}
