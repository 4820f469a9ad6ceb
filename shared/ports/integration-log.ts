import { toAppError } from '../domain/app-error.ts';
import { newId } from '../domain/ids.ts';
import type { IntegrationLogEntry, LogEntryInput, LogEntryType } from '../domain/integration-log.ts';
import type { Log } from './log.ts';
import type { Page, PageRequest } from './page.ts';

/** Appends entries to the integration log. Adapters may throw; callers go through `recordIntegrationEvent`. */
export interface IntegrationLogWriter {
  append(entry: IntegrationLogEntry): Promise<void>;
}

export interface LogFilter {
  connectionId?: string | undefined;
  bookingId?: string | undefined;
  type?: LogEntryType | undefined;
  success?: boolean | undefined;
  /** Entries at or after this instant. */
  since?: Date | undefined;
}

/** Reads the integration log of one tenant, newest first. */
export interface IntegrationLogReader {
  list(tenantId: string, filter: LogFilter, page: PageRequest): Promise<Page<IntegrationLogEntry>>;
  /** Failed entries of a connection's own work (sync, token, push, errors; not webhooks about it) since `since`, up to `cap`. */
  countFailures(tenantId: string, connectionId: string, since: Date, cap: number): Promise<number>;
}

export type IntegrationLogStore = IntegrationLogWriter & IntegrationLogReader;

/** What a use-case needs to write the log: the writer is optional (a deployment or a test without one logs nothing). */
export interface IntegrationLogDeps {
  integrationLog?: IntegrationLogWriter | undefined;
  log: Log;
}

/**
 * Records one entry. Never throws and never fails the work it describes: a failed write is reported in the
 * process log and dropped (the log is a window for operators, not the system of record).
 */
export async function recordIntegrationEvent(deps: IntegrationLogDeps, input: LogEntryInput): Promise<void> {
  if (!deps.integrationLog) return;
  try {
    const at = input.at ?? new Date();
    await deps.integrationLog.append({
      tenantId: input.tenantId,
      id: newId('log', at.getTime()),
      type: input.type,
      at: at.toISOString(),
      success: input.success,
      connectionId: input.connectionId ?? null,
      bookingId: input.bookingId ?? null,
      correlationId: input.correlationId ?? null,
      resourceId: input.resourceId ?? null,
      summary: input.summary,
      error: input.error ?? null,
      details: input.details ?? {},
    });
  } catch (error) {
    deps.log.warn('could not write the integration log (the work it describes is not affected)', { type: input.type, code: toAppError(error).code });
  }
}
