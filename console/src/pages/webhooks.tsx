import { useState } from 'preact/hooks';
import { api, unwrap } from '../api.ts';
import { formatDateTime, fromLocalInput, toLocalInput } from '../format.ts';
import { Loaded, StatusBadge, useAction, useLoad } from '../ui.tsx';

function Deliveries({ endpointId }: { endpointId: string }) {
  const [status, setStatus] = useState('');
  const [deliveries, reload] = useLoad(
    async () => (await unwrap(api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: status ? { status: status as 'pending' | 'succeeded' | 'failed' } : {} } }))).items,
    [endpointId, status],
  );
  const [run, message, busy] = useAction();
  return (
    <div class="deliveries">
      <h4>Deliveries</h4>
      <div class="actions">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            <option value="pending">pending</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <button type="button" onClick={reload}>
          Refresh deliveries
        </button>
      </div>
      {message}
      <Loaded load={deliveries} label="deliveries">
        {(items) =>
          items.length === 0 ? (
            <p>No deliveries yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last result</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.id} data-delivery={d.id}>
                    <td>{d.eventType}</td>
                    <td>{formatDateTime(d.createdAt)}</td>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>{d.attemptCount}</td>
                    <td>{d.lastStatusCode ?? d.lastErrorClass ?? '—'}</td>
                    <td>
                      {d.status === 'failed' ? (
                        <button
                          type="button"
                          disabled={busy}
                          onClick={() =>
                            run('Retry delivery', async () => {
                              await unwrap(api.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry', { params: { path: { id: endpointId, deliveryId: d.id } } }));
                              reload();
                            })
                          }
                        >
                          Retry
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </div>
  );
}

export function WebhooksPage() {
  const [endpoints, reload] = useLoad(async () => (await unwrap(api.GET('/v1/webhook-endpoints'))).items, []);
  const [run, message, busy] = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [since, setSince] = useState(toLocalInput(new Date(Date.now() - 86_400_000)));

  const create = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const eventTypes = String(form.get('eventTypes') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const description = String(form.get('description') ?? '');
    void run('Create endpoint', async () => {
      const created = await unwrap(api.POST('/v1/webhook-endpoints', { body: { url: String(form.get('url')), eventTypes, ...(description ? { description } : {}) } }));
      setSecret(created.secret);
      setOpen(created.id);
      reload();
    });
  };

  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Webhook endpoints
      </h2>
      <form onSubmit={create} aria-labelledby="create-endpoint">
        <h3 id="create-endpoint">New endpoint</h3>
        <label>
          URL
          <input name="url" type="url" required placeholder="https://example.com/webhooks" />
        </label>
        <label>
          Event types (comma-separated; patterns like calendar.*)
          <input name="eventTypes" required defaultValue="*" />
        </label>
        <label>
          Description
          <input name="description" />
        </label>
        <button type="submit" disabled={busy}>
          Create endpoint
        </button>
      </form>
      {message}
      {note ? (
        <p class="notice" role="status">
          {note}
        </p>
      ) : null}
      {secret ? (
        <p class="notice" role="status">
          Signing secret (shown once, store it now): <code data-testid="endpoint-secret">{secret}</code>
        </p>
      ) : null}
      <Loaded load={endpoints} label="endpoints">
        {(items) =>
          items.length === 0 ? (
            <p>No endpoints yet.</p>
          ) : (
            <ul class="cards">
              {items.map((e) => (
                <li key={e.id} class="card" data-endpoint={e.id}>
                  <h3>
                    {e.url} <StatusBadge status={e.enabled ? 'enabled' : `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`} />
                  </h3>
                  <p>
                    {e.description ?? ''} Events: <code>{e.eventTypes.join(', ')}</code>
                    {e.failingSince ? ` · failing since ${formatDateTime(e.failingSince)}` : ''}
                  </p>
                  <div class="actions">
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        run('Send test', async () => {
                          await unwrap(api.POST('/v1/webhook-endpoints/{id}/test', { params: { path: { id: e.id } } }));
                          setOpen(e.id);
                        })
                      }
                    >
                      Send test
                    </button>
                    <button type="button" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                      {open === e.id ? 'Hide deliveries' : 'Deliveries'}
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        run(e.enabled ? 'Disable' : 'Enable', async () => {
                          await unwrap(api.PATCH('/v1/webhook-endpoints/{id}', { params: { path: { id: e.id } }, body: { enabled: !e.enabled } }));
                          reload();
                        })
                      }
                    >
                      {e.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        run('Rotate secret', async () => {
                          const rotated = await unwrap(api.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id: e.id } } }));
                          setSecret(rotated.secret);
                        })
                      }
                    >
                      Rotate secret
                    </button>
                    <label>
                      Recover failed since
                      <input type="datetime-local" value={since} onInput={(ev) => setSince((ev.target as HTMLInputElement).value)} />
                    </label>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        run('Recover', async () => {
                          const result = await unwrap(api.POST('/v1/webhook-endpoints/{id}/recover', { params: { path: { id: e.id } }, body: { since: fromLocalInput(since) } }));
                          setNote(`${result.recovered} deliveries queued again${result.more ? ' (more remain: recover again)' : ''}.`);
                        })
                      }
                    >
                      Recover
                    </button>
                    <button
                      type="button"
                      class="danger"
                      disabled={busy}
                      onClick={() => {
                        if (!confirm(`Delete the endpoint ${e.url}?`)) return;
                        void run('Delete endpoint', async () => {
                          await unwrap(api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: e.id } } }));
                          reload();
                        });
                      }}
                    >
                      Delete
                    </button>
                  </div>
                  {open === e.id ? <Deliveries endpointId={e.id} /> : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
