import type ICAL from 'ical.js';
import { parseRule } from '../../../recurrence/recurrence-lines.ts';
import type { RuleParts } from '../../../recurrence/recurrence-lines.ts';
import { expandRule } from '../../../recurrence/rule-iteration.ts';

interface Observance {
  onsetLocal: number;
  offsetFrom: number;
  offsetTo: number;
  rules: RuleParts[];
  rdatesLocal: number[];
}

export interface Transition {
  atMs: number;
  offset: number;
}

const LOCAL_VALUE = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2}))?/;

function parseLocal(value: string): number | null {
  const m = LOCAL_VALUE.exec(value);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

/** `+0100`, `-05:00`, `+02:30:17` → ms. */
export function parseUtcOffset(value: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const ms = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -ms : ms;
}

function rawValue(property: ICAL.Property): string {
  const json = property.toJSON() as unknown[];
  const value = json[3];
  if (typeof value === 'string') return value;
  return '';
}

/**
 * Offsets of a VTIMEZONE block as the file defines them, evaluated by our own rule iterator (ical.js gets
 * offsets wrong near transitions when STANDARD and DAYLIGHT share a DTSTART, as Exchange writes them).
 * Used only to find the IANA zone a custom TZID stands for, never to convert event times directly.
 */
export class VTimezoneOffsets {
  private readonly observances: Observance[] = [];

  constructor(component: ICAL.Component) {
    for (const sub of component.getAllSubcomponents()) {
      if (sub.name !== 'standard' && sub.name !== 'daylight') continue;
      const dtstart = sub.getFirstProperty('dtstart');
      const from = sub.getFirstProperty('tzoffsetfrom');
      const to = sub.getFirstProperty('tzoffsetto');
      if (!dtstart || !from || !to) continue;
      const onsetLocal = parseLocal(rawValue(dtstart));
      const offsetFrom = parseUtcOffset(rawValue(from));
      const offsetTo = parseUtcOffset(rawValue(to));
      if (onsetLocal === null || offsetFrom === null || offsetTo === null) continue;
      const rules: RuleParts[] = [];
      for (const rrule of sub.getAllProperties('rrule')) {
        const parsed = parseRule(String(rrule.getFirstValue() ?? ''));
        if (parsed) rules.push(parsed);
      }
      const rdatesLocal: number[] = [];
      for (const rdate of sub.getAllProperties('rdate')) {
        for (const value of (rdate.toJSON() as unknown[]).slice(3)) {
          const local = typeof value === 'string' ? parseLocal(value) : null;
          if (local !== null) rdatesLocal.push(local);
        }
      }
      this.observances.push({ onsetLocal, offsetFrom, offsetTo, rules, rdatesLocal });
    }
  }

  get isEmpty(): boolean {
    return this.observances.length === 0;
  }

  /** All onsets from a year before `fromYear` to the end of `toYear`, sorted, as UTC instants. */
  transitions(fromYear: number, toYear: number): Transition[] {
    const fromLocal = Date.UTC(fromYear - 1, 0, 1);
    const toLocal = Date.UTC(toYear + 1, 0, 1);
    const out: Transition[] = [];
    for (const observance of this.observances) {
      const onsets = new Set<number>([observance.onsetLocal, ...observance.rdatesLocal]);
      for (const rule of observance.rules) {
        const until = rule.get('UNTIL');
        const untilParsed = until ? parseLocal(until) : null;
        const untilLocal = untilParsed === null ? null : until?.endsWith('Z') ? untilParsed + observance.offsetFrom : untilParsed;
        const window = { dtstartLocal: observance.onsetLocal, isDate: false, fromLocal, toLocal, untilLocal };
        for (const local of expandRule(rule, window)) onsets.add(local);
      }
      for (const local of onsets) {
        if (local < toLocal) out.push({ atMs: local - observance.offsetFrom, offset: observance.offsetTo });
      }
    }
    return out.sort((a, b) => a.atMs - b.atMs);
  }

  /** Offset at `utcMs`, given the transitions of the years around it. */
  static offsetAt(transitions: readonly Transition[], utcMs: number, initial: number): number {
    let offset = initial;
    for (const transition of transitions) {
      if (transition.atMs > utcMs) break;
      offset = transition.offset;
    }
    return offset;
  }

  /** Offset before the first onset: the earliest observance's TZOFFSETFROM. */
  get initialOffset(): number {
    let earliest: Observance | undefined;
    for (const observance of this.observances) if (!earliest || observance.onsetLocal < earliest.onsetLocal) earliest = observance;
    return earliest?.offsetFrom ?? 0;
  }
}
