import * as z from 'zod/mini';

/** Why a sync was asked for (logged with the run; `full` comes separately). */
export const SyncReason = z.enum(['push', 'schedule', 'manual', 'connect', 'lifecycle', 'resubscribe']);
export type SyncReason = z.infer<typeof SyncReason>;

/**
 * The message on the sync queue, the one definition its producers (request-sync, the scheduler, the push
 * handlers) and its consumer (the sync worker, which parses every body with it) share.
 */
export const SyncJob = z.object({
  tenantId: z.string().check(z.minLength(1)),
  connectionId: z.string().check(z.minLength(1)),
  calendarId: z.string().check(z.minLength(1)),
  reason: SyncReason,
  /** When the need for a sync arose; a sync that started after it satisfies it (coalescing). */
  requestedAt: z.iso.datetime({ offset: true }),
  /** Ignore the stored cursor and run a full sync. */
  full: z.optional(z.boolean()),
});
export type SyncJob = z.infer<typeof SyncJob>;
