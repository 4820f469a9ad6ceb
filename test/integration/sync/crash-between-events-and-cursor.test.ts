import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../shared/domain/domain-events.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { RecordingPublisher, TestClock, testCalendar, testConnection } from '../../support/stores.ts';
import { EVENTS, PAGE_SIZE, worldProvider, worldStores } from './support/crash-world.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'crash-child.ts');

/**
 * Reliability scenario 7 on the sync side (issue 10 item 10e): the worker process is killed with SIGKILL
 * after writing every page's events and before writing the cursor — no thrown error, no cleanup, its lease
 * left behind. The retry (after the lease expired, as the queue's visibility timeout guarantees) converges
 * on the provider's truth, and across both runs each change has exactly one domain event id.
 */
describe('a sync worker killed between the event writes and the cursor write (SIGKILL)', () => {
  it('the retry converges, and no change gets a second domain event', async () => {
    const table = await createTestTable('crash');
    const key = randomBytes(32).toString('base64');
    const stores = worldStores(table.endpoint, table.tableName, key);
    const connection = testConnection('crash-tenant');
    await stores.connections.save(connection, { kind: 'oauth', accessToken: 'a', refreshToken: 'r', expiresAt: 0, scope: null });
    const calendar = testCalendar(connection);
    await stores.calendars.put(calendar, null);
    const eventsFile = path.join(mkdtempSync(path.join(tmpdir(), 'crash-')), 'published.jsonl');
    writeFileSync(eventsFile, '');

    // The job both runs serve: the retry is the same queue message, with the same requestedAt.
    const requestedAt = new Date();
    const child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, CRASH_DDB_ENDPOINT: table.endpoint, CRASH_TABLE: table.tableName, CRASH_KEY: key, CRASH_TENANT: calendar.tenantId, CRASH_CALENDAR: calendar.id, CRASH_EVENTS_FILE: eventsFile, CRASH_REQUESTED_AT: requestedAt.toISOString() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('EVENTS_WRITTEN_CURSOR_NEXT')) resolve();
        if (out.includes('FINISHED_UNEXPECTEDLY')) reject(new Error('the child finished instead of stopping before the cursor'));
      });
      void exited.then(({ code }) => reject(new Error(`the child exited early (${code}): ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });

    // What the killed run left: every event stored and announced, no cursor, its lease still on the calendar.
    const killedEvents = readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent);
    expect(killedEvents.filter((e) => e.type === 'calendar.event.created')).toHaveLength(EVENTS);
    expect(await stores.events.listAll(calendar.tenantId, calendar.id)).toHaveLength(EVENTS);
    const left = (await stores.calendars.get(calendar.tenantId, calendar.id))!;
    expect(left.cursor).toBeNull();
    expect(left.cursorVersion).toBe(0);

    // The retry: the queue hands the job out again after the visibility timeout (≥ the 15-minute lease).
    const clock = new TestClock(Date.now() + (DEFAULT_SYNC_SETTINGS.leaseSeconds + 60) * 1000);
    const publisher = new RecordingPublisher();
    const provider = worldProvider();
    const outcome = await syncCalendar(
      { calendars: stores.calendars, events: stores.events, connections: stores.connections, providers: { forConnection: async () => provider }, publisher, clock, log: silentLog, settings: DEFAULT_SYNC_SETTINGS },
      { tenantId: calendar.tenantId, calendarId: calendar.id, requestedAt, runId: 'retry' },
    );
    expect(outcome).toMatchObject({ status: 'synced', mode: 'full', created: 0, unchanged: EVENTS, pages: Math.ceil(EVENTS / PAGE_SIZE) });

    const after = (await stores.calendars.get(calendar.tenantId, calendar.id))!;
    expect(after.cursor).not.toBeNull();
    expect(after.cursorVersion).toBe(1);
    const stored = (await stores.events.listAll(calendar.tenantId, calendar.id)).map((e) => e.title).sort();
    expect(stored).toEqual(provider.truth('primary').map((e) => e.title ?? '').sort());

    // Across both runs: one created event per provider event, no id twice, nothing else about events.
    const all = [...killedEvents, ...(publisher.events as DomainEvent[])].filter((e) => e.type.startsWith('calendar.event.'));
    expect(all).toHaveLength(EVENTS);
    expect(new Set(all.map((e) => e.id)).size).toBe(EVENTS);
    expect(new Set(all.map((e) => (e.data as { event: { providerEventId: string } }).event.providerEventId)).size).toBe(EVENTS);
    stores.client.destroy();
  }, 60_000);
});
