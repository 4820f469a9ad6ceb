import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { TestClock, testConnection, type TestStores } from '../../support/stores.ts';
import { CLIENT_ID, createTestStores, graphProviderFor, startSimulator } from './support.ts';
import { stableId } from '../../../shared/domain/ids.ts';

/**
 * Issue 10 item 5: Graph calendars have no zone of their own, and the mailbox zone (`/me/mailboxSettings`)
 * needs MailboxSettings.Read, which we do not ask for. Without it the zone comes from the calendar's own
 * events (`originalStartTimeZone`, the zone Outlook wrote them in), not from nothing.
 */
describe('Microsoft calendar zone without MailboxSettings.Read', () => {
  let sim: GraphSimulator;
  let stores: TestStores;
  const clock = new TestClock(Date.now());

  beforeAll(async () => {
    sim = await startSimulator({});
    stores = await createTestStores(clock);
  });
  afterAll(() => sim?.stop());

  async function connect(mail: string, timeZone: string, scope?: string) {
    const user = sim.addUser({ mail, timeZone });
    const tokens = sim.issueTokens(user.id, { clientId: CLIENT_ID, ...(scope ? { scope } : {}) });
    const connection = testConnection('zone-tenant', { provider: 'microsoft', accountId: user.id, accountEmail: mail, id: stableId('con', 'zone-tenant', 'microsoft', user.id) });
    await stores.connections.save(connection, { kind: 'oauth', accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null, expiresAt: clock.now().getTime() + 3_000_000, scope: tokens.scope });
    return { user, provider: await graphProviderFor(sim, stores, clock, connection) };
  }

  const event = (subject: string, day: number, timeZone: string) => ({
    subject,
    start: { dateTime: `2027-03-${String(day).padStart(2, '0')}T09:00:00`, timeZone },
    end: { dateTime: `2027-03-${String(day).padStart(2, '0')}T10:00:00`, timeZone },
  });

  it('the simulator refuses mailboxSettings without the scope, as Graph does (the premise)', async () => {
    const { provider } = await connect('denied@contoso.test', 'Tokyo Standard Time');
    const before = sim.requestLog().length;
    await provider.listCalendars();
    const asked = sim.requestLog().slice(before).filter((entry) => entry.path.endsWith('/me/mailboxSettings'));
    expect(asked.map((entry) => entry.status)).toEqual([403]);
  });

  it('takes the zone most of the default calendar’s events were written in, for every calendar of the mailbox', async () => {
    // The mailbox zone (Tokyo) is unreadable; the events say Pacific time (two of three).
    const { user, provider } = await connect('pat@contoso.test', 'Tokyo Standard Time');
    sim.addCalendar(user.id, { name: 'Side projects' });
    sim.createEvent(user.defaultCalendarId, event('Planning', 1, 'Pacific Standard Time'));
    sim.createEvent(user.defaultCalendarId, event('Vendor call', 2, 'Eastern Standard Time'));
    sim.createEvent(user.defaultCalendarId, event('Retro', 3, 'Pacific Standard Time'));
    const calendars = await provider.listCalendars();
    expect(calendars).toHaveLength(2);
    expect(calendars.map((calendar) => calendar.timeZone)).toEqual(['America/Los_Angeles', 'America/Los_Angeles']);
  });

  it('looks at another calendar when the default one is empty', async () => {
    const { user, provider } = await connect('quinn@contoso.test', 'UTC');
    const side = sim.addCalendar(user.id, { name: 'Team' });
    sim.createEvent(side.id, event('Standup', 4, 'W. Europe Standard Time'));
    expect((await provider.listCalendars()).map((calendar) => calendar.timeZone)).toEqual(['Europe/Berlin', 'Europe/Berlin']);
  });

  it('stays null (free/busy then reads all-day events as UTC dates) when nothing says a zone', async () => {
    const { provider } = await connect('empty@contoso.test', 'Tokyo Standard Time');
    expect((await provider.listCalendars()).map((calendar) => calendar.timeZone)).toEqual([null]);
  });

  it('with MailboxSettings.Read granted the mailbox zone wins over the events', async () => {
    const { user, provider } = await connect('rin@contoso.test', 'Tokyo Standard Time', 'offline_access Calendars.ReadWrite User.Read MailboxSettings.Read');
    sim.createEvent(user.defaultCalendarId, event('Planning', 1, 'Pacific Standard Time'));
    expect((await provider.listCalendars()).map((calendar) => calendar.timeZone)).toEqual(['Asia/Tokyo']);
  });
});
