import { expect, it } from 'vitest';
import { videoConferenceOf } from '../../shared/domain/video-conference.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { TeamsVideoProvider } from '../../shared/providers/video/index.ts';
import { connectMailbox, createTestStores, graphProviderFor, startSimulator } from '../integration/microsoft/support.ts';
import { describeVideoContract } from './video-contract.ts';

describeVideoContract('Microsoft Teams (Graph simulator)', async () => {
  const sim = await startSimulator();
  const stores = await createTestStores(systemClock);
  const mailbox = await connectMailbox(sim, stores, systemClock, 'teams-contract');
  const calendar = await graphProviderFor(sim, stores, systemClock, mailbox.connection);
  const calendarRef = { providerCalendarId: mailbox.simCalendarId, timeZone: 'UTC' };
  const provider = new TeamsVideoProvider({ calendar, calendarRef });
  const all = () => sim.truth(mailbox.simCalendarId, '2026-12-01T00:00:00Z', '2027-03-01T00:00:00Z');
  return {
    provider,
    truth: async (ref) => {
      const event = sim.getEvent(ref, { timeZone: 'UTC' });
      if (!event) return null;
      const utc = (t: { dateTime: string }) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(t.dateTime) ? t.dateTime : `${t.dateTime}Z`);
      const shown = event as unknown as { subject?: string | null; start: { dateTime: string }; end: { dateTime: string }; onlineMeeting?: { joinUrl?: string | null } | null };
      return { title: shown.subject ?? '', startMs: utc(shown.start), endMs: utc(shown.end), joinUrl: shown.onlineMeeting?.joinUrl ?? null };
    },
    countAtProvider: async (title) => all().filter((e) => e.subject === title).length,
    loseNextCreateAnswer: () => sim.failNext({ method: 'POST', pathPattern: /\/events$/, status: 504, phase: 'after' }),
    lostAnswers: () => sim.requestLog().filter((entry) => entry.method === 'POST' && entry.status === 504).length,
    synced: async (ref) => {
      const changes = await calendar.readAsSynced(calendarRef, ref, { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') });
      const upsert = changes.find((c) => c.type === 'upsert');
      return upsert?.type === 'upsert' ? videoConferenceOf(upsert.event.conference) : null;
    },
    dispose: () => sim.stop(),
  };
});

it('Teams: a mailbox that cannot host Teams fails clearly with video.teams_not_allowed, and writes no event', async () => {
  const sim = await startSimulator();
  try {
    const stores = await createTestStores(systemClock);
    const mailbox = await connectMailbox(sim, stores, systemClock, 'teams-none', { onlineMeetingProviders: [] });
    const calendar = await graphProviderFor(sim, stores, systemClock, mailbox.connection);
    const provider = new TeamsVideoProvider({ calendar, calendarRef: { providerCalendarId: mailbox.simCalendarId, timeZone: 'UTC' } });
    const failure = await provider
      .createMeeting({ key: 'k1', title: 'No Teams here', start: '2027-01-11T09:00:00Z', end: '2027-01-11T09:30:00Z', timeZone: 'UTC' })
      .then(() => null, (error: unknown) => error);
    expect(failure).toMatchObject({ code: 'video.teams_not_allowed', retryable: false });
    expect(sim.truth(mailbox.simCalendarId, '2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z')).toHaveLength(0);
  } finally {
    await sim.stop();
  }
});
