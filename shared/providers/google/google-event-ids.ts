import { createHash } from 'node:crypto';
import type { EventTime } from '../../domain/calendar-event.ts';

// RFC 4648 base32hex, lower case: the only characters Google accepts in a client-chosen event id.
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/**
 * The Google event id for a creation key: base32hex of its SHA-256 (52 characters, well inside Google's
 * 5–1024). The same key always gives the same id, so a repeated insert answers 409 `duplicate` instead of
 * creating a second event (providers.md A11).
 */
export function googleEventIdFor(key: string): string {
  const bytes = createHash('sha256').update(`google-event:${key}`).digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Google's id of one instance of a series: `<series id>_<original start>`, the start in UTC
 * (`20261207T090000Z`) for timed series and the date (`20261207`) for all-day ones (providers.md A9).
 */
export function googleInstanceId(seriesId: string, originalStart: EventTime): string {
  if ('date' in originalStart) return `${seriesId}_${originalStart.date.replaceAll('-', '')}`;
  const iso = new Date(Date.parse(originalStart.dateTime)).toISOString();
  return `${seriesId}_${iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}
