import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/app-error.ts';
import { encodePageCursor } from './page-cursor.ts';
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

/** Items a filtered listing reads for one page at the most; the rest is reached through the cursor. */
export const MAX_EXAMINED_PER_PAGE = 2_000;

export interface FilteredPageOptions {
  limit: number;
  startKey: Key | undefined;
  /** Items read per query when a filter drops most of them; null = no filter (read just what the page needs). */
  filteredReadSize: number | null;
  /** The sort key attribute of the index queried: the cursor names a position in it. */
  sortKeyAttribute: string;
}

/**
 * One page of a listing whose FilterExpression may drop most items (webhook deliveries, notifications, the
 * integration log): queries until the page is full, the partition ends, or MAX_EXAMINED_PER_PAGE items were
 * read. A full page continues after its last item; a page cut short by the cap continues after the last
 * item examined, so the next call does not read the same stretch again.
 */
export async function queryFilteredPage(doc: DynamoDBDocumentClient, input: QueryInput, operation: string, options: FilteredPageOptions): Promise<{ items: StoredItem[]; cursor: string | null }> {
  const { limit, filteredReadSize, sortKeyAttribute } = options;
  const items: StoredItem[] = [];
  let next = options.startKey;
  let examined = 0;
  let exhausted = false;
  while (items.length <= limit && examined < MAX_EXAMINED_PER_PAGE) {
    const readSize = filteredReadSize === null ? limit + 1 - items.length : Math.min(filteredReadSize, MAX_EXAMINED_PER_PAGE - examined);
    const output = await dynamoCall(operation, () => doc.send(new QueryCommand({ ...input, ExclusiveStartKey: next, Limit: readSize })));
    examined += output.ScannedCount ?? 0;
    items.push(...((output.Items ?? []) as StoredItem[]));
    next = output.LastEvaluatedKey;
    if (!next) {
      exhausted = true;
      break;
    }
  }
  const page = items.slice(0, limit);
  const hasMore = items.length > limit || !exhausted;
  const last = page.at(-1)?.[sortKeyAttribute];
  const resumeAt = items.length > limit || !next ? last : (next[sortKeyAttribute] ?? last);
  return { items: page, cursor: hasMore && typeof resumeAt === 'string' ? encodePageCursor(resumeAt) : null };
}
