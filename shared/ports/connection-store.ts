import type { Connection, Credentials } from '../domain/connection.ts';
import type { Page, PageRequest } from './page.ts';

export type ConnectionPatch = Partial<
  Pick<Connection, 'status' | 'consecutiveErrors' | 'lastError' | 'lastSyncedAt' | 'accountEmail' | 'displayName' | 'serverUrl' | 'updatedAt'>
>;

/**
 * Connections and their sealed credentials. Credentials are encrypted inside the adapter (CredentialCipher)
 * and are never part of `Connection`.
 *
 * @example
 *   const updated = await connections.update(tenantId, id, connection.version, { status: 'reauth_required' });
 */
export interface ConnectionStore {
  get(tenantId: string, connectionId: string): Promise<Connection | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<Connection>>;
  /** Creates or replaces (reconnect of the same account) the connection and its credentials. */
  save(connection: Connection, credentials: Credentials): Promise<Connection>;
  /** Conditional on `expectedVersion`; throws `storage.conflict` when someone else wrote first. */
  update(tenantId: string, connectionId: string, expectedVersion: number, patch: ConnectionPatch): Promise<Connection>;
  /** Removes the connection and its credentials; false when it did not exist. */
  delete(tenantId: string, connectionId: string): Promise<boolean>;
  getCredentials(tenantId: string, connectionId: string): Promise<StoredCredentials | null>;
  /**
   * Replaces credentials (token refresh, rotation) if their version is still `expectedVersion`; throws
   * `storage.conflict` otherwise, so concurrent refreshes cannot overwrite a newer rotating refresh token.
   */
  putCredentials(tenantId: string, connectionId: string, credentials: Credentials, expectedVersion: number): Promise<StoredCredentials>;
  /**
   * Takes the credentials' refresh lock until `until` (a lease shared by every worker), or returns false
   * while another owner holds an unexpired one: concurrent refreshes of one connection collapse into one,
   * which rotating refresh tokens require (reliability.md scenario 14).
   */
  acquireRefreshLock(tenantId: string, connectionId: string, owner: string, now: Date, until: Date): Promise<boolean>;
  releaseRefreshLock(tenantId: string, connectionId: string, owner: string): Promise<void>;
}

export interface StoredCredentials {
  credentials: Credentials;
  version: number;
}
