/** One sealed secret of the table, wherever it lives (connection credentials, webhook signing secrets). */
export interface SealedSecretRef {
  kind: 'connection-credentials' | 'webhook-secrets' | 'video-credentials' | 'notification-secret' | 'signing-key';
  /** The table item that holds it. */
  itemKey: { pk: string; sk: string };
  tenantId: string;
  /** The connection or endpoint id. */
  ownerId: string;
  /** The key that wrapped its data key. */
  keyId: string;
  /** The item's version of its secret, as read (the reseal is conditional on it). */
  version: number;
}

export interface RekeyProgress {
  /** Where the walk continues; null once it went through the whole table. */
  cursor: string | null;
  resealed: number;
  alreadyCurrent: number;
  /** Changed between listing and resealing (a token refresh, a secret rotation): sealed by that write under the current key. */
  changedMeanwhile: number;
  startedAt: string;
  completedAt: string | null;
  /** The key everything was resealed under, once complete. */
  keyId: string | null;
}

/**
 * Key rotation's view of the table: every sealed secret of every tenant, page by page, and a reseal under
 * the current key that never overwrites a newer write. The walk's progress is kept in the table, so a job
 * cut short by its timeout continues where it stopped.
 */
export interface SealedSecretRekeyStore {
  /** The key new seals are made under, when the cipher knows it before sealing (a KMS alias does not). */
  currentKeyId(): string | null;
  listSealed(cursor: string | null, limit: number): Promise<{ items: SealedSecretRef[]; cursor: string | null }>;
  /** Opens and seals again under the current key; the new key id, or null when the item changed meanwhile. */
  reseal(ref: SealedSecretRef): Promise<string | null>;
  loadProgress(): Promise<RekeyProgress | null>;
  saveProgress(progress: RekeyProgress): Promise<void>;
}
