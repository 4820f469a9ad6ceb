import { useState } from 'preact/hooks';
import { api, unwrap } from '../api.ts';
import { addDays, formatDateTime, fromLocalInput, toLocalInput, viewerZone, weekStart } from '../format.ts';
import { ErrorBox, Loaded, useLoad } from '../ui.tsx';
import { loadAllCalendars } from './connections.tsx';

type FreeBusy = Awaited<ReturnType<typeof query>>;
function query(calendarIds: string[], start: string, end: string) {
  return unwrap(api.GET('/v1/free-busy', { params: { query: { calendarIds: calendarIds.join(','), start, end, timeZone: viewerZone } } }));
}

export function FreeBusyPage() {
  const [calendars] = useLoad(loadAllCalendars, []);
  const [result, setResult] = useState<FreeBusy | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const week = weekStart(new Date());
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setError(null);
    try {
      setResult(await query(form.getAll('calendarIds').map(String), fromLocalInput(String(form.get('start'))), fromLocalInput(String(form.get('end')))));
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <section aria-labelledby="page-title">
      <h2 id="page-title" tabIndex={-1}>
        Free/busy
      </h2>
      <Loaded load={calendars} label="calendars">
        {(items) => (
          <form onSubmit={submit}>
            <fieldset>
              <legend>Calendars</legend>
              {items.map((c) => (
                <label key={c.id} class="inline">
                  <input type="checkbox" name="calendarIds" value={c.id} defaultChecked={c.isPrimary} /> {c.name} ({c.provider})
                </label>
              ))}
            </fieldset>
            <label>
              From ({viewerZone})
              <input type="datetime-local" name="start" required defaultValue={toLocalInput(week)} />
            </label>
            <label>
              To ({viewerZone})
              <input type="datetime-local" name="end" required defaultValue={toLocalInput(addDays(week, 7))} />
            </label>
            <button type="submit">Show busy time</button>
          </form>
        )}
      </Loaded>
      {error ? <ErrorBox error={error} /> : null}
      {result ? (
        <>
          <h3>Merged busy time{result.complete ? '' : ' (incomplete: some calendars could not be read)'}</h3>
          <ul data-testid="busy-merged">
            {result.busy.map((b) => (
              <li key={b.start}>
                {formatDateTime(b.start)} – {formatDateTime(b.end)}
              </li>
            ))}
          </ul>
          {Object.entries(result.calendars).map(([id, calendar]) => (
            <details key={id}>
              <summary>
                {id}: {calendar.busy.length} busy intervals{calendar.error ? `, error ${calendar.error.code}` : ''}
              </summary>
              <ul>
                {calendar.busy.map((b) => (
                  <li key={b.start}>
                    {formatDateTime(b.start)} – {formatDateTime(b.end)}
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </>
      ) : null}
    </section>
  );
}
