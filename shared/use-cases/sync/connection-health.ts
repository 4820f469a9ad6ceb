import { isAppError, type AppError } from '../../domain/app-error.ts';
import { MAX_CONSECUTIVE_SYNC_FAILURES, type Connection, type ConnectionStatus } from '../../domain/connection.ts';
import { connectionEventData, domainEvent, type DomainEventType } from '../../domain/domain-events.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConnectionPatch, ConnectionStore } from '../../ports/connection-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';

export interface HealthDeps {
  connections: ConnectionStore;
  publisher: EventPublisher;
  clock: Clock;
}

/**
 * Applies `decide` to the current connection with an optimistic-lock write, re-reading on conflict: two
 * calendars of one connection finishing at once must not lose each other's counter updates.
 */
async function updateConnection(
  deps: HealthDeps,
  tenantId: string,
  connectionId: string,
  decide: (current: Connection) => { patch: ConnectionPatch; event?: DomainEventType } | null,
): Promise<Connection | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.connections.get(tenantId, connectionId);
    if (!current) return null;
    const decision = decide(current);
    if (!decision) return current;
    try {
      const updated = await deps.connections.update(tenantId, connectionId, current.version, { ...decision.patch, updatedAt: deps.clock.now().toISOString() });
      if (decision.event) {
        await deps.publisher.publish([domainEvent(decision.event, tenantId, connectionEventData(updated), { time: deps.clock.now() })]);
      }
      return updated;
    } catch (error) {
      if (!isAppError(error, 'storage.conflict')) throw error;
    }
  }
  return null;
}

/** A successful sync resets the failure counter and clears the error (status back to active). */
export function recordSyncSuccess(deps: HealthDeps, connection: Connection): Promise<Connection | null> {
  const now = deps.clock.now().toISOString();
  return updateConnection(deps, connection.tenantId, connection.id, (current) => {
    if (current.status === 'reauth_required' || current.status === 'disabled') return null;
    return { patch: { status: 'active', consecutiveErrors: 0, lastError: null, lastSyncedAt: now } };
  });
}

/** The grant is dead: only the user can fix it. Emits `connection.reauth_required` once. */
export function recordReauthRequired(deps: HealthDeps, connection: Connection, error: AppError): Promise<Connection | null> {
  const at = deps.clock.now().toISOString();
  return updateConnection(deps, connection.tenantId, connection.id, (current) => {
    if (current.status === 'reauth_required') return null;
    return { patch: { status: 'reauth_required', lastError: { code: error.code, message: error.message, at } }, event: 'connection.reauth_required' };
  });
}

/**
 * A failed sync. A transient failure (retryable: provider 5xx, 429, timeouts, DNS, a crashed worker) says
 * nothing about the connection: it is noted (`status: error`, `lastError`) but not counted and not
 * announced, and the job backs off on the queue and recovers by itself — a 30-minute provider outage must
 * never disable anybody's connection. A persistent failure (not retryable) is counted and announced
 * (`connection.sync_failed`); after MAX_CONSECUTIVE_SYNC_FAILURES in a row the connection is disabled
 * (`connection.disabled`) until an operator re-enables it (`POST /v1/connections/{id}/sync`).
 */
export async function recordSyncFailure(deps: HealthDeps, connection: Connection, error: AppError): Promise<Connection | null> {
  const at = deps.clock.now().toISOString();
  if (error.retryable) {
    return updateConnection(deps, connection.tenantId, connection.id, (current) => {
      if (current.status === 'reauth_required' || current.status === 'disabled') return null;
      return { patch: { status: 'error', lastError: { code: error.code, message: error.message, at } } };
    });
  }
  let disabledNow = false;
  const updated = await updateConnection(deps, connection.tenantId, connection.id, (current) => {
    if (current.status === 'reauth_required' || current.status === 'disabled') return null;
    const consecutiveErrors = current.consecutiveErrors + 1;
    const status: ConnectionStatus = consecutiveErrors >= MAX_CONSECUTIVE_SYNC_FAILURES ? 'disabled' : 'error';
    disabledNow = status === 'disabled';
    return { patch: { status, consecutiveErrors, lastError: { code: error.code, message: error.message, at } }, event: 'connection.sync_failed' };
  });
  if (disabledNow && updated) {
    await deps.publisher.publish([domainEvent('connection.disabled', updated.tenantId, connectionEventData(updated), { time: deps.clock.now() })]);
  }
  return updated;
}

/**
 * An operator's way back from `disabled` (after fixing what failed): active again, the counter cleared.
 * Returns whether it was disabled. A `reauth_required` connection stays so: only the user can fix it.
 */
export async function reenableConnection(deps: Pick<HealthDeps, 'connections' | 'clock'>, tenantId: string, connectionId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.connections.get(tenantId, connectionId);
    if (current?.status !== 'disabled') return false;
    try {
      await deps.connections.update(tenantId, connectionId, current.version, { status: 'active', consecutiveErrors: 0, updatedAt: deps.clock.now().toISOString() });
      return true;
    } catch (error) {
      if (!isAppError(error, 'storage.conflict')) throw error;
    }
  }
  return false;
}
