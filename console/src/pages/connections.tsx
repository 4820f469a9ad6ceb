import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { Loaded, StatusBadge, useAction, useLoad } from '../ui.tsx';
import { ZoomSection } from './zoom-connections.tsx';

export async function loadConnections() {
  return (await unwrap(api.GET('/v1/connections', { params: { query: { limit: '100' } } }))).items;
}
export type Connection = Awaited<ReturnType<typeof loadConnections>>[number];

export async function loadAllCalendars() {
  const connections = await loadConnections();
  const lists = await Promise.all(connections.map((c) => unwrap(api.GET('/v1/connections/{id}/calendars', { params: { path: { id: c.id } } }))));
  return lists.flatMap((list, i) => list.items.map((calendar) => ({ ...calendar, accountEmail: connections[i]!.accountEmail })));
}

function Calendars({ connectionId }: { connectionId: string }) {
  const [calendars, reload] = useLoad(async () => (await unwrap(api.GET('/v1/connections/{id}/calendars', { params: { path: { id: connectionId } } }))).items, [connectionId]);
  const [run, status, busy] = useAction();
  const [wanted, setWanted] = useState<Record<string, boolean>>({});
  // A fresh list from the API replaces what the toggles showed meanwhile.
  useEffect(() => setWanted({}), [calendars]);
  return (
    <Loaded load={calendars} label="calendars">
      {(items) => (
        <>
          <table>
            <caption class="visually-hidden">Calendars of this connection</caption>
            <thead>
              <tr>
                <th scope="col">Calendar</th>
                <th scope="col">Zone</th>
                <th scope="col">Last synced</th>
                <th scope="col">Sync</th>
                <th scope="col">Events</th>
              </tr>
            </thead>
            <tbody>
              {items.map((calendar) => (
                <tr key={calendar.id}>
                  <td>
                    {calendar.name}
                    {calendar.isPrimary ? ' (primary)' : ''}
                  </td>
                  <td>{calendar.timeZone ?? '—'}</td>
                  <td>{formatDateTime(calendar.lastSyncedAt)}</td>
                  <td>
                    <label>
                      <input
                        type="checkbox"
                        checked={wanted[calendar.id] ?? calendar.syncEnabled}
                        disabled={busy}
                        onChange={(e) => {
                          const syncEnabled = (e.target as HTMLInputElement).checked;
                          // Show the new state at once; the reload after the PATCH shows what the API kept.
                          setWanted((w) => ({ ...w, [calendar.id]: syncEnabled }));
                          void run(`Sync ${syncEnabled ? 'on' : 'off'} for ${calendar.name}`, async () => {
                            try {
                              await unwrap(api.PATCH('/v1/calendars/{id}', { params: { path: { id: calendar.id } }, body: { syncEnabled } }));
                            } catch (error) {
                              setWanted(({ [calendar.id]: _failed, ...rest }) => rest);
                              throw error;
                            }
                            reload();
                          });
                        }}
                      />{' '}
                      sync {calendar.name}
                    </label>
                  </td>
                  <td>
                    <a href={`#/events?calendar=${encodeURIComponent(calendar.id)}`}>Week view</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {status}
        </>
      )}
    </Loaded>
  );
}

function CaldavForm({ onConnected }: { onConnected: () => void }) {
  const [run, status, busy] = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const serverUrl = String(form.get('serverUrl') ?? '');
    void run('Connect CalDAV', async () => {
      await unwrap(
        api.POST('/v1/connections/caldav', {
          body: { username: String(form.get('username')), password: String(form.get('password')), ...(serverUrl ? { serverUrl } : { preset: 'icloud' as const }) },
        }),
      );
      onConnected();
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="caldav-heading">
      <h3 id="caldav-heading">Connect a CalDAV or iCloud account</h3>
      <label>
        Server URL (empty for iCloud)
        <input name="serverUrl" type="url" placeholder="https://caldav.example.com/" />
      </label>
      <label>
        User name
        <input name="username" required autocomplete="username" />
      </label>
      <label>
        Password (app-specific for iCloud)
        <input name="password" type="password" required autocomplete="current-password" />
      </label>
      <button type="submit" disabled={busy}>
        Connect CalDAV
      </button>
      {status}
    </form>
  );
}

export function ConnectionsPage() {
  const [connections, reload] = useLoad(loadConnections, []);
  const [run, status, busy] = useAction();
  const [open, setOpen] = useState<string | null>(null);
  const connect = (provider: 'google' | 'microsoft') =>
    run(`Connect ${provider}`, async () => {
      // The provider sends the browser back here (an allowed return origin) with ?connectionId=…&status=….
      const returnUrl = `${location.origin}${location.pathname}#/connections`;
      const { authorizationUrl } = await unwrap(api.POST('/v1/connections/{provider}/authorize', { params: { path: { provider } }, body: { returnUrl } }));
      location.assign(authorizationUrl);
    });
  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Connections
      </h2>
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => connect('google')}>
          Connect Google
        </button>
        <button type="button" disabled={busy} onClick={() => connect('microsoft')}>
          Connect Microsoft 365
        </button>
      </div>
      {status}
      <Loaded load={connections} label="connections">
        {(items) =>
          items.length === 0 ? (
            <p>No connections yet.</p>
          ) : (
            <ul class="cards">
              {items.map((c) => (
                <li key={c.id} class="card" data-connection={c.id}>
                  <h3>
                    {c.provider}: {c.accountEmail ?? c.accountId} <StatusBadge status={c.status} />
                  </h3>
                  <dl>
                    <dt>Last synced</dt>
                    <dd>{formatDateTime(c.lastSyncedAt)}</dd>
                    <dt>Consecutive errors</dt>
                    <dd>{c.consecutiveErrors}</dd>
                    {c.lastError ? (
                      <>
                        <dt>Last error</dt>
                        <dd class="error">
                          {c.lastError.code}: {c.lastError.message} ({formatDateTime(c.lastError.at)})
                        </dd>
                      </>
                    ) : null}
                  </dl>
                  <div class="actions">
                    <button type="button" disabled={busy} onClick={() => run(`Sync ${c.accountEmail ?? c.id}`, async () => unwrap(api.POST('/v1/connections/{id}/sync', { params: { path: { id: c.id } } })))}>
                      Sync now
                    </button>
                    <button type="button" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>
                      {open === c.id ? 'Hide calendars' : 'Calendars'}
                    </button>
                    <button
                      type="button"
                      class="danger"
                      disabled={busy}
                      onClick={() => {
                        if (!confirm(`Disconnect ${c.accountEmail ?? c.id}? Its calendars and events are removed.`)) return;
                        void run('Disconnect', async () => {
                          await unwrap(api.DELETE('/v1/connections/{id}', { params: { path: { id: c.id } } }));
                          reload();
                        });
                      }}
                    >
                      Disconnect
                    </button>
                  </div>
                  {open === c.id ? <Calendars connectionId={c.id} /> : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <CaldavForm onConnected={reload} />
      <ZoomSection />
    </section>
  );
}
