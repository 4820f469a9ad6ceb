import { eventually } from './eventually.ts';
import type { TestStack } from './local-stack.ts';

async function ok<T>(response: Response): Promise<T> {
  if (response.status !== 200) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Connects a sandbox OAuth account (Google or Microsoft simulator) the way a person would: authorize, the
 * simulator's automatic consent, our callback. Resolves when the primary calendar has synced once.
 */
export async function connectSandboxAccount(stack: TestStack, provider: 'google' | 'microsoft'): Promise<{ connectionId: string; calendarId: string }> {
  const { authorizationUrl } = await ok<{ authorizationUrl: string }>(await stack.api(`/v1/connections/${provider}/authorize`, { method: 'POST', body: '{}' }));
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const connectionId = (await ok<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }))).connection.id;
  const calendarId = await eventually(async () => {
    const list = (await ok<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`))).items;
    const primary = list.find((c) => c.isPrimary);
    return primary?.lastSyncedAt ? primary.id : null;
  }, 60_000);
  return { connectionId, calendarId };
}
