import type ICAL from 'ical.js';
import { WINDOWS_ZONES, fixedOffsetZone, resolveTimeZoneName, windowsZoneToIana } from '../../../domain/windows-time-zones.ts';
import { exactOffsetMs, zoneOffsets } from '../../../recurrence/zone-offsets.ts';
import type { Transition } from './vtimezone-offsets.ts';
import { VTimezoneOffsets } from './vtimezone-offsets.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Share of sample instants a zone must agree on to stand for a custom VTIMEZONE. */
const MIN_AGREEMENT = 0.9;
const HINT_STOPWORDS = new Set(['standard', 'daylight', 'time', 'zone', 'customized', 'custom', 'summer', 'winter', 'mean', 'local']);

/** Candidate zones for custom VTIMEZONEs: the default zone of every Windows zone, most used first. */
const PREFERRED = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin'];
const CANDIDATES: readonly { iana: string; text: string }[] = (() => {
  const seen = new Set<string>();
  const list: { iana: string; text: string }[] = [];
  const add = (iana: string, text: string): void => {
    if (seen.has(iana)) return;
    seen.add(iana);
    list.push({ iana, text: `${text} ${iana}`.toLowerCase() });
  };
  for (const iana of PREFERRED) add(iana, WINDOWS_ZONES.find((z) => z.iana === iana)?.displayName ?? '');
  for (const zone of WINDOWS_ZONES) add(zone.iana, `${zone.windowsId} ${zone.displayName}`);
  return list;
})();

export interface TzidResolution {
  /** IANA zone to read the wall times in, or null to read them as floating. */
  zone: string | null;
  /** How it was resolved, for warnings and tests. */
  via: 'iana' | 'windows' | 'vtimezone' | 'fixed-offset' | 'unresolved';
}

/**
 * Resolves the TZIDs of one iCalendar object, in this order (first hit wins):
 *  1. an IANA name (also behind a vendor prefix), a Windows id or a Windows display name
 *     (`shared/domain/windows-time-zones.ts`) — such names are trusted over the file's VTIMEZONE body, whose
 *     rules are often stale (Exchange and Lotus write 1601 or 1950 rules) while the name says what was meant;
 *  2. a custom VTIMEZONE ("Customized Time Zone", "GMT +0100 (Standard) / GMT +0200 (Daylight)", Lotus
 *     "Eastern"): the IANA zone whose offsets agree with the block's at daily samples and at every
 *     transition of either side across the years the events use (at least 90 % agreement), preferring zones
 *     whose Windows name or city matches a word of the TZID, then the most used zones, then CLDR order;
 *  3. otherwise a fixed `Etc/GMT±N` zone: the block's most common offset, or the offset of a display-name
 *     prefix such as `(UTC+03:00)`;
 *  4. otherwise unresolved: the caller reads the times as floating.
 */
export class TzidResolver {
  private readonly vtimezones: ReadonlyMap<string, ICAL.Component>;
  private readonly yearsByTzid: ReadonlyMap<string, { from: number; to: number }>;
  private readonly cache = new Map<string, TzidResolution>();

  constructor(vtimezones: ReadonlyMap<string, ICAL.Component>, yearsByTzid: ReadonlyMap<string, { from: number; to: number }>) {
    this.vtimezones = vtimezones;
    this.yearsByTzid = yearsByTzid;
  }

  resolve(tzid: string): TzidResolution {
    let resolution = this.cache.get(tzid);
    if (!resolution) {
      resolution = this.compute(tzid);
      this.cache.set(tzid, resolution);
    }
    return resolution;
  }

