import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '../../../shared/domain/app-error.ts';
import type { ChangePage, ProviderCalendarRef } from '../../../shared/ports/calendar-provider.ts';
import { collectRound } from '../../contract/provider-contract.ts';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../../support/fault-proxy.ts';
import { startRadicale, type Radicale, type RadicaleUser } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { OtherClient, providerFor } from './support/caldav-setup.ts';
import { SyncedCalendar, expectSameEvents } from './support/sync-harness.ts';

const WINDOW = { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2027-12-01T00:00:00Z') };
const isSyncReport = (request: ProxiedRequest) => request.method === 'REPORT' && request.body.includes('sync-collection');

let radicale: Radicale;
let proxy: FaultProxy;
let user: RadicaleUser;
let stores: TestStores;
let slugs = 0;

beforeAll(async () => {
  radicale = await startRadicale({ users: { proto: 'proto-password' } });
  proxy = await startFaultProxy(radicale.url);
  user = radicale.user('proto');
  stores = await createTestStores();
});
afterAll(async () => {
  await proxy?.stop();
  await radicale?.stop();
});
beforeEach(() => proxy.reset());

/** A fresh collection reached through the proxy, and the other client writing to it directly. */
async function freshCalendar(): Promise<{ slug: string; other: OtherClient; ref: ProviderCalendarRef; collectionUrl: string; proxied: string }> {
  const slug = `cal-${++slugs}`;
  const collectionUrl = await user.makeCalendar(slug, { timeZone: 'Europe/Berlin' });
  const proxied = new URL(new URL(collectionUrl).pathname, proxy.url).href;
  return { slug, other: new OtherClient(user, collectionUrl), ref: { providerCalendarId: proxied, timeZone: 'Europe/Berlin' }, collectionUrl, proxied };
}

async function addEvents(other: OtherClient, count: number, title = 'proto event'): Promise<string[]> {
  const uids: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = new Date(Date.UTC(2026, 11, 1 + i, 9)).toISOString();
    const end = new Date(Date.UTC(2026, 11, 1 + i, 10)).toISOString();
    uids.push(await other.create([{ uid: randomUUID(), title: `${title} ${i}`, start: { instant: start, zone: 'Europe/Berlin' }, end: { instant: end, zone: 'Europe/Berlin' } }]));
  }
  return uids;
}

const proxiedProvider = (overrides = {}) => providerFor(radicale, 'proto', { serverUrl: proxy.url, ...overrides });

