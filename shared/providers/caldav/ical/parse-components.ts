import ICAL from 'ical.js';
import { useGeneralRuleEngine } from '../../../recurrence/rule-iteration.ts';

// ical.js is loaded here anyway: hand it to the recurrence expander, which otherwise loads it on demand.
useGeneralRuleEngine(ICAL);

export interface ParsedComponents {
  /** VCALENDAR-level properties by lower-case name (first value as text), e.g. `x-wr-timezone`. */
  calendarProperties: Map<string, string>;
  /** VTIMEZONE, VEVENT and other children of every VCALENDAR. */
  components: ICAL.Component[];
}

function toRoots(jcal: unknown): ICAL.Component[] {
  if (!Array.isArray(jcal)) return [];
  const list = typeof jcal[0] === 'string' ? [jcal] : jcal;
  return list.map((item) => new ICAL.Component(item as unknown[]));
}

function collect(roots: readonly ICAL.Component[], into: ParsedComponents): void {
  for (const root of roots) {
    const children = root.name === 'vcalendar' ? root.getAllSubcomponents() : [root];
    if (root.name === 'vcalendar') {
      for (const property of root.getAllProperties()) {
        const value = property.getFirstValue();
        if (!into.calendarProperties.has(property.name) && value !== null && value !== undefined) into.calendarProperties.set(property.name, String(value));
      }
    }
    into.components.push(...children);
  }
}

/**
 * Parses repaired content lines with ical.js. If the whole object does not parse, each child component is
 * parsed on its own so that one broken VEVENT costs only itself.
 */
export function parseComponents(lines: readonly string[], warnings: string[]): ParsedComponents {
  const result: ParsedComponents = { calendarProperties: new Map(), components: [] };
  try {
    collect(toRoots(ICAL.parse(lines.join('\r\n'))), result);
    return result;
  } catch (error) {
    warnings.push(`parsed component by component after: ${error instanceof Error ? error.message : String(error)}`);
  }

  const header: string[] = [];
  const blocks: string[][] = [];
  let depth = 0;
  let current: string[] | null = null;
  for (const line of lines) {
    const isBegin = /^BEGIN:/i.test(line);
    const isEnd = /^END:/i.test(line);
    if (isBegin) depth++;
    if (depth === 2 && isBegin && !current) current = [];
    if (current) current.push(line);
    else if (depth === 1 && !isBegin && !isEnd) header.push(line);
    if (isEnd) {
      depth--;
      if (depth === 1 && current) {
        blocks.push(current);
        current = null;
      }
    }
  }
  try {
    collect(toRoots(ICAL.parse(['BEGIN:VCALENDAR', ...header, 'END:VCALENDAR'].join('\r\n'))), result);
  } catch {
    warnings.push('calendar-level properties could not be read');
  }
  for (const block of blocks) {
    try {
      const parsed = toRoots(ICAL.parse(['BEGIN:VCALENDAR', ...block, 'END:VCALENDAR'].join('\r\n')));
      for (const root of parsed) result.components.push(...root.getAllSubcomponents());
    } catch (error) {
      warnings.push(`skipped a ${block[0]?.slice(6) ?? 'component'} that could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return result;
}
