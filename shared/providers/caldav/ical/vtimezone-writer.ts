import { formatLocalDateTime } from '../../../recurrence/recurrence-lines.ts';
import { zoneOffsets } from '../../../recurrence/zone-offsets.ts';

const DAY_MS = 86_400_000;
const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface Onset {
  /** Wall time of the change in the offset before it (what VTIMEZONE DTSTART means). */
  localMs: number;
  offsetFrom: number;
  offsetTo: number;
}

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const total = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${sign}${pad(h)}${pad(m)}${s ? pad(s) : ''}`;
}

/** `nSU` / `-1SU` rule for the onset's date, preferring "last" in the final week of a month (EU style). */
function weekdayRule(localMs: number): { month: number; byday: string } {
  const date = new Date(localMs);
  const day = date.getUTCDate();
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  const ordinal = day + 7 > daysInMonth ? -1 : Math.ceil(day / 7);
  return { month: date.getUTCMonth() + 1, byday: `${ordinal}${WEEKDAY_CODES[date.getUTCDay()]}` };
}

function ruleDate(year: number, month: number, byday: string, timeOfDay: number): number {
  const ordinal = Number(byday.slice(0, -2));
  const weekday = WEEKDAY_CODES.indexOf(byday.slice(-2));
  if (ordinal > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return Date.UTC(year, month - 1, 1 + ((weekday - first + 7) % 7) + (ordinal - 1) * 7) + timeOfDay;
  }
  const lastDay = new Date(Date.UTC(year, month, 0));
  return Date.UTC(year, month - 1, lastDay.getUTCDate() - ((lastDay.getUTCDay() - weekday + 7) % 7)) + timeOfDay;
}

function observance(onset: Onset, rrule: string | null): string[] {
  const kind = onset.offsetTo > onset.offsetFrom ? 'DAYLIGHT' : 'STANDARD';
  return [
    `BEGIN:${kind}`,
    `DTSTART:${formatLocalDateTime(onset.localMs)}`,
    `TZOFFSETFROM:${formatOffset(onset.offsetFrom)}`,
    `TZOFFSETTO:${formatOffset(onset.offsetTo)}`,
    ...(rrule ? [`RRULE:${rrule}`] : []),
    `END:${kind}`,
  ];
}

/**
 * A VTIMEZONE for an IANA zone, generated from the runtime's ICU data over the years an object uses. When
 * every change in those years follows two "nth weekday of a month" rules (all current DST zones do), the
 * block is two observances with yearly RRULEs, so clients also get later years right; otherwise each change
 * is listed on its own.
 */
export function buildVTimezone(zone: string, fromYear: number, toYear: number): string[] {
  const offsets = zoneOffsets(zone);
  const onsets: Onset[] = [];
  let previous = offsets.offsetAt(Date.UTC(fromYear, 0, 1));
  for (let year = fromYear; year <= toYear; year++) {
    for (const change of offsets.changesIn(year)) {
      onsets.push({ localMs: change.atMs + previous, offsetFrom: previous, offsetTo: change.offset });
      previous = change.offset;
    }
  }
  const header = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  if (onsets.length === 0) {
    return [...header, ...observance({ localMs: Date.UTC(1970, 0, 1), offsetFrom: previous, offsetTo: previous }, null), 'END:VTIMEZONE'];
  }

  const lastYear = new Date(onsets[onsets.length - 1]?.localMs ?? 0).getUTCFullYear();
  const templates = onsets.filter((o) => new Date(o.localMs).getUTCFullYear() === lastYear);
  const rules = templates.map((template) => ({ template, ...weekdayRule(template.localMs), timeOfDay: template.localMs % DAY_MS }));
  const explained = onsets.every((onset) =>
    rules.some(
      (rule) =>
        rule.template.offsetFrom === onset.offsetFrom &&
        rule.template.offsetTo === onset.offsetTo &&
        ruleDate(new Date(onset.localMs).getUTCFullYear(), rule.month, rule.byday, rule.timeOfDay) === onset.localMs,
    ),
  );
  const body: string[] = [];
  if (explained && rules.length <= 2) {
    for (const rule of rules) {
      const first = onsets.find((o) => o.offsetFrom === rule.template.offsetFrom && o.offsetTo === rule.template.offsetTo) ?? rule.template;
      body.push(...observance(first, `FREQ=YEARLY;BYMONTH=${rule.month};BYDAY=${rule.byday}`));
    }
  } else {
    for (const onset of onsets) body.push(...observance(onset, null));
  }
  return [...header, ...body, 'END:VTIMEZONE'];
}
