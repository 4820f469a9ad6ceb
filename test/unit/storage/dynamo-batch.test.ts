import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchGetAll, batchWriteAll, type WriteRequest } from '../../../shared/storage/dynamo-batch.ts';

const TABLE = 'table';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const puts = (count: number): WriteRequest[] => Array.from({ length: count }, (_, i) => ({ PutRequest: { Item: { pk: 'p', sk: `s${i}` } } }));

describe('batchWriteAll', () => {
  const mock = mockClient(DynamoDBDocumentClient);
  const sleeps: number[] = [];
  const retry = { sleep: async (ms: number) => void sleeps.push(ms) };

  beforeEach(() => {
    mock.reset();
    sleeps.length = 0;
  });

  it('sends chunks of at most 25 and re-sends unprocessed items until all are written', async () => {
    const written: string[] = [];
    let throttledOnce = false;
    mock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      const requests = input.RequestItems![TABLE]! as WriteRequest[];
      expect(requests.length).toBeLessThanOrEqual(25);
      // DynamoDB under pressure: the first call leaves its last 5 items unprocessed.
      const cut = throttledOnce ? requests.length : requests.length - 5;
      throttledOnce = true;
      for (const request of requests.slice(0, cut)) written.push(String((request as { PutRequest: { Item: { sk: string } } }).PutRequest.Item.sk));
      return { UnprocessedItems: cut < requests.length ? { [TABLE]: requests.slice(cut) } : {} };
    });

    await batchWriteAll(doc, TABLE, puts(60), 'test.write', retry);

    expect(written.sort()).toEqual(puts(60).map((r) => (r as { PutRequest: { Item: { sk: string } } }).PutRequest.Item.sk).sort());
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(4); // 3 chunks + 1 retry
    expect(sleeps).toHaveLength(1);
  });

  it('gives up after the bounded attempts with a retryable error, backing off exponentially', async () => {
    mock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({ UnprocessedItems: input.RequestItems }));

    await expect(batchWriteAll(doc, TABLE, puts(3), 'test.write', { ...retry, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 })).rejects.toMatchObject({
      code: 'internal.unexpected',
      retryable: true,
    });

    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(5);
    expect(sleeps).toHaveLength(4);
    sleeps.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual((100 * 2 ** attempt) / 2);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** attempt);
    });
  });

  it('translates throttling into a retryable AppError', async () => {
    mock.on(BatchWriteCommand).rejects(Object.assign(new Error('slow'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }));
    await expect(batchWriteAll(doc, TABLE, puts(1), 'test.write', retry)).rejects.toMatchObject({ code: 'internal.unexpected', retryable: true });
  });
});

describe('batchGetAll', () => {
  const mock = mockClient(DynamoDBDocumentClient);

  beforeEach(() => mock.reset());

  it('reads in chunks of 100 and retries unprocessed keys', async () => {
    let first = true;
    mock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { sk: string }[] }> }) => {
      const requested = input.RequestItems[TABLE]!.Keys;
      expect(requested.length).toBeLessThanOrEqual(100);
      const served = first ? requested.slice(0, 10) : requested;
      const unprocessed = first ? requested.slice(10) : [];
      first = false;
      return { Responses: { [TABLE]: served.map((key) => ({ ...key, found: true })) }, UnprocessedKeys: unprocessed.length ? { [TABLE]: { Keys: unprocessed } } : {} };
    });
    const keys = Array.from({ length: 150 }, (_, i) => ({ pk: 'p', sk: `s${i}` }));

    const items = await batchGetAll(doc, TABLE, keys, 'test.get', { sleep: async () => {} });

    expect(items.map((item) => item.sk).sort()).toEqual(keys.map((key) => key.sk).sort());
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(3);
    expect(mock.commandCalls(BatchGetCommand).every((call) => call.args[0].input.RequestItems?.[TABLE]?.ConsistentRead === true)).toBe(true);
  });
});
