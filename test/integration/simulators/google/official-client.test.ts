import { auth, calendar_v3 } from '@googleapis/calendar';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startGoogleSimulator, type GoogleSimulator } from '../../../simulators/google/index.ts';
import { ALICE, manualClock, timed } from './helpers.ts';

// The official @googleapis/calendar client with rootUrl pointed at the simulator (providers.md items 19, 25),
// holding a token obtained from the simulator's token endpoint through PKCE by google-auth-library.
const REDIRECT = 'http://127.0.0.1:3999/v1/oauth/google/callback';

let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function connect(google: GoogleSimulator) {
  const oauth2 = new auth.OAuth2({
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    redirectUri: REDIRECT,
    endpoints: { oauth2AuthBaseUrl: google.endpoints.authorizeUrl, oauth2TokenUrl: google.endpoints.tokenUrl },
  });
  const verifier = randomBytes(32).toString('base64url');
  const authorizeUrl = new URL(google.endpoints.authorizeUrl);
  for (const [name, value] of Object.entries({
    client_id: google.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid email https://www.googleapis.com/auth/calendar',
    state: 's',
    access_type: 'offline',
    prompt: 'consent',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorizeUrl.searchParams.set(name, value);
  }
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  const code = new URL(consent.headers.get('location') as string).searchParams.get('code') as string;
  const { tokens } = await oauth2.getToken({ code, codeVerifier: verifier });
  oauth2.setCredentials(tokens);
  const client = new calendar_v3.Calendar({ rootUrl: google.endpoints.apiRootUrl, auth: oauth2 });
  return { client, oauth2, tokens };
}

describe('the official Node client against the simulator', () => {
  it('syncs with pages and sync tokens, writes, and surfaces 410 fullSyncRequired', async () => {
    const clock = manualClock('2030-01-01T00:00:00Z');
    const google = (sim = await startGoogleSimulator({ autoConsentUser: ALICE, now: clock.now }));
    for (let i = 0; i < 5; i += 1) google.insertEvent(ALICE, { summary: `e${i}`, ...timed(`2030-01-0${i + 2}T10:00:00Z`, `2030-01-0${i + 2}T11:00:00Z`) });
    const { client, tokens } = await connect(google);

    const ids: string[] = [];
    let pageToken: string | undefined;
    let syncToken: string | null | undefined;
    for (let i = 0; i < 10; i += 1) {
      const { data } = await client.events.list({ calendarId: 'primary', maxResults: 2, pageToken });
      ids.push(...(data.items ?? []).map((e) => e.id as string));
      pageToken = data.nextPageToken ?? undefined;
      syncToken = data.nextSyncToken;
      if (!pageToken) break;
    }
    const fullSyncCalls = google.stats.count('events.list');
    const inserted = await client.events.insert({ calendarId: 'primary', requestBody: { summary: 'from client', ...timed('2030-01-09T10:00:00Z', '2030-01-09T11:00:00Z') } });
    const changes = await client.events.list({ calendarId: 'primary', syncToken: syncToken as string });
    google.invalidateSyncTokens();
    const gone = await client.events.list({ calendarId: 'primary', syncToken: changes.data.nextSyncToken as string }).catch((error: unknown) => error);

    expect(tokens.refresh_token).toBeTypeOf('string');
    expect(ids).toHaveLength(5);
    expect(fullSyncCalls).toBe(3);
    expect(changes.data.items?.map((e) => e.id)).toEqual([inserted.data.id]);
    expect(gone).toMatchObject({ status: 410 });
    const errors = (gone as { response?: { data?: { error?: { errors?: { reason: string }[] } } } }).response?.data?.error?.errors;
    expect(errors?.[0]?.reason).toBe('fullSyncRequired');
  });

  it('refreshes once on 401 through the simulator token endpoint, and retries GET on 503 by itself', async () => {
    const clock = manualClock('2030-01-01T00:00:00Z');
    const google = (sim = await startGoogleSimulator({ autoConsentUser: ALICE, now: clock.now }));
    const { client, oauth2 } = await connect(google);
    // Stored tokens without an expiry (as many apps keep them): the library learns of expiry from the 401.
    oauth2.setCredentials({ access_token: oauth2.credentials.access_token, refresh_token: oauth2.credentials.refresh_token });
    clock.advance(3_601_000);
    google.stats.reset();

    const afterExpiry = await client.events.list({ calendarId: 'primary' });
    google.failNext({ route: 'events.list', status: 503, count: 2 });
    const afterOutage = await client.events.list({ calendarId: 'primary' });

    expect(afterExpiry.status).toBe(200);
    expect(google.stats.count('oauth.token')).toBe(1);
    expect(afterOutage.status).toBe(200);
    expect(google.stats.requests('events.list').map((r) => r.status)).toEqual([401, 200, 503, 503, 200]);
  });

  it('sends If-Match and gets 412 conditionNotMet as an error with status', async () => {
    const google = (sim = await startGoogleSimulator({ autoConsentUser: ALICE }));
    const { client } = await connect(google);
    const created = await client.events.insert({ calendarId: 'primary', requestBody: { summary: 'x', ...timed('2030-01-09T10:00:00Z', '2030-01-09T11:00:00Z') } });
    await client.events.patch({ calendarId: 'primary', eventId: created.data.id as string, requestBody: { summary: 'y' } });

    const stale = await client.events
      .patch({ calendarId: 'primary', eventId: created.data.id as string, requestBody: { summary: 'z' } }, { headers: { 'If-Match': created.data.etag as string } })
      .catch((error: unknown) => error);

    expect(stale).toMatchObject({ status: 412 });
    expect(google.getEvent(ALICE, created.data.id as string)?.summary).toBe('y');
  });

  it('watches, stops channels and deletes events through the client (204 answers with empty bodies)', async () => {
    const google = (sim = await startGoogleSimulator({ autoConsentUser: ALICE, deliverPushes: 'manual' }));
    const { client } = await connect(google);
    const created = await client.events.insert({ calendarId: 'primary', requestBody: { summary: 'x', ...timed('2030-01-09T10:00:00Z', '2030-01-09T11:00:00Z') } });

    const channel = await client.events.watch({ calendarId: 'primary', requestBody: { id: 'ch-1', type: 'web_hook', address: 'https://example.com/hooks/google', token: 't', params: { ttl: '600' } } });
    const stopped = await client.channels.stop({ requestBody: { id: 'ch-1', resourceId: channel.data.resourceId as string } });
    const deleted = await client.events.delete({ calendarId: 'primary', eventId: created.data.id as string });
    const again = await client.events.delete({ calendarId: 'primary', eventId: created.data.id as string }).catch((error: unknown) => error);

    expect(channel.data).toMatchObject({ id: 'ch-1', resourceId: expect.any(String), token: 't', expiration: expect.stringMatching(/^\d+$/) });
    expect(stopped.status).toBe(204);
    expect(deleted.status).toBe(204);
    expect(again).toMatchObject({ status: 410 });
    expect(google.channels()[0]?.stopped).toBe(true);
  });
});
