import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../../shared/domain/app-error.ts';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { caldavOutboundPolicy, createCaldavFetch, createCaldavProvider, probeCaldavAccount } from '../../../shared/providers/caldav/index.ts';
import { ICLOUD_CALDAV_URL, connectCaldav, type CaldavProbe, type ConnectCaldavDeps } from '../../../shared/use-cases/connect/connect-caldav.ts';
import { freePort } from '../../../infra/local/net.ts';
import { startRadicale, type Radicale } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';

class RecordingQueue implements JobQueue<SyncJob> {
  readonly sent: SyncJob[] = [];
  async send(messages: readonly QueueMessage<SyncJob>[]): Promise<void> {
    this.sent.push(...messages.map((m) => m.body));
  }
  async changeVisibility(): Promise<void> {}
}

let radicale: Radicale;
let stores: TestStores;
let plainServer: http.Server;
let plainUrl: string;

beforeAll(async () => {
  radicale = await startRadicale({ users: { ada: 'ada-password', tasks: 'tasks-password' } });
  await radicale.user('ada').makeCalendar('work', { name: 'Work', timeZone: 'Europe/Berlin' });
  await radicale.user('ada').makeCalendar('todo', { name: 'Todo', components: ['VTODO'] });
  await radicale.user('tasks').makeCalendar('only-tasks', { name: 'Only tasks', components: ['VTODO'] });
  stores = await createTestStores(new TestClock());
  // Not CalDAV: answers 200 with HTML to every method and path.
  plainServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>hello</body></html>');
  });
  await new Promise<void>((resolve) => plainServer.listen(0, '127.0.0.1', resolve));
  plainUrl = `http://127.0.0.1:${(plainServer.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => plainServer?.close(() => resolve()));
  await radicale?.stop();
});

function depsFor(overrides: Partial<ConnectCaldavDeps> = {}): { deps: ConnectCaldavDeps; queue: RecordingQueue; publisher: RecordingPublisher } {
  const queue = new RecordingQueue();
  const publisher = new RecordingPublisher();
  const clock = new TestClock();
  const deps: ConnectCaldavDeps = {
    connections: stores.connections,
    calendars: stores.calendars,
    pushChannels: stores.pushChannels,
    syncQueue: queue,
    publisher,
    clock,
    log: silentLog,
    settings: { publicBaseUrl: 'http://localhost:3000', channelTtlSeconds: 3600, renewBeforeMs: 3_600_000 },
    providers: {
      forConnection: async (connection) => {
        const stored = await stores.connections.getCredentials(connection.tenantId, connection.id);
        if (stored?.credentials.kind !== 'basic') throw new Error('expected basic credentials');
        return createCaldavProvider({ serverUrl: connection.serverUrl!, credentials: stored.credentials, policy: caldavOutboundPolicy(true) });
      },
    },
    outbound: caldavOutboundPolicy(true),
    probeCaldav: (url, credentials) => probeCaldavAccount(url, credentials, { isLocal: true }),
    ...overrides,
  };
  return { deps, queue, publisher };
}

/** Every table item of a tenant (connections, credentials, calendars…): the "nothing stored" check. */
async function itemsOf(tenantId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stores.table.doc.send(new ScanCommand({ TableName: stores.table.tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).filter((item) => JSON.stringify(item).includes(tenantId)));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('connecting a CalDAV account (Radicale)', () => {
  it('validates by discovery, stores the connection with the password sealed, lists only event calendars and queues the first sync', async () => {
    const { deps, queue, publisher } = depsFor();
    const result = await connectCaldav(deps, { tenantId: 'ok-tenant', serverUrl: radicale.url, username: 'ada', password: 'ada-password' });

    expect(result.created).toBe(true);
    expect(result.connection).toMatchObject({ provider: 'caldav', status: 'active', accountId: `${radicale.url}/ada/`, serverUrl: `${radicale.url}/`, displayName: 'ada' });
    expect(result.calendars.map((c) => c.name)).toEqual(['Work']);
    expect(result.calendars[0]).toMatchObject({ providerCalendarId: `${radicale.url}/ada/work/`, timeZone: 'Europe/Berlin', isPrimary: true, readOnly: false });
    expect(queue.sent).toEqual([expect.objectContaining({ calendarId: result.calendars[0]!.id, reason: 'connect', full: true })]);
    expect(publisher.ofType('connection.created')).toHaveLength(1);
    expect(await stores.connections.getCredentials('ok-tenant', result.connection.id)).toMatchObject({ credentials: { kind: 'basic', username: 'ada', password: 'ada-password' } });
    const items = await itemsOf('ok-tenant');
    expect(items.length, 'connection, credentials and calendar items').toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(items)).not.toContain('ada-password');

    const again = await connectCaldav(deps, { tenantId: 'ok-tenant', serverUrl: radicale.url, username: 'ada', password: 'ada-password' });
    expect(again.created).toBe(false);
    expect(again.connection.id).toBe(result.connection.id);
  });

  it('refuses a wrong password with a 400 on body.password and stores nothing', async () => {
    const error = await failure(connectCaldav(depsFor().deps, { tenantId: 'bad-password', serverUrl: radicale.url, username: 'ada', password: 'wrong' }));
    expect(error.code).toBe('input.invalid');
    expect(error.details?.field).toBe('body.password');
    expect(error.message).toMatch(/refused the user name and password/);
    expect(await itemsOf('bad-password')).toEqual([]);
  });

  it('explains app-specific passwords when iCloud refuses the login', async () => {
    let probed: string | null = null;
    const refusing: CaldavProbe = async (url) => {
      probed = url;
      throw new AppError('provider.auth_revoked', 'CalDAV discovery: 401', { details: { status: 401 } });
    };
    const { deps } = depsFor({ probeCaldav: refusing, outbound: caldavOutboundPolicy(false), resolver: async () => [{ address: '17.248.133.67', family: 4 }] });
    const error = await failure(connectCaldav(deps, { tenantId: 'icloud-tenant', preset: 'icloud', username: 'someone@icloud.com', password: 'apple-id-password' }));
    expect(probed).toBe(ICLOUD_CALDAV_URL);
    expect(error.details?.field).toBe('body.password');
    expect(error.message).toMatch(/app-specific password/);
    expect(error.message).toMatch(/appleid\.apple\.com → Sign-In and Security → App-Specific Passwords/);
    expect(error.message).toMatch(/two-factor authentication/);
    expect(await itemsOf('icloud-tenant')).toEqual([]);
  });

  it('refuses an unreachable server on body.serverUrl and stores nothing', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const error = await failure(connectCaldav(depsFor().deps, { tenantId: 'unreachable', serverUrl: closed, username: 'ada', password: 'ada-password' }));
    expect(error).toMatchObject({ code: 'input.invalid', details: { field: 'body.serverUrl' } });
    expect(error.message).toMatch(/Could not reach a CalDAV server/);
    expect(await itemsOf('unreachable')).toEqual([]);
  });

  it('refuses a server that is not CalDAV (200 to everything) on body.serverUrl and stores nothing', async () => {
    const error = await failure(connectCaldav(depsFor().deps, { tenantId: 'not-caldav', serverUrl: plainUrl, username: 'ada', password: 'ada-password' }));
    expect(error).toMatchObject({ code: 'input.invalid', details: { field: 'body.serverUrl' } });
    expect(error.message).toMatch(/is not a CalDAV server/);
    expect(await itemsOf('not-caldav')).toEqual([]);
  });

  it('refuses an account whose only calendar holds tasks (no VEVENT) and stores nothing', async () => {
    const error = await failure(connectCaldav(depsFor().deps, { tenantId: 'tasks-only', serverUrl: radicale.url, username: 'tasks', password: 'tasks-password' }));
    expect(error).toMatchObject({ code: 'input.invalid', details: { field: 'body.serverUrl' } });
    expect(error.message).toMatch(/no calendar that can hold events \(found only: Only tasks/);
    expect(await itemsOf('tasks-only')).toEqual([]);
  });

  it('applies the outbound policy before any request: in AWS a loopback or http URL is refused', async () => {
    let probes = 0;
    const { deps } = depsFor({ outbound: caldavOutboundPolicy(false), probeCaldav: async () => ((probes += 1), Promise.reject(new Error('must not be called'))) });
    const loopback = await failure(connectCaldav(deps, { tenantId: 'policy', serverUrl: 'https://127.0.0.1/', username: 'ada', password: 'x' }));
    expect(loopback).toMatchObject({ code: 'input.invalid', details: { field: 'body.serverUrl' } });
    const metadata = await failure(connectCaldav(deps, { tenantId: 'policy', serverUrl: 'https://169.254.169.254/', username: 'ada', password: 'x' }));
    expect(metadata.details?.field).toBe('body.serverUrl');
    const plain = await failure(connectCaldav(deps, { tenantId: 'policy', serverUrl: 'http://caldav.example.com/', username: 'ada', password: 'x' }));
    expect(plain.message).toMatch(/must use https/);
    expect(probes).toBe(0);
    expect(await itemsOf('policy')).toEqual([]);
  });

  it('refuses, at request time, a server name that resolves to a private or loopback address (pinned lookup)', async () => {
    for (const address of ['10.1.2.3', '127.0.0.1', '169.254.169.254']) {
      const fetch = createCaldavFetch({ policy: caldavOutboundPolicy(false), timeoutMs: 2_000, resolver: async () => [{ address, family: 4 }] });
      const provider = createCaldavProvider({ serverUrl: 'https://caldav.example.test/', credentials: { kind: 'basic', username: 'a', password: 'b' }, policy: caldavOutboundPolicy(false), fetch, readRetries: 0 });
      const error = await provider.listCalendars().then(() => null, (e: unknown) => e);
      expect(isAppError(error, 'provider.unavailable'), address).toBe(true);
      expect((error as AppError).details?.network, address).toBe('EADDRNOTALLOWED');
    }
  });
});
