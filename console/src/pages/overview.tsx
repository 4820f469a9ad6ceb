import type { ComponentChildren } from 'preact';
import type { operations } from '../../../client/schema.d.ts';
import { api, hasRoute, unwrap } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { Loaded, NotAvailable, StatusBadge, useLoad } from '../ui.tsx';
import { loadConnections } from './connections.tsx';

type Health = operations['getIntegrationHealth']['responses'][200]['content']['application/json'];

const when = (iso: string | null | undefined) => (iso ? formatDateTime(iso) : '—');
const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 1000) / 10} %`);

function Table({ caption, testId, head, rows }: { caption: string; testId: string; head: string[]; rows: ComponentChildren[][] }) {
  if (rows.length === 0) return <p data-testid={testId}>No {caption.toLowerCase()}.</p>;
  return (
    <table data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((cells, i) => (
          <tr key={i}>
            {cells.map((cell, n) => (
              <td key={n}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HealthSummary({ health }: { health: Health }) {
  return (
    <div class="health" data-testid="health">
      <p>
        Overall <StatusBadge status={health.status} /> (checked {when(health.checkedAt)}). <a href="#/logs?success=false">Errors in the log</a>
      </p>
      <Table
        caption="Calendar connections"
        testId="health-connections"
        head={['Connection', 'Health', 'Status', 'Last successful sync', 'Consecutive errors', 'Errors (24 h)', 'Push channel expires', 'Next sync']}
        rows={health.connections.map((c) => [
          <a href={`#/logs?connectionId=${c.id}`}>{`${c.provider}: ${c.accountEmail ?? c.id}`}</a>,
          <StatusBadge status={c.health} />,
          <StatusBadge status={c.status} />,
          when(c.lastSuccessfulSyncAt),
          String(c.consecutiveErrors),
          String(c.errorsLast24h),
          when(c.pushChannelExpiresAt),
          when(c.nextSyncAt),
        ])}
      />
      <Table
        caption="Video connections"
        testId="health-video"
        head={['Connection', 'Health', 'Status', 'Quota used today, per Zoom user']}
        rows={health.videoConnections.map((v) => [
          `${v.provider}: ${v.id}`,
          <StatusBadge status={v.health} />,
          <StatusBadge status={v.status} />,
          v.quota.users.map((u) => `${u.userId}: ${u.used} of ${v.quota.limitPerUserPerDay} (${u.remaining} left)`).join('; '),
        ])}
      />
      <Table
        caption="Webhook endpoints"
        testId="health-webhooks"
        head={['Endpoint', 'Health', 'Deliveries (24 h)', 'Success rate (24 h)', 'Last failure']}
        rows={health.webhookEndpoints.map((w) => [
          w.url,
          <StatusBadge status={w.health} />,
          String(w.deliveriesLast24h),
          percent(w.successRate24h),
          w.lastFailure ? `${when(w.lastFailure.at)}: ${w.lastFailure.statusCode !== null ? `HTTP ${w.lastFailure.statusCode}` : (w.lastFailure.errorClass ?? 'failed')}` : '—',
        ])}
      />
      <Table
        caption="Notification channels"
        testId="health-channels"
        head={['Channel', 'Health', 'Status']}
        rows={health.notificationChannels.map((n) => [`${n.kind}: ${n.id}`, <StatusBadge status={n.health} />, n.brokenReason ? `${n.status}: ${n.brokenReason}` : n.status])}
      />
    </div>
  );
}

export function OverviewPage() {
  const [system] = useLoad(() => unwrap(api.GET('/health')), []);
  const [connections] = useLoad(loadConnections, []);
  const [health] = useLoad(async () => {
    if (!(await hasRoute('/v1/health/integrations'))) return null;
    const { data, response } = await api.GET('/v1/health/integrations');
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`GET /v1/health/integrations answered ${response.status}`);
    if (!data) throw new Error('GET /v1/health/integrations answered no body');
    return data;
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
          h === null ? <NotAvailable route="GET /v1/health/integrations" /> : <HealthSummary health={h} />
        }
      </Loaded>
    </section>
  );
}
