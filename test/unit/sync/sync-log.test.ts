import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { IntegrationLogEntry } from '../../../shared/domain/integration-log.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../../shared/ports/integration-log.ts';
import type { Log } from '../../../shared/ports/log.ts';
import type { SyncOutcome } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { logSyncRun } from '../../../shared/use-cases/sync/sync-log.ts';

const job = { tenantId: 'acme', calendarId: 'cal_1', runId: 'run-1' };
const synced: SyncOutcome = { status: 'synced', mode: 'incremental', resynced: false, pages: 1, created: 2, updated: 1, deleted: 0, unchanged: 4 };

function recordingLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, info: () => {}, error: () => {}, warn: (message) => warnings.push(message) };
}

function depsWith(writer: IntegrationLogWriter) {
  let ms = Date.parse('2026-12-07T10:00:00Z');
  return {
    integrationLog: writer,
    log: recordingLog(),
    clock: { now: () => new Date((ms += 250)) },
    calendars: { get: async () => ({ connectionId: 'con_1' }) as never },
  };
}

const failingWriter: IntegrationLogWriter = {
  append: async () => {
    throw new AppError('provider.unavailable', 'DynamoDB is down', { retryable: true });
  },
};

describe('the integration log never fails the work it describes', () => {
  it('a sync whose log write fails still returns its outcome, and the failure is only warned about', async () => {
    const deps = depsWith(failingWriter);
    await expect(logSyncRun(deps, job, async () => synced)).resolves.toEqual(synced);
    expect(deps.log.warnings).toEqual(['could not write the integration log (the work it describes is not affected)']);
  });

  it("a failing sync rethrows its own error, not the log's", async () => {
    const deps = depsWith(failingWriter);
    const syncError = new AppError('provider.unavailable', 'Google answered 503', { retryable: true });
    await expect(logSyncRun(deps, job, async () => Promise.reject(syncError))).rejects.toBe(syncError);
    expect(deps.log.warnings).toHaveLength(1);
  });

  it('a writer that throws synchronously is caught too', async () => {
    const log = recordingLog();
    const throwing: IntegrationLogWriter = {
      append: () => {
        throw new Error('boom');
      },
    };
    await expect(recordIntegrationEvent({ integrationLog: throwing, log }, { tenantId: 'acme', type: 'error', success: false, summary: 'x' })).resolves.toBeUndefined();
    expect(log.warnings).toHaveLength(1);
  });
});

describe('what a sync run records', () => {
  it('a synced run: mode, counts, duration, connection, the run id as correlation id', async () => {
    const entries: IntegrationLogEntry[] = [];
    const deps = depsWith({ append: async (entry) => void entries.push(entry) });
    await logSyncRun(deps, job, async () => synced);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      tenantId: 'acme',
      type: 'sync.run',
      success: true,
      connectionId: 'con_1',
      resourceId: 'cal_1',
      correlationId: 'run-1',
      error: null,
      details: { mode: 'incremental', created: 2, updated: 1, deleted: 0, unchanged: 4, pages: 1, durationMs: 250 },
    });
    expect(entries[0]!.id).toMatch(/^log_/);
  });

  it('a thrown failure is recorded with code, message and retryable; a busy calendar and a skipped run are not', async () => {
    const entries: IntegrationLogEntry[] = [];
    const deps = depsWith({ append: async (entry) => void entries.push(entry) });
    await expect(logSyncRun(deps, job, async () => Promise.reject(new AppError('provider.rate_limited', 'slow down', { retryable: true })))).rejects.toThrow('slow down');
    await expect(logSyncRun(deps, job, async () => Promise.reject(new AppError('storage.conflict', 'Another run is syncing this calendar', { retryable: true })))).rejects.toThrow();
    await logSyncRun(deps, job, async () => ({ status: 'skipped', reason: 'coalesced' }));
    await logSyncRun(deps, job, async () => ({ status: 'failed', code: 'provider.input_invalid' }));
    expect(entries.map((e) => [e.success, e.error?.code, e.error?.retryable])).toEqual([
      [false, 'provider.rate_limited', true],
      [false, 'provider.input_invalid', false],
    ]);
    expect(entries[0]!.error?.message).toBe('slow down');
  });
});
