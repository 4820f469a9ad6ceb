import { describe, expect, it } from 'vitest';
import { domainEvent, DOMAIN_EVENT_TYPE_NAMES, type DomainEvent } from '../../../shared/domain/domain-events.ts';
import { endpointReceives, unknownEventTypeFilter, webhookPayload } from '../../../shared/domain/webhook-routing.ts';
import { testEndpoint } from './support.ts';

const A = testEndpoint({ id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1ZA' });
const B = testEndpoint({ id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1ZB' });

const exhausted = (endpointId: string, eventType = 'calendar.event.created'): DomainEvent =>
  domainEvent('webhook.delivery.exhausted', A.tenantId, {
    endpointId,
    deliveryId: 'dlv_X',
    messageId: 'msg_X',
    eventType,
    eventId: 'msg_X',
    attempts: 8,
    lastStatusCode: 500,
    lastError: 'http_5xx',
  });
const disabled = (endpointId: string): DomainEvent => domainEvent('webhook.endpoint.disabled', A.tenantId, { endpointId, url: 'https://x.example', reason: 'gone' });
const test = (endpointId: string): DomainEvent => domainEvent('webhook.test', A.tenantId, { endpointId, message: 'hi' });
const syncCompleted = (tenantId = A.tenantId): DomainEvent =>
  domainEvent('calendar.sync.completed', tenantId, { connectionId: 'c', calendarId: 'k', mode: 'full', resynced: false, created: 1, updated: 0, deleted: 0, unchanged: 0, pages: 1, durationMs: 5 });

describe('which endpoint receives which event', () => {
  it('applies exact, prefix and * filters', () => {
    expect(endpointReceives({ ...A, eventTypes: ['*'] }, syncCompleted())).toBe(true);
    expect(endpointReceives({ ...A, eventTypes: ['calendar.*'] }, syncCompleted())).toBe(true);
    expect(endpointReceives({ ...A, eventTypes: ['calendar.sync.completed'] }, syncCompleted())).toBe(true);
    expect(endpointReceives({ ...A, eventTypes: ['connection.*', 'calendar.event.created'] }, syncCompleted())).toBe(false);
  });

  it('never delivers to a disabled endpoint or across tenants', () => {
    expect(endpointReceives({ ...A, enabled: false }, syncCompleted())).toBe(false);
    expect(endpointReceives({ ...A, enabled: false }, test(A.id))).toBe(false);
    expect(endpointReceives(A, syncCompleted('tenant-b'))).toBe(false);
  });

  it('delivers webhook.test only to the endpoint it tests, whatever the filters', () => {
    expect(endpointReceives({ ...A, eventTypes: ['connection.created'] }, test(A.id))).toBe(true);
    expect(endpointReceives({ ...B, eventTypes: ['*'] }, test(A.id))).toBe(false);
  });

  it('keeps exhaustion and disable notices away from the endpoint they are about (no feedback loop)', () => {
    expect(endpointReceives(A, exhausted(A.id))).toBe(false);
    expect(endpointReceives(B, exhausted(A.id))).toBe(true);
    expect(endpointReceives(A, disabled(A.id))).toBe(false);
    expect(endpointReceives(B, disabled(A.id))).toBe(true);
    expect(endpointReceives(B, exhausted(A.id, 'webhook.delivery.exhausted'))).toBe(false);
  });

  it('builds the body as {type, timestamp, data}', () => {
    const event = test(A.id);
    expect(JSON.parse(webhookPayload(event))).toEqual({ type: 'webhook.test', timestamp: event.time, data: { endpointId: A.id, message: 'hi' } });
  });

  it('accepts only filters that name something we send', () => {
    for (const type of DOMAIN_EVENT_TYPE_NAMES) expect(unknownEventTypeFilter(type)).toBeNull();
    expect(unknownEventTypeFilter('*')).toBeNull();
    expect(unknownEventTypeFilter('calendar.*')).toBeNull();
    expect(unknownEventTypeFilter('calendar.event.*')).toBeNull();
    expect(unknownEventTypeFilter('calendar.event.moved')).toMatch(/not an event type/);
    expect(unknownEventTypeFilter('billing.*')).toMatch(/matches no event type/);
  });
});