  private compute(tzid: string): TzidResolution {
    const named = resolveTimeZoneName(tzid);
    if (named) return { zone: named, via: /\//.test(tzid) || named === tzid ? 'iana' : 'windows' };
    const component = this.vtimezones.get(tzid) ?? this.vtimezones.get(tzid.trim());
    if (component) {
      const years = this.yearsByTzid.get(tzid) ?? { from: new Date().getUTCFullYear(), to: new Date().getUTCFullYear() };
      try {
        const matched = matchVTimezone(component, tzid, years.from, years.to);
        if (matched) return matched;
      } catch {
        // a VTIMEZONE we cannot evaluate is treated like a missing one
      }
    }
    const display = windowsZoneToIana(tzid).displayOffsetMinutes;
    if (display !== null) {
      const fixed = fixedOffsetZone(display);
      if (fixed) return { zone: fixed, via: 'fixed-offset' };
    }
    return { zone: null, via: 'unresolved' };
  }
}

function hintWords(tzid: string): string[] {
  return (tzid.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((word) => !HINT_STOPWORDS.has(word));
}

function matchVTimezone(component: ICAL.Component, tzid: string, fromYear: number, toYear: number): TzidResolution | null {
  const vtimezone = new VTimezoneOffsets(component);
  if (vtimezone.isEmpty) return null;
  const transitions = vtimezone.transitions(fromYear, toYear);
  const initial = vtimezone.initialOffset;
  const offsetAt = (utcMs: number): number => VTimezoneOffsets.offsetAt(transitions, utcMs, initial);

  const probeJan = Date.UTC(fromYear, 0, 15, 12);
  const probeJul = Date.UTC(fromYear, 6, 15, 12);
  const wantJan = offsetAt(probeJan);
  const wantJul = offsetAt(probeJul);
  const hints = hintWords(tzid);
  const ranked = [...CANDIDATES].sort((a, b) => Number(hints.some((h) => b.text.includes(h))) - Number(hints.some((h) => a.text.includes(h))));

  let best: { zone: string; score: number } | null = null;
  for (const candidate of ranked) {
    if (exactOffsetMs(candidate.iana, probeJan) !== wantJan || exactOffsetMs(candidate.iana, probeJul) !== wantJul) continue;
    const score = agreement(candidate.iana, transitions, offsetAt, fromYear, toYear);
    if (!best || score > best.score) best = { zone: candidate.iana, score };
    if (score === 1) break;
  }
  if (best && best.score >= MIN_AGREEMENT) return { zone: best.zone, via: 'vtimezone' };

  const counts = new Map<number, number>();
  for (let t = Date.UTC(fromYear, 0, 1, 12); t < Date.UTC(toYear + 1, 0, 1); t += DAY_MS) {
    const offset = offsetAt(t);
    counts.set(offset, (counts.get(offset) ?? 0) + 1);
  }
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? initial;
  const fixed = fixedOffsetZone(Math.round(common / MINUTE_MS));
  return fixed ? { zone: fixed, via: 'fixed-offset' } : null;
}

/** Share of sample instants (daily at noon UTC, and a minute either side of every transition) where both agree. */
function agreement(zone: string, transitions: readonly Transition[], offsetAt: (utcMs: number) => number, fromYear: number, toYear: number): number {
  const index = zoneOffsets(zone);
  const samples: number[] = [];
  for (let t = Date.UTC(fromYear, 0, 1, 12); t < Date.UTC(toYear + 1, 0, 1); t += DAY_MS) samples.push(t);
  const inYears = (t: number): boolean => t >= Date.UTC(fromYear, 0, 1) && t < Date.UTC(toYear + 1, 0, 1);
  for (const transition of transitions) if (inYears(transition.atMs)) samples.push(transition.atMs - MINUTE_MS, transition.atMs + MINUTE_MS);
  for (let year = fromYear; year <= toYear; year++) {
    for (const change of index.changesIn(year)) samples.push(change.atMs - MINUTE_MS, change.atMs + MINUTE_MS);
  }
  let agree = 0;
  for (const t of samples) if (index.offsetAt(t) === offsetAt(t)) agree++;
  return samples.length === 0 ? 0 : agree / samples.length;
}
