import ICAL from 'ical.js';
import type { ProviderEvent } from '../../domain/calendar-event.ts';
import { parseCalendarResource, serializeCalendarResource } from './ical/index.ts';

/** The VEVENT properties our model owns; everything else a client stored (alarms, categories, X- props) is kept. */
const MANAGED = ['dtstart', 'dtend', 'duration', 'summary', 'description', 'location', 'transp', 'status', 'attendee', 'rrule', 'rdate', 'exdate', 'exrule', 'recurrence-id', 'last-modified', 'dtstamp'];

export interface ResourceEdit {
  /** Events to write: replaces the VEVENT with the same id (UID / UID#RECURRENCE-ID), or adds it. */
  upsert: readonly ProviderEvent[];
  /** Ids of VEVENTs to drop. */
  remove: readonly string[];
  /** DTSTAMP of written components. */
  now: Date;
}

function cloneComponent(component: ICAL.Component): ICAL.Component {
  return new ICAL.Component(structuredClone(component.toJSON()) as unknown[]);
}

/** The id our parser gives one VEVENT of `calendar`, read in the context of the object's time zones. */
function idOf(calendar: ICAL.Component, vevent: ICAL.Component): string | null {
  const wrapper = new ICAL.Component(['vcalendar', [], []]);
  for (const property of calendar.getAllProperties()) wrapper.addProperty(new ICAL.Property(structuredClone(property.toJSON()) as unknown[]));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) wrapper.addSubcomponent(cloneComponent(zone));
  wrapper.addSubcomponent(cloneComponent(vevent));
  try {
    return parseCalendarResource(wrapper.toString(), { resourceId: null, etag: null, calendarTimeZone: null }).events[0]?.providerEventId ?? null;
  } catch {
    return null;
  }
}

/**
 * Rewrites one stored calendar object for a read-modify-write (providers.md C47): only the VEVENTs being
 * changed are touched, and in them only the properties our model owns (times, texts, status, attendees,
 * recurrence), so alarms, categories and other clients' X- properties survive our edits. SEQUENCE is
 * incremented on each changed VEVENT; VTIMEZONEs our writer needs are added when the object lacks them.
 * Returns null when the stored object does not parse; the caller then writes the resource from the model.
 */
export function patchResource(original: string, edit: ResourceEdit): string | null {
  let calendar: ICAL.Component;
  try {
    const jcal = ICAL.parse(original) as unknown[];
    calendar = new ICAL.Component((typeof jcal[0] === 'string' ? jcal : jcal[0]) as unknown[]);
    if (calendar.name !== 'vcalendar') return null;
  } catch {
    return null;
  }
  const vevents = calendar.getAllSubcomponents('vevent');
  const byId = new Map<string, ICAL.Component>();
  for (const vevent of vevents) {
    const id = idOf(calendar, vevent);
    if (id) byId.set(id, vevent);
  }

  for (const id of edit.remove) {
    const vevent = byId.get(id);
    if (vevent) calendar.removeSubcomponent(vevent);
  }

  const knownZones = new Set(calendar.getAllSubcomponents('vtimezone').map((zone) => String(zone.getFirstPropertyValue('tzid'))));
  for (const event of edit.upsert) {
    const generated = new ICAL.Component(ICAL.parse(serializeCalendarResource([event], { now: edit.now })) as unknown[]);
    for (const zone of generated.getAllSubcomponents('vtimezone')) {
      const tzid = String(zone.getFirstPropertyValue('tzid'));
      if (knownZones.has(tzid)) continue;
      knownZones.add(tzid);
      calendar.addSubcomponent(cloneComponent(zone));
    }
    const fresh = generated.getFirstSubcomponent('vevent');
    if (!fresh) continue;
    const existing = byId.get(event.providerEventId);
    if (!existing) {
      calendar.addSubcomponent(cloneComponent(fresh));
      continue;
    }
    for (const name of MANAGED) existing.removeAllProperties(name);
    for (const name of MANAGED) for (const property of fresh.getAllProperties(name)) existing.addProperty(new ICAL.Property(structuredClone(property.toJSON()) as unknown[]));
    const sequence = Number(existing.getFirstPropertyValue('sequence') ?? 0);
    existing.updatePropertyWithValue('sequence', Number.isFinite(sequence) ? sequence + 1 : 1);
  }
  return calendar.toString();
}
