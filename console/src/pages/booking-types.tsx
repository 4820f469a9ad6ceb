import { api, hasRoute, unwrap } from '../api.ts';
import { addDays, formatDateTime, viewerZone } from '../format.ts';
import { navigate, type Route } from '../router.ts';
import { Loaded, NotAvailable, useLoad } from '../ui.tsx';

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

export function BookingsPage() {
  const [bookings] = useLoad(async () => {
    if (!(await hasRoute('/v1/bookings'))) return null;
    const { data, response } = await api.GET('/v1/bookings');
    return response.status === 404 ? null : ((data as { items?: Record<string, unknown>[] } | undefined)?.items ?? []);
  }, []);
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
                  <th scope="col">Start</th>
                  <th scope="col">Status</th>
                  <th scope="col">Invitee</th>
                  <th scope="col">Id</th>
                </tr>
              </thead>
              <tbody>
                {items.map((b) => (
                  <tr key={String(b.id)}>
                    <td>{formatDateTime(typeof b.start === 'string' ? b.start : null)}</td>
                    <td>{String(b.status ?? '')}</td>
                    <td>{String((b.invitee as { email?: string } | undefined)?.email ?? '')}</td>
                    <td>
                      <code>{String(b.id)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
