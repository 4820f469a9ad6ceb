import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CaldavCalendarProvider } from '../../../../shared/providers/caldav/index.ts';
import { createCaldavProvider, type CaldavProviderSetup } from '../../../../shared/providers/caldav/index.ts';
import type { Radicale, RadicaleUser } from '../../../support/radicale.ts';
import { buildIcs, type VeventSpec } from './ics.ts';

export const LOOPBACK_POLICY = { allowHttp: true, allowLoopback: true };

/** Our provider for a Radicale user (optionally through another base URL, e.g. a fault proxy). */
export function providerFor(radicale: Radicale, username: string, overrides: Partial<CaldavProviderSetup> = {}): CaldavCalendarProvider {
  return createCaldavProvider({
    serverUrl: radicale.url,
    credentials: { kind: 'basic', username, password: radicale.users[username]! },
    policy: LOOPBACK_POLICY,
    readRetries: 0,
    sleep: async () => {},
    ...overrides,
  });
}

/**
 * The other client's view of one collection: each object is kept as specs (so edits rebuild the whole
 * object, like a desktop client does) under a file name that is deliberately not its UID.
 */
export class OtherClient {
  readonly user: RadicaleUser;
  readonly collectionUrl: string;
  readonly objects = new Map<string, { name: string; specs: VeventSpec[]; etag: string }>();

  constructor(user: RadicaleUser, collectionUrl: string) {
    this.user = user;
    this.collectionUrl = collectionUrl;
  }

  async create(specs: VeventSpec[], name = `obj-${randomUUID().slice(0, 8)}.ics`): Promise<string> {
    const uid = specs[0]!.uid;
    const etag = await this.user.put(this.collectionUrl, name, buildIcs(specs), { ifNoneMatch: true });
    this.objects.set(uid, { name, specs, etag });
    return uid;
  }

  async edit(uid: string, change: (specs: VeventSpec[]) => VeventSpec[]): Promise<void> {
    const object = this.objects.get(uid);
    if (!object) throw new Error(`the other client has no object ${uid}`);
    const specs = change(structuredClone(object.specs));
    object.etag = await this.user.put(this.collectionUrl, object.name, buildIcs(specs));
    object.specs = specs;
  }

  async remove(uid: string): Promise<void> {
    const object = this.objects.get(uid);
    if (!object) return;
    await this.user.delete(this.collectionUrl, object.name);
    this.objects.delete(uid);
  }

  async move(uid: string): Promise<void> {
    const object = this.objects.get(uid);
    if (!object) return;
    const name = `moved-${randomUUID().slice(0, 8)}.ics`;
    await this.user.move(this.collectionUrl, object.name, name);
    object.name = name;
  }
}

/** Makes every sync token of a collection unknown to Radicale, and checks that it now really answers 403. */
export async function expireRadicaleTokens(radicale: Radicale, user: RadicaleUser, slug: string): Promise<void> {
  const url = user.collectionUrl(slug);
  const current = await user.syncReport(url, '');
  expect(current.status).toBe(207);
  radicale.forgetSyncTokens(user.username, slug);
  // Radicale answers a token equal to the collection's present state without looking it up, so the state
  // must move on: a marker object comes and goes (its deletion stays in the history, changing the token).
  const marker = `expire-${randomUUID().slice(0, 8)}.ics`;
  await user.put(url, marker, buildIcs([{ uid: `marker-${randomUUID()}`, title: 'expiry marker', start: { date: '2020-01-01' }, end: { date: '2020-01-02' } }]));
  await user.delete(url, marker);
  const stale = await user.syncReport(url, current.token!);
  expect(stale.status, 'Radicale must refuse the forgotten token').toBe(403);
  expect(stale.body).toContain('valid-sync-token');
}
