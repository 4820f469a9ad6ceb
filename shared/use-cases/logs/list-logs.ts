import { toLogView, type IntegrationLogView, type LogEntryType } from '../../domain/integration-log.ts';
import type { IntegrationLogReader } from '../../ports/integration-log.ts';

export interface ListLogsInput {
  tenantId: string;
  connectionId?: string | undefined;
  bookingId?: string | undefined;
  type?: LogEntryType | undefined;
  success?: boolean | undefined;
  since?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** GET /v1/logs: the tenant's integration log, newest first, filtered; the tenant comes from the token only. */
export async function listIntegrationLogs(deps: { integrationLog: IntegrationLogReader }, input: ListLogsInput): Promise<{ items: IntegrationLogView[]; nextCursor: string | null }> {
  const page = await deps.integrationLog.list(
    input.tenantId,
    { connectionId: input.connectionId, bookingId: input.bookingId, type: input.type, success: input.success, since: input.since ? new Date(input.since) : undefined },
    { cursor: input.cursor ?? null, limit: input.limit },
  );
  return { items: page.items.map(toLogView), nextCursor: page.cursor };
}
