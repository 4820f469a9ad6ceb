import { useState } from 'preact/hooks';
import { api, unwrap } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { Loaded, StatusBadge, useAction, useLoad } from '../ui.tsx';

type Kind = 'email' | 'sms' | 'slack' | 'whatsapp';
type Status = 'queued' | 'sent' | 'failed' | 'suppressed';

/** Which target field a channel kind takes (the API refuses the others, naming the field). */
function targetOf(kind: Kind, value: string): { email?: string; phone?: string; webhookUrl?: string } {
  if (kind === 'email') return { email: value };
  if (kind === 'slack') return { webhookUrl: value };
  return { phone: value };
}

interface OutboxEntry {
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  at: string;
}

/** The local stack's outbox (`GET /local/outbox`, not part of the API): absent when deployed, so the section hides. */
function Outbox() {
  const [messages, reload] = useLoad(async (): Promise<OutboxEntry[] | null> => {
    const response = await fetch('/local/outbox');
    if (!response.ok) return null;
    return ((await response.json()) as { items: OutboxEntry[] }).items;
  }, []);
  return (
    <Loaded load={messages} label="outbox">
      {(items) =>
        items === null ? null : (
          <section aria-labelledby="outbox-title">
            <h3 id="outbox-title">Local outbox (what would have been sent)</h3>
            <button type="button" onClick={reload}>
              Refresh outbox
            </button>
            {items.length === 0 ? (
              <p>Nothing sent yet.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">At</th>
                    <th scope="col">Channel</th>
                    <th scope="col">To</th>
                    <th scope="col">Subject or text</th>
                  </tr>
                </thead>
                <tbody>
                  {items
                    .slice(-50)
                    .reverse()
                    .map((m, i) => (
                      <tr key={`${m.at}-${i}`} data-outbox={m.channel}>
                        <td>{formatDateTime(m.at)}</td>
                        <td>{m.channel}</td>
                        <td>{m.recipient}</td>
                        <td>{m.subject ?? m.body.slice(0, 120)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
          </section>
        )
      }
    </Loaded>
  );
}

export function NotificationsPage() {
  const [channels, reloadChannels] = useLoad(async () => (await unwrap(api.GET('/v1/notification-channels'))).items, []);
  const [status, setStatus] = useState<Status | ''>('');
  const [log, reloadLog] = useLoad(async () => (await unwrap(api.GET('/v1/notifications', { params: { query: status ? { status } : {} } }))).items, [status]);
  const [run, message, busy] = useAction();
  const [kind, setKind] = useState<Kind>('slack');

  const create = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const eventTypes = String(form.get('eventTypes') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    void run('Create channel', async () => {
      await unwrap(api.POST('/v1/notification-channels', { body: { kind, target: targetOf(kind, String(form.get('target') ?? '')), eventTypes } }));
      reloadChannels();
    });
  };

  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Notifications
      </h2>
      <form onSubmit={create} aria-labelledby="create-channel">
        <h3 id="create-channel">New operator channel</h3>
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
            <option value="slack">Slack</option>
            <option value="email">Email</option>
            <option value="sms">SMS</option>
            <option value="whatsapp">WhatsApp</option>
          </select>
        </label>
        <label>
          {kind === 'email' ? 'Email address' : kind === 'slack' ? 'Slack incoming-webhook URL' : 'Phone (E.164, e.g. +14155550100)'}
          <input name="target" required />
        </label>
        <label>
          Event types (comma-separated)
          <input name="eventTypes" required defaultValue="connection.reauth_required, connection.disabled, webhook.endpoint.disabled" />
        </label>
        <button type="submit" disabled={busy}>
          Create channel
        </button>
      </form>
      {message}
      <Loaded load={channels} label="channels">
        {(items) =>
          items.length === 0 ? (
            <p>No operator channels yet.</p>
          ) : (
            <ul class="cards">
              {items.map((c) => (
                <li key={c.id} class="card" data-channel={c.id}>
                  <h3>
                    {c.kind}: {c.target.email ?? c.target.phone ?? c.target.webhookUrl} <StatusBadge status={c.status} />
                  </h3>
                  <p>
                    Events: <code>{c.eventTypes.join(', ')}</code>
                    {c.brokenReason ? ` · ${c.brokenReason}` : ''}
                  </p>
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      run('Delete channel', async () => {
                        await unwrap(api.DELETE('/v1/notification-channels/{id}', { params: { path: { id: c.id } } }));
                        reloadChannels();
                      })
                    }
                  >
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <h3 id="delivery-log">Delivery log</h3>
      <div class="actions">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Status | '')}>
            <option value="">any</option>
            <option value="queued">queued</option>
            <option value="sent">sent</option>
            <option value="failed">failed</option>
            <option value="suppressed">suppressed</option>
          </select>
        </label>
        <button type="button" onClick={reloadLog}>
          Refresh log
        </button>
      </div>
      <Loaded load={log} label="notifications">
        {(items) =>
          items.length === 0 ? (
            <p>No notifications yet.</p>
          ) : (
            <table aria-labelledby="delivery-log">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Channel</th>
                  <th scope="col">To</th>
                  <th scope="col">What</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((n) => (
                  <tr key={n.id} data-notification={n.id}>
                    <td>{formatDateTime(n.createdAt)}</td>
                    <td>{n.channel}</td>
                    <td>{n.recipient}</td>
                    <td>{n.subject ?? n.template}</td>
                    <td>
                      <StatusBadge status={n.status} />
                      {n.error ? ` ${n.error.code}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <Outbox />
    </section>
  );
}
