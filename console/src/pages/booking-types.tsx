import { api, hasRoute, unwrap } from '../api.ts';
import { useState } from 'preact/hooks';
import { addDays, formatDateTime, fromLocalInput, toLocalInput, viewerZone } from '../format.ts';
import { navigate, type Route } from '../router.ts';
import { Loaded, NotAvailable, StatusBadge, useAction, useLoad } from '../ui.tsx';

export function BookingTypesPage({ route }: { route: Route }) {
  const selected = route.query.get('id') ?? '';
  const [types] = useLoad(async () => (await unwrap(api.GET('/v1/booking-types'))).items, []);
  const [slots] = useLoad(async () => {
    if (!selected) return null;
    const start = new Date();
    const query = { start: start.toISOString(), end: addDays(start, 7).toISOString(), timeZone: viewerZone };
    return (await unwrap(api.GET('/v1/booking-types/{id}/slots', { params: { path: { id: selected }, query } }))).slots;
  }, [selected]);
  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Booking types and slots
      </h2>
      <Loaded load={types} label="booking types">
        {(items) =>
          items.length === 0 ? (
            <p>No booking types yet (create them with POST /v1/booking-types).</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Assignment</th>
                  <th scope="col">Hosts</th>
                  <th scope="col">Slots</th>
                </tr>
              </thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{t.durationMinutes} min</td>
                    <td>{t.assignment}</td>
                    <td>{t.hosts.length}</td>
                    <td>
                      <button type="button" aria-pressed={selected === t.id} onClick={() => navigate('booking-types', { id: t.id })}>
                        Slots of {t.name}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {selected ? (
        <Loaded load={slots} label="slots">
          {(list) => (
            <>
              <h3>Free slots in the next 7 days ({viewerZone})</h3>
              {list && list.length ? (
                <ul data-testid="slots">
                  {list.slice(0, 500).map((s) => (
                    <li key={s.start}>
                      {formatDateTime(s.start)} – {formatDateTime(s.end)}
                    </li>
                  ))}
                </ul>
              ) : (
                <p>No free slots.</p>
              )}
            </>
          )}
        </Loaded>
      ) : null}
    </section>
  );
}

function BookingRow({ booking, onChanged }: { booking: Booking; onChanged: () => void }) {
  const [run, status, busy] = useAction();
  const [start, setStart] = useState(toLocalInput(new Date(booking.start)));
  const active = booking.status === 'confirmed';
  return (
    <tr data-booking={booking.id}>
      <td>
        {formatDateTime(booking.start)} – {formatDateTime(booking.end)}
      </td>
      <td>
        <StatusBadge status={booking.status} />
      </td>
      <td>
        {booking.invitee.name} &lt;{booking.invitee.email}&gt;
      </td>
      <td>{booking.conference?.joinUrl ? <a href={booking.conference.joinUrl}>{booking.conference.provider}</a> : '—'}</td>
      <td>
        {active ? (
          <div class="actions">
            <label>
              New start ({viewerZone})
              <input type="datetime-local" value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} />
            </label>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                run('Reschedule', async () => {
                  await unwrap(api.POST('/v1/bookings/{id}/reschedule', { params: { path: { id: booking.id } }, body: { start: fromLocalInput(start) } }));
                  onChanged();
                })
              }
            >
              Reschedule
            </button>
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => {
                if (!confirm(`Cancel the booking with ${booking.invitee.name}?`)) return;
                void run('Cancel booking', async () => {
                  await unwrap(api.POST('/v1/bookings/{id}/cancel', { params: { path: { id: booking.id } }, body: { reason: 'Cancelled by an operator' } }));
                  onChanged();
                });
              }}
            >
              Cancel booking
            </button>
          </div>
        ) : null}
        {status}
      </td>
    </tr>
  );
}

async function loadBookings() {
  // Older deployments may not have the bookings routes yet: say so instead of failing.
  if (!(await hasRoute('/v1/bookings'))) return null;
  const { data, response } = await api.GET('/v1/bookings', { params: { query: { limit: '100' } } });
  if (response.status === 404) return null;
  if (!response.ok || !data) throw new Error(`GET /v1/bookings answered ${response.status}`);
  return data.items;
}
type Booking = NonNullable<Awaited<ReturnType<typeof loadBookings>>>[number];

export function BookingsPage() {
  const [bookings, reload] = useLoad(loadBookings, []);
  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Bookings
      </h2>
      <Loaded load={bookings} label="bookings">
        {(items) =>
          items === null ? (
            <NotAvailable route="GET /v1/bookings" />
          ) : items.length === 0 ? (
            <p>No bookings.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">When ({viewerZone})</th>
                  <th scope="col">Status</th>
                  <th scope="col">Invitee</th>
                  <th scope="col">Video</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((b) => (
                  <BookingRow key={b.id} booking={b} onChanged={reload} />
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
