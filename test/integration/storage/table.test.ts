import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { INDEX, TTL_ATTRIBUTE } from '../../../shared/storage/table-schema.ts';
import { createTestTable } from '../../support/dynamo.ts';

describe('table schema on DynamoDB Local', () => {
  it('creates the table with its four indexes (gsi4 projecting only the busy fields) and the TTL attribute', async () => {
    const { client, tableName } = await createTestTable();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      Object.values(INDEX).map((index) => index.name).sort(),
    );
    const busy = Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === INDEX.busyByStart.name);
    expect(busy?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['startMs', 'endMs', 'start', 'end', 'endUtc'] });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(TTL_ATTRIBUTE);
  });
});
