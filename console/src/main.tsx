import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session } from './api.ts';
import { currentRoute, type Route } from './router.ts';
import { BookingsPage, BookingTypesPage } from './pages/booking-types.tsx';
import { ConnectionsPage } from './pages/connections.tsx';
import { EventsPage } from './pages/events.tsx';
import { FreeBusyPage } from './pages/free-busy.tsx';
import { LogsPage } from './pages/logs.tsx';
import { NotificationsPage } from './pages/notifications.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';

const PAGES: { id: string; label: string; view: (route: Route) => JSX.Element }[] = [
  { id: 'overview', label: 'Overview', view: () => <OverviewPage /> },
  { id: 'connections', label: 'Connections', view: () => <ConnectionsPage /> },
  { id: 'events', label: 'Events', view: (route) => <EventsPage route={route} /> },
  { id: 'free-busy', label: 'Free/busy', view: () => <FreeBusyPage /> },
  { id: 'booking-types', label: 'Booking types', view: (route) => <BookingTypesPage route={route} /> },
  { id: 'bookings', label: 'Bookings', view: () => <BookingsPage /> },
  { id: 'webhooks', label: 'Webhooks', view: () => <WebhooksPage /> },
  { id: 'notifications', label: 'Notifications', view: () => <NotificationsPage /> },
  { id: 'logs', label: 'Log', view: (route) => <LogsPage route={route} /> },
];

function tenantOf(token: string): string {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    return String(payload.tenant_id ?? payload.sub ?? 'unknown tenant');
  } catch {
    return 'unknown tenant';
  }
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState('');
  const [tenant, setTenant] = useState('dev-tenant');
  const submit = (event: Event) => {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (token.split('.').length !== 3) return setError('That is not a JWT (three dot-separated parts).');
    session.signIn(token);
    onSignedIn();
  };
  // Only the local stack has a development issuer (POST /local/tokens): it is not part of the API, so this
  // is the one request that does not go through the generated client.
  const devToken = async () => {
    setError('');
    const response = await fetch('/local/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId: tenant }) }).catch(() => null);
    if (!response?.ok) return setError('No development issuer here: it exists only in the local stack (npm start). Paste a token instead.');
    session.signIn(((await response.json()) as { token: string }).token);
    onSignedIn();
  };
  return (
    <main id="main" class="sign-in">
      <h1>Operator console</h1>
      <form onSubmit={submit}>
        <label>
          Bearer token (JWT) for your tenant
          <textarea name="token" rows={4} required spellcheck={false} autocomplete="off" />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void devToken();
        }}
      >
        <label>
          Tenant
          <input value={tenant} onInput={(e) => setTenant((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Use a development token (local stack)</button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </main>
  );
}

function App() {
  const [token, setToken] = useState(session.token());
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  useEffect(() => document.getElementById('page-title')?.focus(), [route.page, token]);
  if (!token) return <SignIn onSignedIn={() => setToken(session.token())} />;
  const page = PAGES.find((p) => p.id === route.page) ?? PAGES[0]!;
  const returned = new URLSearchParams(location.search);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('page-title')?.focus())}>
        Skip to content
      </a>
      <header>
        <h1>calendar-integrations · console</h1>
        <p>
          Signed in as <strong data-testid="tenant">{tenantOf(token)}</strong>{' '}
          <button
            type="button"
            onClick={() => {
              session.signOut();
              setToken(null);
            }}
          >
            Sign out
          </button>
        </p>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main">
        {returned.get('status') || returned.get('error') ? (
          <p class={returned.get('error') ? 'error' : 'notice'} role="status">
            {returned.get('error') ? `Connecting failed: ${returned.get('error')}` : `Account connected (${returned.get('connectionId') ?? ''}).`}
          </p>
        ) : null}
        {page.view(route)}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
