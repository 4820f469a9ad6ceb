import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One Query request as DynamoDB answered it: a page, with what it read. */
export interface QueryPage {
  index: string | null;
  partition: string | null;
  scanned: number;
  returned: number;
  capacityUnits: number;
}

/**
 * Counts every Query page a client sends (by index and partition key value) with its consumed read capacity,
 * asking DynamoDB for it (`ReturnConsumedCapacity: TOTAL`). `reset()` between measured phases.
 */
export function meterQueries(client: DynamoDBClient): { pages: QueryPage[]; reset(): void } {
  const pages: QueryPage[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'QueryCommand') return next(args);
      const input = args.input as { IndexName?: string; ReturnConsumedCapacity?: string; ExpressionAttributeValues?: Record<string, string | { S?: string } | undefined> };
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { Count?: number; ScannedCount?: number; ConsumedCapacity?: { CapacityUnits?: number } };
      pages.push({
        index: input.IndexName ?? null,
        partition: partitionOf(input.ExpressionAttributeValues?.[':pk']),
        scanned: output.ScannedCount ?? 0,
        returned: output.Count ?? 0,
        capacityUnits: output.ConsumedCapacity?.CapacityUnits ?? 0,
      });
      return result;
    },
    { step: 'initialize', name: 'queryPageMeter' },
  );
  return { pages, reset: () => void pages.splice(0) };
}

function partitionOf(value: string | { S?: string } | undefined): string | null {
  return typeof value === 'string' ? value : (value?.S ?? null);
}
