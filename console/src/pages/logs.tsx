import { useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { formatDateTime, fromLocalInput } from '../format.ts';
import { navigate, type Route } from '../router.ts';
import { ErrorBox, Loaded, NotAvailable, useLoad } from '../ui.tsx';
import { loadConnections } from './connections.tsx';

const FILTERS = ['connectionId', 'bookingId', 'type', 'success', 'since'] as const;
type Entry = Record<string, unknown>;

/** The columns a log entry is likely to have first, then whatever else it carries. */
const PREFERRED = ['at', 'time', 'timestamp', 'createdAt', 'type', 'success', 'connectionId', 'bookingId', 'code', 'message'];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return formatDateTime(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function LogsPage({ route }: { route: Route }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, route.query.get(name) ?? '']));
  const key = FILTERS.map((name) => filters[name]).join('|');
  const [connections] = useLoad(loadConnections, []);
  const [more, setMore] = useState<{ items: Entry[]; cursor: string | null }>({ items: [], cursor: null });
  const [moreError, setMoreError] = useState<Error | null>(null);

  const fetchPage = async (cursor?: string) => {
    const query = Object.fromEntries(Object.entries({ ...filters, ...(cursor ? { cursor } : {}) }).filter(([, v]) => v !== ''));
    const { data, error, response } = await api.GET('/v1/logs', { params: { query } });
    if (response.status === 404) return null;
    if (!response.ok) throw Object.assign(new Error((error as { detail?: string } | undefined)?.detail ?? `HTTP ${response.status}`), { status: response.status });
    return { items: data?.items ?? [], cursor: data?.nextCursor ?? null };
  };
  const [page] = useLoad(async () => {
    setMore({ items: [], cursor: null });
    if (!(await hasRoute('/v1/logs'))) return null;
    return fetchPage();
  }, [key]);

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const name of FILTERS) next[name] = String(form.get(name) ?? '');
    if (next.since) next.since = fromLocalInput(next.since);
    navigate('logs', next);
  };

  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Integration log
      </h2>
      <form onSubmit={submit} class="filters" aria-label="Log filters">
        <label>
          Connection
          <select name="connectionId" defaultValue={filters.connectionId}>
            <option value="">any</option>
            {connections.state === 'ok'
              ? connections.data.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.provider}: {c.accountEmail ?? c.id}
                  </option>
                ))
              : null}
          </select>
        </label>
        <label>
          Booking id
          <input name="bookingId" defaultValue={filters.bookingId} />
        </label>
        <label>
          Type
          <input name="type" defaultValue={filters.type} placeholder="sync.run, error, webhook.failed…" />
        </label>
        <label>
          Outcome
          <select name="success" defaultValue={filters.success}>
            <option value="">any</option>
            <option value="true">success</option>
            <option value="false">error</option>
          </select>
        </label>
        <label>
          Since
          <input type="datetime-local" name="since" defaultValue={filters.since ? filters.since.slice(0, 16) : ''} />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      <Loaded load={page} label="log">
        {(first) => {
          if (first === null) return <NotAvailable route="GET /v1/logs" />;
          const items = [...first.items, ...more.items];
          const cursor = more.cursor ?? (more.items.length ? null : first.cursor);
          const columns = [...PREFERRED.filter((c) => items.some((i) => c in i)), ...new Set(items.flatMap((i) => Object.keys(i)).filter((c) => !PREFERRED.includes(c)))].slice(0, 10);
          return (
            <>
              <p role="status">{items.length} entries</p>
              {items.length ? (
                <table data-testid="log-table">
                  <thead>
                    <tr>
                      {columns.map((c) => (
                        <th scope="col" key={c}>
                          {c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((entry, i) => (
                      <tr key={String(entry.id ?? i)} class={entry.success === false ? 'row-error' : ''}>
                        {columns.map((c) => (
                          <td key={c}>{cell(entry[c])}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {moreError ? <ErrorBox error={moreError} /> : null}
              {cursor ? (
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      const next = await fetchPage(cursor);
                      if (next) setMore({ items: [...more.items, ...next.items], cursor: next.cursor });
                    } catch (error) {
                      setMoreError(error as Error);
                    }
                  }}
                >
                  Load more
                </button>
              ) : null}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

