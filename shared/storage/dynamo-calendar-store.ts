import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { inputError, notFound } from '../domain/app-error.ts';
import { Calendar } from '../domain/calendar.ts';
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { CalendarPatch, CalendarRefPage, CalendarStore, CursorAdvance } from '../ports/calendar-store.ts';
import { SYNC_STATE_ATTRIBUTES, calendarItem, canonicalInstant, pushExpiryAttributes, syncDueAttributes } from './calendar-item.ts';
import { dynamoCall, isConditionalCheckFailed, storageConflict, translateDynamoError } from './dynamo-errors.ts';
import { queryAll } from './dynamo-query.ts';
import { parseItem, validForWrite, validPatch, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { validatePageLimit } from './page-cursor.ts';
import { UpdateBuilder } from './update-builder.ts';
import { INDEX, SCHEDULER_SHARDS } from './table-schema.ts';

export interface DynamoCalendarStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
}

const CalendarPatchSchema = z.partial(
  z.pick(Calendar, {
    name: true,
    description: true,
    timeZone: true,
    color: true,
    isPrimary: true,
    readOnly: true,
    syncEnabled: true,
    syncWindow: true,
    push: true,
    kind: true,
    lastSyncStartedAt: true,
    updatedAt: true,
  }),
);

/** Bounded retries when `advanceCursor` races a concurrent enable/disable of sync (not a cursor race). */
const ADVANCE_ATTEMPTS = 3;
/** Sorts after every `#<tenant>#<calendar>` suffix, so "due at or before an instant" is one key range. */
const AFTER_ANY_SUFFIX = '\uffff';

/**
 * Calendars under `T#<tenant>` / `CAL#<id>`, listed per connection on gsi1, scheduled on gsi2 (`syncDue`)
 * and renewed from gsi3 (`pushExpiry`). Sync coordination (lease, pending request, next due time) lives in
 * extra attributes of the same item, so every transition is one conditional write.
 */
