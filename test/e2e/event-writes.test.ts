import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { calendarStore } from '../../shared/runtime/deps/storage.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

// POST/PATCH/DELETE /v1/calendars/{id}/events through the local stack, against the sandbox Google simulator:
// Idempotency-Key replay and refusal, 400s naming the field, tenant isolation, read-only calendars, one
// domain event per write, and no echo when the provider's push brings our own write back through sync.

interface ApiEvent {
  id: string;
  providerEventId: string;
  title: string;
  start: { dateTime?: string; date?: string; timeZone?: string | null };
  conference: { provider: string; joinUrl?: string | null; meetingId?: string | null; dialIn?: { number: string; country: string | null }[] } | null;
}
interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

let stack: TestStack;
let calendarId: string;
const DAY = 86_400_000;
const at = (days: number, hours = 10) => new Date(Date.UTC(2027, 0, 4) + days * DAY + hours * 3_600_000).toISOString();

function post(body: unknown, headers: Record<string, string> = {}, token?: string) {
  return stack.api(`/v1/calendars/${calendarId}/events`, { method: 'POST', body: JSON.stringify(body), headers, ...(token ? { token } : {}) });
}
// Distinct by domain event id: a sync that runs while our write is mirrored emits the very same events (same
// ids, see mirror-write.ts), and delivery is at-least-once with consumers keeping one per id; a second
// *change* would carry another id and still be counted.
const changesOf = (eventId: string) => {
  const seen = new Set<string>();
  return stack.bus.published.filter((e: DomainEvent) => {
    if (!e.type.startsWith('calendar.event.') || (e.data as { event: { id: string } }).event.id !== eventId || seen.has(e.id)) return false;
    seen.add(e.id);
    return true;
  });
};
const syncsCompleted = () => stack.bus.published.filter((e: DomainEvent) => e.type === 'calendar.sync.completed' && (e.data as { calendarId: string }).calendarId === calendarId).length;

/** Waits for a sync of the calendar that started after now (the sandbox pushes every change): proof that sync saw our write. */
async function nextSync(before: number): Promise<void> {
  await eventually(async () => syncsCompleted() > before, 20_000);
}

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  const { authorizationUrl } = (await (await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' })).json()) as { authorizationUrl: string };
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = (await (await fetch(consent.headers.get('location')!, { redirect: 'manual' })).json()) as { connection: { id: string } };
  const connectionId = callback.connection.id;
  const calendars = (await (await stack.api(`/v1/connections/${connectionId}/calendars`)).json()) as { items: { id: string; isPrimary: boolean }[] };
  calendarId = calendars.items.find((c) => c.isPrimary)!.id;
  await eventually(async () => ((await (await stack.api(`/v1/connections/${connectionId}`)).json()) as { lastSyncedAt: string | null }).lastSyncedAt);
});
afterAll(() => stack?.stop());

