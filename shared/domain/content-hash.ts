import { createHash } from 'node:crypto';
import type { ProviderEvent } from './calendar-event.ts';

/** JSON with object keys sorted at every level, so equal content always serializes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Hash of what a user can see of an event. `etag` and `updated` are left out on purpose: providers bump them
 * for changes we do not map (reminders, colours), which must not become domain events.
 */
export function eventContentHash(event: ProviderEvent): string {
  const { etag: _etag, updated: _updated, ...content } = event;
  return createHash('sha256').update(canonicalJson(content)).digest('base64url');
}