export class DynamoCalendarStore implements CalendarStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoCalendarStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async get(tenantId: string, calendarId: string): Promise<Calendar | null> {
    const output = await dynamoCall('CalendarStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.calendar(tenantId, calendarId), ConsistentRead: true })),
    );
    return output.Item ? toCalendar(output.Item) : null;
  }

  async listByConnection(tenantId: string, connectionId: string): Promise<Calendar[]> {
    const items = await queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        IndexName: INDEX.byParent.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': INDEX.byParent.partitionKey, '#sk': INDEX.byParent.sortKey },
        ExpressionAttributeValues: { ':pk': keys.calendarsOfConnection(tenantId, connectionId), ':prefix': keys.calendarPrefix },
      },
      'CalendarStore.listByConnection',
    );
    return items.map(toCalendar);
  }

  async put(calendar: Calendar, nextSyncAt: string | null): Promise<void> {
    const valid = validForWrite(Calendar, calendar, 'calendar');
    await dynamoCall('CalendarStore.put', () => this.#doc.send(new PutCommand({ TableName: this.#tableName, Item: calendarItem(valid, nextSyncAt) })));
  }

  async update(tenantId: string, calendarId: string, patch: CalendarPatch): Promise<Calendar> {
    const valid = validPatch(CalendarPatchSchema, patch, 'calendar patch');
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(valid)) {
      if (value === undefined) continue;
      update.set(field, field === 'lastSyncStartedAt' && typeof value === 'string' ? canonicalInstant(value) : value);
    }
    if (valid.push !== undefined) {
      if (valid.push) update.setAll(pushExpiryAttributes(tenantId, calendarId, valid.push.expiresAt));
      else update.remove(INDEX.pushExpiry.partitionKey, INDEX.pushExpiry.sortKey);
    }
    if (valid.syncEnabled === false) update.remove(INDEX.syncDue.partitionKey, INDEX.syncDue.sortKey, 'nextSyncAt');
    if (valid.syncEnabled === true) {
      // Enabling keeps an existing schedule; a calendar that had none becomes due now.
      const now = this.#clock.now().toISOString();
      for (const [name, value] of Object.entries({ nextSyncAt: now, ...syncDueAttributes(tenantId, calendarId, now) })) update.setIfNotExists(name, value);
    }
    if (update.isEmpty()) {
      const current = await this.get(tenantId, calendarId);
      if (!current) throw notFound('Calendar');
      return current;
    }
    const output = await this.#updateExisting(tenantId, calendarId, update, 'CalendarStore.update');
    return toCalendar(output);
  }

  async advanceCursor(tenantId: string, calendarId: string, expectedCursorVersion: number, advance: CursorAdvance): Promise<Calendar> {
    // The write differs with `syncEnabled` (a disabled calendar stays off the due index); it is part of the
    // condition, so a concurrent enable or disable makes us re-read and write the other shape.
    let syncEnabled = true;
    for (let attempt = 0; attempt < ADVANCE_ATTEMPTS; attempt++) {
      const update = new UpdateBuilder();
      update.set('cursor', advance.cursor);
      update.add('cursorVersion', 1);
      update.set('lastSyncedAt', canonicalInstant(advance.lastSyncedAt));
      if (advance.lastFullSyncAt !== undefined) update.set('lastFullSyncAt', canonicalInstant(advance.lastFullSyncAt));
      if (syncEnabled) {
        update.set('nextSyncAt', canonicalInstant(advance.nextSyncAt));
        update.setAll(syncDueAttributes(tenantId, calendarId, advance.nextSyncAt));
      } else {
        update.remove(INDEX.syncDue.partitionKey, INDEX.syncDue.sortKey, 'nextSyncAt');
      }
      update.condition('cursorVersion', '=', expectedCursorVersion);
      update.condition('syncEnabled', '=', syncEnabled);
      try {
        const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.calendar(tenantId, calendarId)), ReturnValues: 'ALL_NEW' }));
        return toCalendar(output.Attributes ?? {});
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw translateDynamoError(error, 'CalendarStore.advanceCursor');
        // The cursor version only grows: once it differs from the expected one, the conflict is final.
        const current = await this.get(tenantId, calendarId);
        if (!current) throw notFound('Calendar');
        if (current.cursorVersion !== expectedCursorVersion) throw storageConflict('CalendarStore.advanceCursor', error);
        syncEnabled = current.syncEnabled;
      }
    }
    throw storageConflict('CalendarStore.advanceCursor');
  }

  async resetCursor(tenantId: string, calendarId: string): Promise<void> {
    const update = new UpdateBuilder();
    update.set('cursor', null);
    update.add('cursorVersion', 1);
    await this.#updateExisting(tenantId, calendarId, update, 'CalendarStore.resetCursor');
  }

  async requestSync(tenantId: string, calendarId: string, at: Date, staleAfterMs: number): Promise<boolean> {
    return this.#conditionalStamp('CalendarStore.requestSync', {
      TableName: this.#tableName,
      Key: keys.calendar(tenantId, calendarId),
      UpdateExpression: 'SET syncRequestedAt = :now',
      // A request made at or before the last sync start is settled by that sync.
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(syncRequestedAt) OR syncRequestedAt <= lastSyncStartedAt OR syncRequestedAt < :staleBefore)',
      ExpressionAttributeValues: { ':now': at.toISOString(), ':staleBefore': new Date(at.getTime() - staleAfterMs).toISOString() },
    });
  }

  async acquireSyncLease(tenantId: string, calendarId: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean> {
    return this.#conditionalStamp('CalendarStore.acquireSyncLease', {
      TableName: this.#tableName,
      Key: keys.calendar(tenantId, calendarId),
      UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, lastSyncStartedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
      ExpressionAttributeValues: { ':owner': owner, ':until': leaseUntil.toISOString(), ':now': now.toISOString() },
    });
  }

  async releaseSyncLease(tenantId: string, calendarId: string, owner: string): Promise<void> {
    await this.#conditionalStamp('CalendarStore.releaseSyncLease', {
      TableName: this.#tableName,
      Key: keys.calendar(tenantId, calendarId),
      UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeValues: { ':owner': owner },
    });
  }

  async listDueForSync(now: Date, limit: number, after: string | null = null): Promise<CalendarRefPage> {
    return this.#listAcrossShards(INDEX.syncDue, keys.syncDuePartition, now.toISOString() + AFTER_ANY_SUFFIX, true, after, limit, 'CalendarStore.listDueForSync');
  }

  async listPushExpiringBefore(before: Date, limit: number, after: string | null = null): Promise<CalendarRefPage> {
    return this.#listAcrossShards(INDEX.pushExpiry, keys.pushExpiryPartition, before.toISOString(), false, after, limit, 'CalendarStore.listPushExpiringBefore');
  }

  async delete(tenantId: string, calendarId: string): Promise<void> {
    await dynamoCall('CalendarStore.delete', () => this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.calendar(tenantId, calendarId) })));
  }

  /** One conditional update whose failed condition is an expected outcome (false), not an error. */
  async #conditionalStamp(operation: string, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    try {
      await this.#doc.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, operation);
    }
  }

  async #updateExisting(tenantId: string, calendarId: string, update: UpdateBuilder, operation: string): Promise<StoredItem> {
    update.conditionExists();
    try {
      const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.calendar(tenantId, calendarId)), ReturnValues: 'ALL_NEW' }));
      return output.Attributes ?? {};
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw notFound('Calendar');
      throw translateDynamoError(error, operation);
    }
  }

  /**
   * The oldest `limit` entries of a sharded index below `bound` (inclusive or not) and after `after` (a sort
   * key from a previous page): each shard's oldest, merged. Sort keys are unique (they end in tenant and
   * calendar id), so "after" is exact across shards.
   */
  async #listAcrossShards(
    index: { name: string; partitionKey: string; sortKey: string },
    partitionOf: (shard: number) => string,
    bound: string,
    inclusive: boolean,
    after: string | null,
    limit: number,
    operation: string,
  ): Promise<CalendarRefPage> {
    validatePageLimit(limit);
    if (after !== null && (typeof after !== 'string' || after.length > 1_024)) throw inputError('after', 'not a position of this index');
    const shards = Array.from({ length: SCHEDULER_SHARDS }, (_, shard) => shard);
    const perShard = await Promise.all(
      shards.map(async (shard) => {
        const output = await dynamoCall(operation, () =>
          this.#doc.send(
            new QueryCommand({
              TableName: this.#tableName,
              IndexName: index.name,
              // BETWEEN is inclusive at both ends: the entry equal to `after` (the last one already seen) and,
              // for an exclusive bound, the bound itself are dropped below.
              KeyConditionExpression: after === null ? `#pk = :pk AND #sk ${inclusive ? '<=' : '<'} :bound` : '#pk = :pk AND #sk BETWEEN :after AND :bound',
              ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey, '#id': 'id' },
              ExpressionAttributeValues: { ':pk': partitionOf(shard), ':bound': bound, ...(after === null ? {} : { ':after': after }) },
              ProjectionExpression: 'tenantId, #id, #sk',
              Limit: limit + 2,
            }),
          ),
        );
        return (output.Items ?? []) as StoredItem[];
      }),
    );
    const entries = perShard
      .flat()
      .map((item) => ({ sortKey: String(item[index.sortKey]), ref: { tenantId: String(item.tenantId), calendarId: String(item.id) } }))
      .filter((entry) => (after === null || entry.sortKey > after) && (inclusive || entry.sortKey < bound))
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    const page = entries.slice(0, limit);
    return { refs: page.map((entry) => entry.ref), next: entries.length > limit ? page[page.length - 1]!.sortKey : null };
  }
}

function toCalendar(item: StoredItem): Calendar {
  return parseItem(Calendar, item, 'calendar', SYNC_STATE_ATTRIBUTES);
}
