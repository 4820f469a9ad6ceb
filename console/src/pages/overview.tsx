import { api, hasRoute, unwrap } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { Loaded, NotAvailable, StatusBadge, useLoad } from '../ui.tsx';
import { loadConnections } from './connections.tsx';

function HealthValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <>none</>;
    const columns = [...new Set(value.flatMap((row) => (row && typeof row === 'object' ? Object.keys(row) : [])))].slice(0, 9);
    return (
      <table>
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
          {value.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const cell = (row as Record<string, unknown>)[c];
                return <td key={c}>{c === 'status' && typeof cell === 'string' ? <StatusBadge status={cell} /> : typeof cell === 'object' && cell !== null ? JSON.stringify(cell) : typeof cell === 'string' && /^\d{4}-\d\d-\d\dT/.test(cell) ? formatDateTime(cell) : String(cell ?? '—')}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (typeof value === 'object') return <pre>{JSON.stringify(value, null, 2)}</pre>;
  return <>{String(value)}</>;
}

export function OverviewPage() {
  const [system] = useLoad(() => unwrap(api.GET('/health')), []);
  const [connections] = useLoad(loadConnections, []);
  const [health] = useLoad(async () => {
    if (!(await hasRoute('/v1/health/integrations'))) return null;
    const { data, response } = await api.GET('/v1/health/integrations');
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`GET /v1/health/integrations answered ${response.status}`);
    return data ?? {};
  }, []);
  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Overview
      </h2>
      <Loaded load={system} label="API status">
        {(s) => (
          <p>
            API <StatusBadge status={s.status} /> version {s.version}, server time {formatDateTime(s.time)}.
          </p>
        )}
      </Loaded>
      <h3>Connections</h3>
      <Loaded load={connections} label="connections">
        {(items) => {
          const counts = new Map<string, number>();
          for (const c of items) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
          return items.length === 0 ? (
            <p>
              No connections yet: <a href="#/connections">connect an account</a>.
            </p>
          ) : (
            <ul data-testid="connection-summary">
              {[...counts].map(([status, n]) => (
                <li key={status}>
                  <StatusBadge status={status} /> {n}
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      <h3>Integration health</h3>
      <Loaded load={health} label="integration health">
        {(h) =>
          h === null ? (
            <NotAvailable route="GET /v1/health/integrations" />
          ) : (
            <dl class="health">
              {Object.entries(h).map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd>{key === 'status' && typeof value === 'string' ? <StatusBadge status={value} /> : <HealthValue value={value} />}</dd>
                </div>
              ))}
            </dl>
          )
        }
      </Loaded>
    </section>
  );
}
