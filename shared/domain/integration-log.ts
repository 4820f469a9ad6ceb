import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/**
 * What happened to an integration, one entry per thing: a sync run, a token refresh, a push received or a
 * channel renewed, a video link made, a webhook attempt, a notification, a booking written, or an error that
 * belongs to none of these. A failed operation keeps its type and has `success: false` and `error`, so
 * "type=sync.run" shows the failed runs too and "success=false" is the operator's "errors only".
 */
export const LOG_ENTRY_TYPES = [
  'sync.run',
  'token.refresh',
  'push.received',
  'push.renewed',
  'video.link_created',
  'webhook.sent',
  'webhook.failed',
  'notification.sent',
  'notification.failed',
  'booking.written',
  'error',
] as const;
export const LogEntryType = z.enum(LOG_ENTRY_TYPES);
export type LogEntryType = z.infer<typeof LogEntryType>;

/** Entries are kept this long (DynamoDB TTL removes them; readers skip any past it). */
export const LOG_RETENTION_DAYS = 90;

export const LogEntryError = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });
export type LogEntryError = z.infer<typeof LogEntryError>;

/** Small facts of the entry (counts, duration, mode, status code): flat, no personal data, no secrets. */
export const LogDetails = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type LogDetails = z.infer<typeof LogDetails>;

export const IntegrationLogEntry = z.object({
  tenantId: TenantId,
  id: z.string(),
  type: LogEntryType,
  at: Instant,
  success: z.boolean(),
  /** The calendar connection it happened to, when there is one. */
  connectionId: z.nullable(z.string()),
  bookingId: z.nullable(z.string()),
  /**
   * What ties entries of one piece of work together: the sync run's id (the worker's request id), the domain
   * event id a webhook delivers, the booking id for a booking's writes.
   */
  correlationId: z.nullable(z.string()),
  /** The other thing it concerns: a calendar, a webhook endpoint, a notification channel, a video connection. */
  resourceId: z.nullable(z.string()),
  summary: z.string(),
  error: z.nullable(LogEntryError),
  details: LogDetails,
});
export type IntegrationLogEntry = z.infer<typeof IntegrationLogEntry>;

/** What a caller says happened; the writer adds the id and the time. */
export interface LogEntryInput {
  tenantId: string;
  type: LogEntryType;
  success: boolean;
  summary: string;
  connectionId?: string | null | undefined;
  bookingId?: string | null | undefined;
  correlationId?: string | null | undefined;
  resourceId?: string | null | undefined;
  error?: LogEntryError | null | undefined;
  details?: LogDetails | undefined;
  at?: Date | undefined;
}

export type IntegrationLogView = Omit<IntegrationLogEntry, 'tenantId'>;

export function toLogView(entry: IntegrationLogEntry): IntegrationLogView {
  const { tenantId: _tenant, ...view } = entry;
  return view;
}
