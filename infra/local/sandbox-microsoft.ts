import { ensureSimulatorCa, startGraphSimulator, trustSimulatorCa, type GraphSimulator } from '../../test/simulators/microsoft/index.ts';

export const SANDBOX_MICROSOFT_USER = 'adele@contoso.test';
const CLIENT_ID = 'sandbox-microsoft-client';
const CLIENT_SECRET = 'sandbox-microsoft-secret';
const DAY_MS = 86_400_000;

/** The running simulator, for tests that drive the sandbox as the Outlook user. */
export const microsoftSandbox: { simulator?: GraphSimulator } = {};

const pad = (n: number) => String(n).padStart(2, '0');
/** A wall time `days` from today at `hour` (Graph `dateTimeTimeZone` text, read in the given zone). */
function wall(days: number, hour: number, minute = 0): string {
  const d = new Date(Date.now() + days * DAY_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(hour)}:${pad(minute)}:00`;
}

/** A Teams meeting in a Windows time zone, an all-day event, a free block, a weekly series with an edited and a cancelled occurrence. */
function seed(simulator: GraphSimulator): void {
  const calendarId = simulator.user(SANDBOX_MICROSOFT_USER).defaultCalendarId;
  const zone = 'W. Europe Standard Time';
  simulator.createEvent(calendarId, {
    subject: 'Quarterly review',
    body: { contentType: 'html', content: '<p>Numbers for <b>Q4</b>, then planning.</p>' },
    location: { displayName: 'Conference room Rhine' },
    start: { dateTime: wall(1, 10), timeZone: zone },
    end: { dateTime: wall(1, 11), timeZone: zone },
    isOnlineMeeting: true,
    onlineMeetingProvider: 'teamsForBusiness',
    attendees: [
      { emailAddress: { address: 'megan@contoso.test', name: 'Megan Bowen' }, type: 'required', status: { response: 'accepted' } },
      { emailAddress: { address: 'lee@contoso.test', name: 'Lee Gu' }, type: 'optional', status: { response: 'tentativelyAccepted' } },
    ],
  });
  simulator.createEvent(calendarId, { subject: 'Company holiday', isAllDay: true, start: { dateTime: wall(3, 0), timeZone: 'UTC' }, end: { dateTime: wall(4, 0), timeZone: 'UTC' } });
  simulator.createEvent(calendarId, { subject: 'Focus time', showAs: 'free', start: { dateTime: wall(2, 14), timeZone: zone }, end: { dateTime: wall(2, 16), timeZone: zone } });
  const firstDay = new Date(Date.now() + DAY_MS);
  const weekday = firstDay.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }).toLowerCase();
  const series = simulator.createEvent(calendarId, {
    subject: 'Weekly sync',
    start: { dateTime: wall(1, 9), timeZone: zone },
    end: { dateTime: wall(1, 9, 30), timeZone: zone },
    recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: [weekday] }, range: { type: 'numbered', startDate: wall(1, 0).slice(0, 10), numberOfOccurrences: 8 } },
  });
  const occurrences = simulator.occurrences(series.id, Date.now(), Date.now() + 60 * DAY_MS);
  if (occurrences[1]) simulator.updateEvent(occurrences[1].id, { subject: 'Weekly sync (moved)', start: { dateTime: wall(8, 15), timeZone: zone }, end: { dateTime: wall(8, 15, 30), timeZone: zone } });
  if (occurrences[2]) simulator.cancelOccurrence(occurrences[2].id);
}

/**
 * Runs the Microsoft Graph + identity simulator in-process (HTTPS with the local CA, trusted by this process
 * without a restart), seeds one Outlook user and points the MICROSOFT_* settings at it. Consent is automatic
 * for that user; notifications go to whatever notificationUrl our subscriptions name (PUBLIC_BASE_URL/hooks/
 * microsoft; the simulator allows plain http to localhost). The previous settings come back on stop.
 */
export async function startMicrosoftSandbox(): Promise<{ description: string; stop(): Promise<void> }> {
  const ca = ensureSimulatorCa('.data/simulator-ca');
  trustSimulatorCa(ca.caCert);
  const simulator = await startGraphSimulator({ tls: ca, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  simulator.addUser({ mail: SANDBOX_MICROSOFT_USER, displayName: 'Adele Vance', timeZone: 'W. Europe Standard Time' });
  simulator.setConsentUser(SANDBOX_MICROSOFT_USER);
  seed(simulator);
  const settings = {
    MICROSOFT_LOGIN_URL: simulator.endpoints.loginUrl,
    MICROSOFT_GRAPH_URL: simulator.endpoints.graphUrl,
    MICROSOFT_TENANT: 'common',
    MICROSOFT_CLIENT_ID: CLIENT_ID,
    MICROSOFT_CLIENT_SECRET: CLIENT_SECRET,
  };
  const previous = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  microsoftSandbox.simulator = simulator;
  return {
    description: `Graph simulator at ${simulator.origin} (user ${SANDBOX_MICROSOFT_USER})`,
    async stop() {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      delete microsoftSandbox.simulator;
      await simulator.stop();
    },
  };
}
