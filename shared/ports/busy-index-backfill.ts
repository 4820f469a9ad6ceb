/** One stored event whose index keys are not what the current code writes, and what they must become. */
export interface StaleEventIndex {
  itemKey: { pk: string; sk: string };
  /** The content the new keys were derived from: the rewrite is conditional on it being unchanged. */
  contentHash: string;
  set: Record<string, string | number>;
  remove: string[];
}

export interface BusyIndexBackfillProgress {
  /** Where the walk continues; null once it went through the whole table. */
  cursor: string | null;
  /** Events given their gsi4 (`busyByStart`) / series (`R#`) keys. */
  reindexed: number;
  alreadyCurrent: number;
  /** Rewritten between listing and reindexing: that write carried the current keys. */
  changedMeanwhile: number;
  startedAt: string;
  /** Set once every event of the table has its keys: from then on busy time reads gsi4. */
  completedAt: string | null;
}

/**
 * The busy-index backfill's view of the table: every event item of every tenant, page by page, with the index
 * keys the current code would write, and a conditional rewrite of just those keys. Progress is kept in the
 * table, so a job cut short by its timeout continues where it stopped.
 */
export interface BusyIndexBackfillStore {
  listStale(cursor: string | null, limit: number): Promise<{ stale: StaleEventIndex[]; examined: number; cursor: string | null }>;
  /** False when the item changed (or went) meanwhile. */
  reindex(stale: StaleEventIndex): Promise<boolean>;
  loadProgress(): Promise<BusyIndexBackfillProgress | null>;
  saveProgress(progress: BusyIndexBackfillProgress): Promise<void>;
}
