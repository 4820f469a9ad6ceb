import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { notFound } from '../domain/app-error.ts';
import { Schedule } from '../domain/schedule.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import type { SchedulePatch, ScheduleStore } from '../ports/schedule-store.ts';
import { batchGetAll } from './dynamo-batch.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { queryPage } from './dynamo-query.ts';
import { ENTITY_ATTRIBUTE, parseItem, validForWrite, validPatch, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';
import { UpdateBuilder } from './update-builder.ts';

export interface DynamoScheduleStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

const SchedulePatchSchema = z.partial(z.pick(Schedule, { name: true, timeZone: true, weekly: true, overrides: true, updatedAt: true }));

/** Schedules under `T#<tenant>` / `SCH#<id>`: listed in id (creation) order; edits conditional on `version`. */
export class DynamoScheduleStore implements ScheduleStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoScheduleStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async create(schedule: Schedule): Promise<void> {
    const valid = validForWrite(Schedule, schedule, 'schedule');
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.schedule(valid.tenantId, valid.id), [ENTITY_ATTRIBUTE]: 'schedule', ...valid },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      throw translateDynamoError(error, 'ScheduleStore.create');
    }
  }

  async get(tenantId: string, scheduleId: string): Promise<Schedule | null> {
    const output = await dynamoCall('ScheduleStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.schedule(tenantId, scheduleId), ConsistentRead: true })),
    );
    return output.Item ? toSchedule(output.Item) : null;
  }

  async getMany(tenantId: string, scheduleIds: readonly string[]): Promise<Map<string, Schedule>> {
    const itemKeys = [...new Set(scheduleIds)].map((id) => ({ ...keys.schedule(tenantId, id) }));
    const items = itemKeys.length === 0 ? [] : await batchGetAll(this.#doc, this.#tableName, itemKeys, 'ScheduleStore.getMany');
    const found = new Map<string, Schedule>();
    for (const item of items) {
      const schedule = toSchedule(item);
      // Keys are built from the tenant, so this holds; checked anyway because it is the isolation boundary.
      if (schedule.tenantId === tenantId) found.set(schedule.id, schedule);
    }
    return found;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Schedule>> {
    const limit = validatePageLimit(page.limit);
    const pk = keys.tenantPartition(tenantId);
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, keys.schedulePrefix) } : undefined;
    const result = await queryPage(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.schedulePrefix },
        ConsistentRead: true,
      },
      limit,
      startKey,
      'ScheduleStore.list',
    );
    const last = result.items.at(-1);
    return { items: result.items.map(toSchedule), cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null };
  }

  async update(tenantId: string, scheduleId: string, expectedVersion: number, patch: SchedulePatch): Promise<Schedule> {
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(validPatch(SchedulePatchSchema, patch, 'schedule patch'))) {
      if (value !== undefined) update.set(field, value);
    }
    update.add('version', 1);
    update.conditionExists();
    update.condition('version', '=', expectedVersion);
    try {
      const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.schedule(tenantId, scheduleId)), ReturnValues: 'ALL_NEW' }));
      return toSchedule(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error) && !(await this.get(tenantId, scheduleId))) throw notFound('Schedule');
      throw translateDynamoError(error, 'ScheduleStore.update');
    }
  }

  async delete(tenantId: string, scheduleId: string): Promise<boolean> {
    try {
      await this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.schedule(tenantId, scheduleId), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'ScheduleStore.delete');
    }
  }
}

function toSchedule(item: StoredItem): Schedule {
  return parseItem(Schedule, item, 'schedule');
}