describe('event writes through the HTTP API', () => {
  it('creates once per Idempotency-Key: a repeat replays the answer, another body under the key is 422', async () => {
    const body = { title: 'API planning', start: at(0), end: at(0, 11), timeZone: 'Europe/Berlin', attendees: [{ email: 'grace@example.com' }] };
    const before = syncsCompleted();
    const first = await post(body, { 'idempotency-key': 'create-planning-1' });
    expect(first.status, await first.clone().text()).toBe(201);
    const created = (await first.json()) as ApiEvent;

    const repeat = await post(body, { 'idempotency-key': 'create-planning-1' });
    const reused = await post({ ...body, title: 'Something else' }, { 'idempotency-key': 'create-planning-1' });

    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(((await repeat.json()) as ApiEvent).id).toBe(created.id);
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as Problem).code).toBe('idempotency.key_reused');
    expect(sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).filter((e) => e.summary === 'API planning')).toHaveLength(1);
    expect(created.start).toEqual({ dateTime: '2027-01-04T10:00:00Z', timeZone: 'Europe/Berlin' });

    // Google pushes our own change back; the sync it triggers finds it unchanged: still one event in all.
    await nextSync(before);
    expect(changesOf(created.id).map((e) => e.type)).toEqual(['calendar.event.created']);
  });

  it('updates and deletes with one domain event each; a change by another client still comes through once', async () => {
    const created = (await (await post({ title: 'API review', start: at(1), end: at(1, 11) })).json()) as ApiEvent;
    const patched = await stack.api(`/v1/calendars/${calendarId}/events/${created.id}`, { method: 'PATCH', body: JSON.stringify({ title: 'API review (longer)', end: at(1, 12) }) });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect((await patched.json()) as ApiEvent).toMatchObject({ id: created.id, title: 'API review (longer)' });

    const before = syncsCompleted();
    sandboxSimulators.google!.patchEvent(SANDBOX_GOOGLE_USER, created.providerEventId, { location: 'Room 7' });
    await eventually(async () => changesOf(created.id).length === 3);
    await nextSync(before);
    expect(changesOf(created.id).map((e) => e.type)).toEqual(['calendar.event.created', 'calendar.event.updated', 'calendar.event.updated']);

    const removed = await stack.api(`/v1/calendars/${calendarId}/events/${created.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(changesOf(created.id).map((e) => e.type).at(-1)).toBe('calendar.event.deleted');
    expect((await stack.api(`/v1/calendars/${calendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 400 problems that name the field', async () => {
    const ok = { title: 'x', start: at(2), end: at(2, 11) };
    const cases: [unknown, Record<string, string>, string, string?][] = [
      [{ ...ok, end: at(2, 9) }, {}, 'body.end'],
      [{ ...ok, end: '2027-01-07' }, {}, 'body.end'],
      [{ ...ok, start: 'tomorrow' }, {}, 'body.start'],
      [{ ...ok, timeZone: 'Mars/Olympus' }, {}, 'body.timeZone'],
      [{ ...ok, allDay: true }, {}, 'body.start'],
      [{ ...ok, recurrence: ['RRULE:FREQ=FORTNIGHTLY'] }, {}, 'body.recurrence[0]'],
      [{ ...ok, recurrence: ['RRULE:FREQ=WEEKLY', 'EXDATE:next-monday'] }, {}, 'body.recurrence[1]'],
      [{ ...ok, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20270301T000000Z'] }, {}, 'body.recurrence[0]'],
      [{ ...ok, recurrence: ['EXDATE:20270111T100000Z'] }, {}, 'body.recurrence'],
      [{ ...ok, attendees: Array.from({ length: 301 }, (_, i) => ({ email: `p${i}@example.com` })) }, {}, 'body.attendees'],
      [{ ...ok, attendees: [{ email: 'not-an-address' }] }, {}, 'body.attendees[0].email'],
      [{ ...ok, colour: 'red' }, {}, 'body.colour'],
      [{ ...ok, conference: { provider: 'microsoft_teams' } }, {}, 'body.conference.provider'],
      // No Zoom connection in this tenant (test/e2e/event-zoom.test.ts covers Zoom on event writes).
      [{ ...ok, conference: { provider: 'zoom' } }, {}, 'body.conference.provider'],
      [ok, { 'idempotency-key': 'x'.repeat(256) }, 'headers.idempotency-key'],
    ];
    for (const [body, headers, field, code] of cases) {
      const response = await post(body, headers);
      const problem = (await response.json()) as Problem;
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(problem.errors?.map((e) => e.field), JSON.stringify(problem)).toContain(field);
      expect(problem.code).toBe(code ?? 'input.invalid');
    }
    const scope = await stack.api(`/v1/calendars/${calendarId}/events/${((await (await post(ok)).json()) as ApiEvent).id}?scope=following`, { method: 'DELETE' });
    expect(((await scope.json()) as Problem).errors?.[0]?.field).toBe('query.scope');
  });

  it('creates a Google Meet on a Google calendar', async () => {
    const response = await post({ title: 'API with Meet', start: at(3), end: at(3, 11), conference: { provider: 'google_meet' } });
    expect(response.status, await response.clone().text()).toBe(201);
    const created = (await response.json()) as ApiEvent;
    expect(created.conference?.provider).toBe('google_meet');
    const atGoogle = () => sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).find((e) => e.id === created.providerEventId);
    await eventually(async () => atGoogle()?.hangoutLink);
    // Read back through a sync (Google pushes): the Meet under the API's names, the link Google made.
    const listed = await eventually(async () => {
      const page = (await (await stack.api(`/v1/calendars/${calendarId}/events?start=${at(2)}&end=${at(4)}`)).json()) as { items: ApiEvent[] };
      const item = page.items.find((e) => e.id === created.id);
      return item?.conference?.joinUrl ? item : null;
    });
    expect(listed.conference).toMatchObject({ provider: 'google_meet', joinUrl: atGoogle()!.hangoutLink, meetingId: atGoogle()!.conferenceData!.conferenceId, status: 'ready' });
    // Dial-in: Google's phone entry points, number as shown and region.
    const phones = atGoogle()!.conferenceData!.entryPoints!.filter((e) => e.entryPointType === 'phone');
    expect(phones.length).toBeGreaterThan(0);
    expect(listed.conference!.dialIn).toEqual(phones.map((p) => ({ number: p.label, country: p.regionCode })));
    // `conference: null` takes the Meet off at Google itself, not only in our answer.
    const patched = await stack.api(`/v1/calendars/${calendarId}/events/${created.id}`, { method: 'PATCH', body: JSON.stringify({ conference: null }) });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(((await patched.json()) as ApiEvent).conference).toBeNull();
    expect(atGoogle()).toMatchObject({ summary: 'API with Meet' });
    expect(atGoogle()?.conferenceData).toBeUndefined();
    expect(atGoogle()?.hangoutLink).toBeUndefined();
  });

  it("hides another tenant's calendar (404) and refuses read-only calendars (403)", async () => {
    const other = await stack.tokenFor('someone-else');
    expect((await post({ title: 'x', start: at(4), end: at(4, 11) }, {}, other)).status).toBe(404);
    const calendar = (await calendarStore().get(stack.devTenantId, calendarId))!;
    await calendarStore().put({ ...calendar, readOnly: true }, null);
    try {
      const refused = await post({ title: 'x', start: at(4), end: at(4, 11) });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as Problem).code).toBe('calendar.read_only');
    } finally {
      await calendarStore().put({ ...calendar, readOnly: false }, null);
    }
  });
});