describe('CalDAV sync protocol against Radicale', () => {
  it('an unchanged calendar costs exactly one request: a sync-collection REPORT that returns nothing', async () => {
    const { other, ref } = await freshCalendar();
    await addEvents(other, 3);
    const provider = proxiedProvider();
    const first = await collectRound(provider, { calendar: ref, cursor: null, window: WINDOW });
    expect(first.upserts.size).toBe(3);
    proxy.reset();
    const quiet = await collectRound(provider, { calendar: ref, cursor: first.cursor, window: WINDOW });
    expect(quiet.upserts.size + quiet.deleted.size).toBe(0);
    expect(proxy.log.map((e) => e.method)).toEqual(['REPORT']);
  });

  it('fetches changed objects with calendar-multiget in batches, one batch per page', async () => {
    const { other, ref } = await freshCalendar();
    await addEvents(other, 7);
    const round = await collectRound(proxiedProvider({ multigetBatch: 3 }), { calendar: ref, cursor: null, window: WINDOW });
    expect(round.upserts.size).toBe(7);
    expect(round.pages).toBe(3);
    const reports = proxy.log.filter((e) => e.method === 'REPORT');
    expect(reports).toHaveLength(4); // one sync-collection + three multigets of ≤ 3
  });

  it('continues a 507-truncated sync-collection answer from its partial token', async () => {
    const { other, ref, slug } = await freshCalendar();
    const provider = proxiedProvider();
    const first = await collectRound(provider, { calendar: ref, cursor: null, window: WINDOW });
    await addEvents(other, 6);
    let truncated = 0;
    proxy.addRule((request) => {
      if (!isSyncReport(request) || truncated > 0) return null;
      truncated += 1;
      const sentToken = /<(?:\w+:)?sync-token>([^<]*)</.exec(request.body)?.[1] ?? '';
      return {
        kind: 'rewrite',
        transform: (answer) => {
          const responses = answer.body.match(/<response>[\s\S]*?<\/response>/g) ?? [];
          const kept = responses.slice(0, 2).join('');
          const overflow = `<response><href>/proto/${slug}/</href><status>HTTP/1.1 507 Insufficient Storage</status></response>`;
          const body = answer.body
            .replace(/<response>[\s\S]*<\/response>/, kept + overflow)
            .replace(/<sync-token>[^<]*<\/sync-token>/, `<sync-token>${sentToken}</sync-token>`);
          return { ...answer, body };
        },
      };
    });
    const round = await collectRound(provider, { calendar: ref, cursor: first.cursor, window: WINDOW });
    expect(truncated).toBe(1);
    expect([...round.upserts.values()].map((e) => e.title).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `proto event ${i}`));
    expect(proxy.log.filter((e) => e.method === 'REPORT' && e.status === 207).length).toBeGreaterThanOrEqual(3);
    const quiet = await collectRound(provider, { calendar: ref, cursor: round.cursor, window: WINDOW });
    expect(quiet.upserts.size).toBe(0);
  });

  it('ignores the collection itself and extra 404 propstats in sync answers (iCloud), and deletes members gone before the multiget', async () => {
    const { other, ref, slug } = await freshCalendar();
    const [uid] = await addEvents(other, 1);
    const provider = proxiedProvider();
    proxy.addRule((request) =>
      isSyncReport(request)
        ? {
            kind: 'rewrite',
            transform: (answer) => ({
              ...answer,
              body: answer.body.replace(
                '</multistatus>',
                `<response><href>/proto/${slug}/</href><propstat><prop><getetag/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>` +
                  `<response><href>/proto/${slug}/ghost.ics</href><propstat><prop><getetag>"ghost"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat><propstat><prop><getcontenttype/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response></multistatus>`,
              ),
            }),
          }
        : null,
    );
    const page: ChangePage = await provider.listChanges({ calendar: ref, cursor: null, window: WINDOW, pageToken: null });
    expect(page.nextCursor).not.toBeNull();
    const kinds = page.changes.map((c) => (c.type === 'replaceResource' ? `replace ${c.events[0]?.providerEventId}` : c.type === 'deleteResource' ? `delete ${c.resourceId}` : c.type));
    expect(kinds).toEqual([`delete /proto/${slug}/ghost.ics`, `replace ${uid}`]);
  });

  it('handles object names and UIDs with characters that need escaping in URLs and XML', async () => {
    const { other, ref } = await freshCalendar();
    const uid = `odd&<uid> ${randomUUID().slice(0, 6)}@example.com`;
    await other.create([{ uid, title: 'Odd one', start: { date: '2026-12-10' }, end: { date: '2026-12-11' } }], 'odd name & more (1).ics');
    const provider = proxiedProvider({ multigetBatch: 1 });
    const round = await collectRound(provider, { calendar: ref, cursor: null, window: WINDOW });
    expect([...round.upserts.values()].map((e) => [e.providerEventId, e.resourceId])).toEqual([[uid, expect.stringContaining('odd%20name%20%26%20more')]]);
    const fresh = proxiedProvider();
    expect((await fresh.getEvent(ref, uid))?.title).toBe('Odd one');
    const updated = await fresh.updateEvent(ref, uid, { title: 'Odd one, renamed', start: { date: '2026-12-10' }, end: { date: '2026-12-11' } });
    expect(updated.title).toBe('Odd one, renamed');
    await fresh.deleteEvent(ref, uid);
    expect(await proxiedProvider().getEvent(ref, uid)).toBeNull();
  });

  it('marks the account\'s own attendee and organizer entries as self (user name or account e-mail)', async () => {
    const { ref, collectionUrl } = await freshCalendar();
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other//EN', 'BEGIN:VEVENT', 'UID:meeting-1', 'DTSTAMP:20260101T000000Z',
      'DTSTART:20261210T090000Z', 'DTEND:20261210T100000Z', 'SUMMARY:Meeting',
      'ORGANIZER;CN=Boss:mailto:boss@example.com',
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.com',
      'ATTENDEE;PARTSTAT=TENTATIVE;CN=Me:mailto:Proto.User@Example.com',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:someone@example.com',
      'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    await user.put(collectionUrl, 'meeting.ics', ics);
    const event = await proxiedProvider({ accountEmail: 'proto.user@example.com' }).getEvent(ref, 'meeting-1');
    expect(event?.organizer).toMatchObject({ email: 'boss@example.com', self: false });
    expect(event?.attendees.map((a) => [a.email?.toLowerCase(), a.responseStatus, a.self])).toEqual([
      ['boss@example.com', 'accepted', false],
      ['proto.user@example.com', 'tentative', true],
      ['someone@example.com', 'needs_action', false],
    ]);
  });

  describe('servers without sync-collection (ctag fallback)', () => {
    for (const refusal of [
      { name: '501 Not Implemented', fault: { kind: 'status' as const, status: 501 } },
      { name: '403 supported-report', fault: { kind: 'status' as const, status: 403, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:supported-report/></D:error>' } },
    ]) {
      it(`lists with PROPFIND + multiget, polls the ctag with one request, and resyncs fully when it changes (${refusal.name})`, async () => {
        const { other, collectionUrl, proxied, slug } = await freshCalendar();
        const [keep, gone] = await addEvents(other, 3);
        proxy.addRule((request) => (isSyncReport(request) ? refusal.fault : null));
        const clock = new TestClock('2026-11-23T12:00:00Z');
        const synced = new SyncedCalendar({ stores, clock, publisher: new RecordingPublisher(), provider: proxiedProvider(), tenantId: 'proto', key: `fallback-${slug}`, collectionUrl: proxied, serverUrl: proxy.url, timeZone: 'Europe/Berlin' });
        await synced.register();

        expect(await synced.syncOnce()).toMatchObject({ status: 'synced', mode: 'full', created: 3 });
        expectSameEvents(await synced.stored(), await synced.expectedFrom(user, collectionUrl), 'after the fallback listing');

        proxy.log.length = 0;
        expect(await synced.syncOnce()).toMatchObject({ status: 'synced', mode: 'incremental', created: 0, updated: 0, deleted: 0 });
        expect(proxy.log.map((e) => e.method)).toEqual(['PROPFIND']);

        await other.edit(keep!, (specs) => [{ ...specs[0]!, title: 'renamed elsewhere' }]);
        await other.remove(gone!);
        expect(await synced.syncOnce()).toMatchObject({ status: 'synced', resynced: true, updated: 1, deleted: 1 });
        expectSameEvents(await synced.stored(), await synced.expectedFrom(user, collectionUrl), 'after the ctag changed');
      });
    }
  });

  it('re-reads a resource when the server answers a PUT without an ETag', async () => {
    const { ref, collectionUrl } = await freshCalendar();
    proxy.addRule((request) =>
      request.method === 'PUT'
        ? {
            kind: 'rewrite',
            transform: (answer) => {
              const { etag: _etag, ...headers } = answer.headers;
              return { ...answer, headers };
            },
          }
        : null,
    );
    const provider = proxiedProvider();
    const created = await provider.createEvent(ref, { title: 'no etag', start: { dateTime: '2026-12-03T09:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2026-12-03T10:00:00Z', timeZone: 'UTC' } });
    const stored = (await user.list(collectionUrl)).find((o) => o.data.includes(created.providerEventId))!;
    expect(created.etag).toBe(stored.etag);
    expect(proxy.log.map((e) => e.method)).toEqual(['PUT', 'GET']);

    proxy.log.length = 0;
    const updated = await provider.updateEvent(ref, created.providerEventId, { title: 'no etag 2', start: created.start, end: created.end }, { etag: created.etag });
    const after = (await user.list(collectionUrl)).find((o) => o.data.includes(created.providerEventId))!;
    expect(updated).toMatchObject({ title: 'no etag 2', etag: after.etag });
    expect(proxy.log.map((e) => e.method)).toEqual(['GET', 'PUT', 'GET']);
  });

  describe('error translation', () => {
    it('a refused password on an existing connection is auth_revoked, and the engine marks the connection reauth_required', async () => {
      const { proxied, slug } = await freshCalendar();
      const revoked = providerFor(radicale, 'proto', { serverUrl: proxy.url, credentials: { kind: 'basic', username: 'proto', password: 'changed-since' } });
      const error = await revoked.listChanges({ calendar: { providerCalendarId: proxied, timeZone: null }, cursor: null, window: WINDOW, pageToken: null }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'provider.auth_revoked', retryable: false });

      const synced = new SyncedCalendar({ stores, clock: new TestClock(), publisher: new RecordingPublisher(), provider: revoked, tenantId: 'proto', key: `revoked-${slug}`, collectionUrl: proxied, serverUrl: proxy.url, timeZone: 'UTC' });
      await synced.register();
      expect(await synced.syncOnce()).toEqual({ status: 'reauth_required' });
      expect((await stores.connections.get('proto', synced.connection.id))?.status).toBe('reauth_required');
    });

    const ask = async () => {
      const { ref } = await freshCalendar();
      return proxiedProvider().listChanges({ calendar: ref, cursor: null, window: WINDOW, pageToken: null }).catch((e: unknown) => e as AppError);
    };

    it('429 and 503 with Retry-After are rate limits carrying the wait', async () => {
      proxy.failNext(1, { kind: 'status', status: 429, headers: { 'retry-after': '30' } });
      expect(await ask()).toMatchObject({ code: 'provider.rate_limited', retryable: true, retryAfterMs: 30_000 });
      proxy.failNext(1, { kind: 'status', status: 503, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } });
      const error = await ask();
      expect(error).toMatchObject({ code: 'provider.rate_limited' });
      expect((error as AppError).retryAfterMs).toBeGreaterThan(100_000);
    });

    it('5xx without Retry-After, resets and hung answers are unavailable (retryable)', async () => {
      proxy.failNext(1, { kind: 'status', status: 500 });
      expect(await ask()).toMatchObject({ code: 'provider.unavailable', retryable: true });
      proxy.failNext(1, { kind: 'reset' });
      expect(await ask()).toMatchObject({ code: 'provider.unavailable', retryable: true });
      const { ref } = await freshCalendar();
      proxy.failNext(1, { kind: 'timeout', holdMs: 2_000 });
      const hung = await providerFor(radicale, 'proto', { serverUrl: proxy.url, timeoutMs: 300 }).listChanges({ calendar: ref, cursor: null, window: WINDOW, pageToken: null }).catch((e: unknown) => e);
      expect(isAppError(hung, 'provider.unavailable')).toBe(true);
      expect((hung as AppError).message).toMatch(/ETIMEDOUT/);
    });

    it('a quick read retry absorbs one transient failure', async () => {
      const { other, ref } = await freshCalendar();
      await addEvents(other, 1);
      proxy.failNext(1, { kind: 'status', status: 502 });
      const page = await proxiedProvider({ readRetries: 1 }).listChanges({ calendar: ref, cursor: null, window: WINDOW, pageToken: null });
      expect(page.changes).toHaveLength(1);
      expect(proxy.log.map((e) => e.status)).toEqual([502, 207, 207]);
    });

    it('push calls are refused as input_invalid (CalDAV has no push)', async () => {
      const provider = proxiedProvider();
      const ref = { providerCalendarId: `${proxy.url}/proto/x/`, timeZone: null };
      const request = { calendar: ref, address: 'https://example.com/hook', lifecycleAddress: null, channelId: 'c', secret: 's', ttlSeconds: 60 };
      expect(provider.push).toBe('none');
      await expect(provider.subscribe(request)).rejects.toMatchObject({ code: 'provider.input_invalid' });
      await expect(provider.renew({ channelId: 'c', resourceId: null, expiresAt: new Date() }, request)).rejects.toMatchObject({ code: 'provider.input_invalid' });
      await expect(provider.unsubscribe(ref, { channelId: 'c', resourceId: null, expiresAt: new Date() })).rejects.toMatchObject({ code: 'provider.input_invalid' });
    });
  });
});
