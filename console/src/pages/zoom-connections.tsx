import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, unwrap } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { Loaded, StatusBadge, useAction, useLoad } from '../ui.tsx';

export async function loadZoomConnections() {
  return (await unwrap(api.GET('/v1/connections/zoom', { params: { query: { limit: '100' } } }))).items;
}
type ZoomConnection = Awaited<ReturnType<typeof loadZoomConnections>>[number];

const FIELDS = [
  { name: 'accountId', label: 'Account ID', type: 'text', autocomplete: 'off' },
  { name: 'clientId', label: 'Client ID', type: 'text', autocomplete: 'off' },
  { name: 'clientSecret', label: 'Client secret', type: 'password', autocomplete: 'new-password' },
] as const;
type FieldName = (typeof FIELDS)[number]['name'];

/** The next midnight UTC after the quota's day: when Zoom's per-user counters start again. */
function quotaResetsAt(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
}

function Quota({ connection }: { connection: ZoomConnection }) {
  const { quota } = connection;
  return (
    <table data-testid="zoom-quota">
      <caption>
        Meeting creates and updates today (UTC day {quota.day}; counts start again {formatDateTime(quotaResetsAt(quota.day))}), {quota.limitPerUserPerDay} per Zoom user
      </caption>
      <thead>
        <tr>
          <th scope="col">Zoom user</th>
          <th scope="col">Used</th>
          <th scope="col">Remaining</th>
        </tr>
      </thead>
      <tbody>
        {quota.users.map((user) => (
          <tr key={user.userId} data-zoom-user={user.userId} class={user.remaining === 0 ? 'row-error' : undefined}>
            <td>
              {user.userId}
              {user.userId === connection.userId ? ` (default host${connection.userEmail ? `, ${connection.userEmail}` : ''})` : ''}
            </td>
            <td>{user.used}</td>
            <td>{user.remaining}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Connect a Zoom Server-to-Server OAuth app; Zoom's refusal of the credentials shows at the fields it names. */
function ZoomAppForm({ onConnected }: { onConnected: () => void }) {
  const [run, status, busy] = useAction();
  const [errors, setErrors] = useState<Partial<Record<FieldName | 'userId', string>>>({});
  const formRef = useRef<HTMLFormElement>(null);
  // Once the fields Zoom refused are marked, the first of them gets the focus (keyboard and screen readers land there).
  useEffect(() => formRef.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus(), [errors]);
  const submit = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const value = (name: string) => String(form.get(name) ?? '').trim();
    const userId = value('userId');
    setErrors({});
    void run('Connect Zoom app', async () => {
      try {
        await unwrap(api.POST('/v1/connections/zoom', { body: { accountId: value('accountId'), clientId: value('clientId'), clientSecret: value('clientSecret'), ...(userId ? { userId } : {}) } }));
      } catch (error) {
        if (error instanceof ApiError && error.problem.errors) {
          // `body.clientSecret` → clientSecret: the problem names the fields (RFC 9457 extension `errors`).
          setErrors(Object.fromEntries(error.problem.errors.map((e) => [e.field.replace(/^body\./, ''), e.message])));
        }
        throw error;
      }
      formElement.reset();
      onConnected();
    });
  };
  const common = (name: FieldName | 'userId', required: boolean, autocomplete: string) => ({
    id: `zoom-${name}`,
    name,
    required,
    autocomplete,
    spellcheck: false,
    'aria-invalid': errors[name] ? ('true' as const) : undefined,
    'aria-describedby': errors[name] ? `zoom-${name}-error` : undefined,
  });
  // The error sits outside the label: the field's name stays its label, the error is its description.
  const field = (name: FieldName | 'userId', label: string, type: 'text' | 'password', autocomplete: string, required: boolean) => (
    <div key={name} class="field">
      <label>
        {label}
        {type === 'password' ? <input type="password" {...common(name, required, autocomplete)} /> : <input type="text" {...common(name, required, autocomplete)} />}
      </label>
      {errors[name] ? (
        <span id={`zoom-${name}-error`} class="error field-error">
          {errors[name]}
        </span>
      ) : null}
    </div>
  );
  return (
    <form ref={formRef} onSubmit={submit} aria-labelledby="zoom-app-heading">
      <h4 id="zoom-app-heading">Connect a Zoom Server-to-Server OAuth app</h4>
      {FIELDS.map((f) => field(f.name, f.label, f.type, f.autocomplete, true))}
      {field('userId', 'Default host (Zoom user id or email; empty: the account owner)', 'text', 'off', false)}
      <button type="submit" disabled={busy}>
        Connect Zoom app
      </button>
      {status}
    </form>
  );
}

/** The connections page's video section (issue 15): Zoom connections with status and per-user quota. */
export function ZoomSection() {
  const [connections, reload] = useLoad(loadZoomConnections, []);
  const [run, status, busy] = useAction();
  const connectUser = () =>
    run('Connect with Zoom', async () => {
      // Zoom sends the browser back here (an allowed return origin) with ?connectionId=…&status=…&provider=zoom.
      const returnUrl = `${location.origin}${location.pathname}#/connections`;
      const { authorizationUrl } = await unwrap(api.POST('/v1/connections/zoom/authorize', { body: { returnUrl } }));
      location.assign(authorizationUrl);
    });
  return (
    <section aria-labelledby="zoom-heading">
      <h3 id="zoom-heading">Video: Zoom</h3>
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void connectUser()}>
          Connect with Zoom
        </button>
        <button type="button" disabled={busy} onClick={reload}>
          Refresh Zoom connections
        </button>
      </div>
      {status}
      <Loaded load={connections} label="Zoom connections">
        {(items) =>
          items.length === 0 ? (
            <p>No Zoom connections yet.</p>
          ) : (
            <ul class="cards" aria-label="Zoom connections">
              {items.map((c) => (
                <li key={c.id} class="card" data-zoom-connection={c.id}>
                  <h4>
                    zoom ({c.kind === 's2s' ? 'Server-to-Server app' : 'user'}): {c.userEmail ?? c.userId} <StatusBadge status={c.status} />
                  </h4>
                  <dl>
                    <dt>Account</dt>
                    <dd>{c.accountId}</dd>
                    <dt>Connected</dt>
                    <dd>{formatDateTime(c.createdAt)}</dd>
                    <dt>Connection id</dt>
                    <dd>
                      <code>{c.id}</code>
                    </dd>
                  </dl>
                  <Quota connection={c} />
                  <div class="actions">
                    <button
                      type="button"
                      class="danger"
                      disabled={busy}
                      aria-label={`Disconnect Zoom ${c.kind === 's2s' ? 'app' : 'user'} ${c.userEmail ?? c.id}`}
                      onClick={() => {
                        if (!confirm(`Disconnect Zoom ${c.userEmail ?? c.id}? Its credentials are removed; booking types that name it can no longer be booked until changed.`)) return;
                        void run('Disconnect Zoom', async () => {
                          await unwrap(api.DELETE('/v1/connections/zoom/{id}', { params: { path: { id: c.id } } }));
                          reload();
                        });
                      }}
                    >
                      Disconnect
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <ZoomAppForm onConnected={reload} />
    </section>
  );
}
