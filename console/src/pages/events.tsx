import { api, unwrap } from '../api.ts';
import { addDays, formatDay, formatTime, localDate, viewerZone, weekStart } from '../format.ts';
import { navigate, type Route } from '../router.ts';
import { Loaded, useLoad } from '../ui.tsx';
import { loadAllCalendars } from './connections.tsx';

type When = { date: string } | { dateTime: string; timeZone: string | null };

/** The viewer-zone days an event covers in the week, and its label. All-day dates are floating. */
function placement(start: When, end: When): { days: string[]; label: string } {
  if ('date' in start) {
    const days: string[] = [];
    const last = 'date' in end ? end.date : start.date;
    for (let d = start.date; d < last || days.length === 0; d = localDate(addDays(new Date(`${d}T00:00:00`), 1))) days.push(d);
    return { days, label: 'all day' };
  }
  const from = new Date(start.dateTime);
  const to = 'dateTime' in end ? new Date(end.dateTime) : from;
  return { days: [localDate(from)], label: `${formatTime(from)}–${formatTime(to)}` };
}

export function EventsPage({ route }: { route: Route }) {
  const [calendars] = useLoad(loadAllCalendars, []);
  const calendarId = route.query.get('calendar') ?? '';
  const week = weekStart(route.query.get('week') ? new Date(`${route.query.get('week')}T00:00:00`) : new Date());
  const weekKey = localDate(week);
  const days = Array.from({ length: 7 }, (_, i) => addDays(week, i));
  const go = (changes: Record<string, string>) => navigate('events', { calendar: calendarId, week: weekKey, ...changes });

  const [events, reloadEvents] = useLoad(async () => {
    if (!calendarId) return [];
    const query = { start: week.toISOString(), end: addDays(week, 7).toISOString(), limit: '500' };
    return (await unwrap(api.GET('/v1/calendars/{id}/events', { params: { path: { id: calendarId }, query } }))).items;
  }, [calendarId, weekKey]);

  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Events
      </h2>
      <Loaded load={calendars} label="calendars">
        {(items) => (
          <label>
            Calendar
            <select value={calendarId} onChange={(e) => go({ calendar: (e.target as HTMLSelectElement).value })}>
              <option value="">Choose a calendar…</option>
              {items.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.provider}
                  {c.accountEmail ? `, ${c.accountEmail}` : ''})
                </option>
              ))}
            </select>
          </label>
        )}
      </Loaded>
      <div class="actions" role="group" aria-label="Week">
        <button type="button" onClick={() => go({ week: localDate(addDays(week, -7)) })}>
          Previous week
        </button>
        <button type="button" onClick={() => go({ week: localDate(weekStart(new Date())) })}>
          This week
        </button>
        <button type="button" onClick={() => go({ week: localDate(addDays(week, 7)) })}>
          Next week
        </button>
        <button type="button" onClick={reloadEvents} disabled={!calendarId}>
          Refresh events
        </button>
      </div>
      <p>
        Week of {formatDay(week)}, times in <strong data-testid="viewer-zone">{viewerZone}</strong>.
      </p>
      {calendarId ? (
        <Loaded load={events} label="events">
          {(items) => {
            const byDay = new Map<string, { id: string; label: string; title: string; sort: string }[]>();
            for (const event of items) {
              const { days: covered, label } = placement(event.start as When, event.end as When);
              const sort = 'date' in event.start ? '' : event.start.dateTime;
              for (const day of covered) {
                const list = byDay.get(day) ?? [];
                list.push({ id: event.id, label, title: event.title ?? '(no title)', sort });
                byDay.set(day, list);
              }
            }
            return (
              <ol class="week" aria-label="Week view">
                {days.map((day) => {
                  const key = localDate(day);
                  const list = (byDay.get(key) ?? []).sort((a, b) => (a.sort < b.sort ? -1 : 1));
                  return (
                    <li key={key} class="day" data-day={key}>
                      <h3>{formatDay(day)}</h3>
                      <ul>
                        {list.map((event) => (
                          <li key={event.id} class="event">
                            <span class="when">{event.label}</span> <span class="title">{event.title}</span>
                          </li>
                        ))}
                      </ul>
                    </li>
                  );
                })}
              </ol>
            );
          }}
        </Loaded>
      ) : null}
    </section>
  );
}
