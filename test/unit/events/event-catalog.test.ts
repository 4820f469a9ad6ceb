import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { domainEventJsonSchemas, domainEventSamples } from '../../../events/catalog.ts';
import { DOMAIN_EVENT_SCHEMAS, DOMAIN_EVENT_TYPE_NAMES, parseDomainEvent } from '../../../shared/domain/domain-events.ts';

const root = path.resolve(import.meta.dirname, '../../..');

describe('domain event catalog (events/)', () => {
  it('has a versioned JSON Schema and a valid sample for every event type', () => {
    expect(domainEventJsonSchemas().map((s) => s.type).sort()).toEqual([...DOMAIN_EVENT_TYPE_NAMES].sort());
    for (const { type, sample } of domainEventSamples()) {
      expect(DOMAIN_EVENT_SCHEMAS[type].safeParse(sample).success).toBe(true);
      expect(parseDomainEvent(sample).type).toBe(type);
    }
  });

  it('rejects an event whose data does not match its type', () => {
    const [sample] = domainEventSamples().filter((s) => s.type === 'calendar.sync.completed');
    expect(() => parseDomainEvent({ ...sample!.sample, data: { calendarId: 1 } })).toThrow();
    expect(() => parseDomainEvent({ ...sample!.sample, type: 'calendar.unknown' })).toThrow();
  });

  it('the committed files under events/ match the zod definitions', () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/generate-event-schemas.ts'), '--check'], { cwd: root, stdio: 'pipe' });
  });
});
