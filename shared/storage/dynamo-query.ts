import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/app-error.ts';
import { dynamoCall } from './dynamo-errors.ts';
import type { StoredItem } from './item-codec.ts';

type Key = Record<string, unknown>;
type QueryInput = Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>;

/** Far more pages (of up to 1 MB each) than any partition of ours holds; only a defect reaches it. */
const MAX_PAGES = 10_000;

/** Every item a query matches, following LastEvaluatedKey to the end. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryInput, operation: string): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let startKey: Key | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await dynamoCall(operation, () => doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));
    items.push(...((output.Items ?? []) as StoredItem[]));
    startKey = output.LastEvaluatedKey;
    if (!startKey) return items;
  }
  throw new AppError('internal.unexpected', `${operation}: query did not finish within ${MAX_PAGES} pages`, { retryable: false });
}

export interface QueryPageResult {
  items: StoredItem[];
  /** True when more items follow the last one returned. */
  hasMore: boolean;
}

/**
 * Up to `limit` items from `startKey` on. It reads one item more than asked so that the last page is known
 * to be the last (no cursor that leads to an empty page). Not for queries with a filter expression.
 */
export async function queryPage(
  doc: DynamoDBDocumentClient,
  input: QueryInput,
  limit: number,
  startKey: Key | undefined,
  operation: string,
): Promise<QueryPageResult> {
  const items: StoredItem[] = [];
  let next = startKey;
  for (let page = 0; page < MAX_PAGES && items.length <= limit; page++) {
    const output = await dynamoCall(operation, () =>
      doc.send(new QueryCommand({ ...input, ExclusiveStartKey: next, Limit: limit + 1 - items.length })),
    );
    items.push(...((output.Items ?? []) as StoredItem[]));
    next = output.LastEvaluatedKey;
    if (!next) break;
  }
  return { items: items.slice(0, limit), hasMore: items.length > limit };
}

/** Runs `task` over `inputs` with at most `concurrency` in flight; results keep the input order. */
export async function mapWithConcurrency<I, O>(inputs: readonly I[], concurrency: number, task: (input: I) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(inputs.length);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < inputs.length) {
      const index = nextIndex++;
      results[index] = await task(inputs[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
}
