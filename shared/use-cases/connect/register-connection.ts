import { AppError } from '../../domain/app-error.ts';
import { DEFAULT_SYNC_WINDOW, type Calendar } from '../../domain/calendar.ts';
import type { Connection, Credentials } from '../../domain/connection.ts';
import { connectionEventData, domainEvent } from '../../domain/domain-events.ts';
import { stableId } from '../../domain/ids.ts';
import type { CalendarProvider, CalendarProviderFactory } from '../../ports/calendar-provider.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { ensurePushChannel, type PushDeps } from '../push/push-channels.ts';
import { requestSync, type RequestSyncDeps } from '../sync/request-sync.ts';

export interface RegisterConnectionDeps extends PushDeps, RequestSyncDeps {
  connections: ConnectionStore;
  providers: CalendarProviderFactory;
  publisher: EventPublisher;
}

export interface NewConnection {
  tenantId: string;
  provider: Connection['provider'];
  accountId: string;
  accountEmail: string | null;
  displayName: string | null;
  serverUrl: string | null;
}

/** Connection ids derive from tenant, provider and account: reconnecting the same account updates it. */
export function connectionIdOf(tenantId: string, provider: string, accountId: string): string {
  return stableId('con', tenantId, provider, accountId);
}

export function calendarIdOf(connectionId: string, providerCalendarId: string): string {
  return stableId('cal', connectionId, providerCalendarId);
}

/**
 * Stores a connected account (new, or reconnected after `reauth_required`), discovers its calendars, opens
 * push channels and queues the first full sync of each calendar. Every calendar that can hold events is
 * synced by default; users turn individual calendars off with PATCH /v1/calendars/{id}.
 */
export async function registerConnection(
  deps: RegisterConnectionDeps,
  input: NewConnection,
  credentials: Credentials,
): Promise<{ connection: Connection; calendars: Calendar[]; created: boolean }> {
  const now = deps.clock.now().toISOString();
  const id = connectionIdOf(input.tenantId, input.provider, input.accountId);
  const existing = await deps.connections.get(input.tenantId, id);
  let stored = credentials;
  if (existing && credentials.kind === 'oauth' && !credentials.refreshToken) {
    const previous = await deps.connections.getCredentials(input.tenantId, id);
    if (previous?.credentials.kind === 'oauth') stored = { ...credentials, refreshToken: previous.credentials.refreshToken };
  }
  if (stored.kind === 'oauth' && !stored.refreshToken) {
    throw new AppError('input.invalid', 'The provider granted no refresh token (offline access was not granted); connect again and allow offline access', { details: { field: 'query.code' } });
  }
  const connection = await deps.connections.save(
    {
      tenantId: input.tenantId,
      id,
      provider: input.provider,
      status: 'active',
      accountId: input.accountId,
      accountEmail: input.accountEmail,
      displayName: input.displayName,
      serverUrl: input.serverUrl,
      consecutiveErrors: 0,
      lastError: null,
      lastSyncedAt: existing?.lastSyncedAt ?? null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      version: existing?.version ?? 0,
    },
    stored,
  );

  const provider = await deps.providers.forConnection(connection);
  const calendars = await discoverCalendars(deps, connection, provider);
  for (const calendar of calendars.filter((c) => c.syncEnabled)) {
    await ensurePushChannel(deps, calendar, provider).catch((error: unknown) => {
      deps.log.warn('could not open a push channel; the scheduled sync covers the calendar', { calendarId: calendar.id, error: String(error) });
    });
  }
  await requestSync(deps, calendars.filter((c) => c.syncEnabled), 'connect', { full: true });
  if (!existing) {
    await deps.publisher.publish([
      domainEvent('connection.created', connection.tenantId, connectionEventData(connection), { idempotencyParts: [connection.id, connection.createdAt], time: deps.clock.now() }),
    ]);
  }
  return { connection, calendars, created: !existing };
}

/** Upserts the provider's calendars, keeping the settings and cursors of ones we already know. */
export async function discoverCalendars(deps: Pick<RegisterConnectionDeps, 'calendars' | 'clock'>, connection: Connection, provider: CalendarProvider): Promise<Calendar[]> {
  const now = deps.clock.now().toISOString();
  const known = new Map((await deps.calendars.listByConnection(connection.tenantId, connection.id)).map((c) => [c.providerCalendarId, c]));
  const result: Calendar[] = [];
  for (const found of await provider.listCalendars()) {
    if (!found.supportsEvents) continue;
    const previous = known.get(found.providerCalendarId);
    if (previous) {
      const updated = await deps.calendars.update(connection.tenantId, previous.id, {
        name: found.name,
        description: found.description,
        timeZone: found.timeZone ?? previous.timeZone,
        color: found.color,
        isPrimary: found.isPrimary,
        readOnly: found.readOnly,
        // A kind set by PATCH stays; one never set (calendars older than kinds) takes the provider's word.
        ...(previous.kind === undefined && found.kind ? { kind: found.kind } : {}),
        updatedAt: now,
      });
      result.push(updated);
      continue;
    }
    const calendar: Calendar = {
      tenantId: connection.tenantId,
      id: calendarIdOf(connection.id, found.providerCalendarId),
      connectionId: connection.id,
      provider: connection.provider,
      providerCalendarId: found.providerCalendarId,
      name: found.name,
      description: found.description,
      timeZone: found.timeZone,
      color: found.color,
      isPrimary: found.isPrimary,
      readOnly: found.readOnly,
      syncEnabled: true,
      syncWindow: DEFAULT_SYNC_WINDOW,
      cursor: null,
      cursorVersion: 0,
      lastSyncStartedAt: null,
      lastSyncedAt: null,
      lastFullSyncAt: null,
      push: null,
      ...(found.kind ? { kind: found.kind } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await deps.calendars.put(calendar, now);
    result.push(calendar);
  }
  return result;
}
