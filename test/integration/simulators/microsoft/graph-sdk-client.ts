/**
 * Run as a child process by graph-sdk.test.ts with NODE_EXTRA_CA_CERTS set: uses the real Graph SDK with our
 * own AuthenticationProvider against the simulator and prints what it saw as JSON.
 */
import { Client, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';

const graphUrl = process.env.SIM_GRAPH_URL!;
const token = process.env.SIM_TOKEN!;
const calendarId = process.env.SIM_CALENDAR_ID!;

const authProvider: AuthenticationProvider = { getAccessToken: async () => token };
const client = Client.initWithMiddleware({ authProvider, baseUrl: graphUrl, defaultVersion: 'v1.0', customHosts: new Set([new URL(graphUrl).hostname]) });

const calendars = await client.api('/me/calendars').get();
const pages: number[] = [];
const subjects: string[] = [];
let response = await client.api(`/me/calendars/${calendarId}/calendarView/delta`)
  .query({ startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2025-02-01T00:00:00Z' })
  .header('Prefer', 'odata.maxpagesize=2')
  .get();
for (let i = 0; i < 50; i++) {
  pages.push(response.value.length);
  subjects.push(...response.value.map((event: { subject: string }) => event.subject));
  const next = response['@odata.nextLink'];
  if (!next) break;
  // The absolute link is used verbatim; the SDK attaches the token because the host is a custom host.
  response = await client.api(next).header('Prefer', 'odata.maxpagesize=2').get();
}
const deltaLink: string = response['@odata.deltaLink'];
const incremental = await client.api(deltaLink).get();

console.log(JSON.stringify({ calendars: calendars.value.map((c: { name: string }) => c.name), pages, subjects, deltaLink, incremental: incremental.value.length }));
