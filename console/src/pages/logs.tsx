import { useState } from 'preact/hooks';
import type { operations } from '../../../client/schema.d.ts';
import { api, hasRoute } from '../api.ts';
import { formatDateTime, fromLocalInput } from '../format.ts';
import { navigate, type Route } from '../router.ts';
import { ErrorBox, Loaded, NotAvailable, useLoad } from '../ui.tsx';
import { loadConnections } from './connections.tsx';

type LogsOperation = operations['listIntegrationLogs'];
type Entry = LogsOperation['responses'][200]['content']['application/json']['items'][number];
type EntryType = Entry['type'];

const FILTERS = ['connectionId', 'bookingId', 'type', 'success', 'since'] as const;
/** The entry types of GET /v1/logs (the contract's enum), for the type filter. */
const TYPES: readonly EntryType[] = ['sync.run', 'token.refresh', 'push.received', 'push.renewed', 'video.link_created', 'webhook.sent', 'webhook.failed', 'notification.sent', 'notification.failed', 'booking.written', 'error'];

type Query = NonNullable<LogsOperation['parameters']['query']>;

function queryOf(filters: Record<string, string>, cursor?: string): Query {
  const query: Query = {};
  if (filters.connectionId) query.connectionId = filters.connectionId;
  if (filters.bookingId) query.bookingId = filters.bookingId;
  if (filters.type) query.type = filters.type as EntryType;
  if (filters.success === 'true' || filters.success === 'false') query.success = filters.success;
  if (filters.since) query.since = filters.since;
  if (cursor) query.cursor = cursor;
  return query;
}

function EntryRow({ entry }: { entry: Entry }) {
  return (
    <tr class={entry.success ? '' : 'row-error'} data-entry={entry.id} data-type={entry.type}>
      <td>{formatDateTime(entry.at)}</td>
      <td>{entry.type}</td>
      <td>{entry.success ? 'ok' : 'error'}</td>
      <td>{entry.summary}</td>
      <td>{entry.connectionId ?? '—'}</td>
      <td>{entry.bookingId ?? '—'}</td>
      <td>{entry.error ? `${entry.error.code}${entry.error.retryable ? ' (retryable)' : ''}: ${entry.error.message}` : '—'}</td>
      <td>{entry.correlationId ?? '—'}</td>
    </tr>
  );
}

export function LogsPage({ route }: { route: Route }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, route.query.get(name) ?? '']));
  const key = FILTERS.map((name) => filters[name]).join('|');
  const [connections] = useLoad(loadConnections, []);
  const [more, setMore] = useState<{ items: Entry[]; cursor: string | null }>({ items: [], cursor: null });
  const [moreError, setMoreError] = useState<Error | null>(null);

  const fetchPage = async (cursor?: string) => {
    const { data, error, response } = await api.GET('/v1/logs', { params: { query: queryOf(filters, cursor) } });
    if (response.status === 404) return null;
    if (!response.ok || !data) throw Object.assign(new Error((error as { detail?: string } | undefined)?.detail ?? `HTTP ${response.status}`), { status: response.status });
    return { items: data.items, cursor: data.nextCursor };
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
    for (const name of ['connectionId', 'bookingId', 'type', 'since'] as const) next[name] = String(form.get(name) ?? '');
    next.success = form.get('errorsOnly') ? 'false' : '';
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
          <select name="type" defaultValue={filters.type}>
            <option value="">any</option>
            {TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" name="errorsOnly" defaultChecked={filters.success === 'false'} /> Errors only
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
          const cursor = more.items.length ? more.cursor : first.cursor;
          return (
            <>
              <p role="status">{items.length} entries</p>
              {items.length ? (
                <table data-testid="log-table">
                  <thead>
                    <tr>
                      {['Time', 'Type', 'Outcome', 'What happened', 'Connection', 'Booking', 'Error', 'Correlation'].map((c) => (
                        <th scope="col" key={c}>
                          {c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((entry) => (
                      <EntryRow key={entry.id} entry={entry} />
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
