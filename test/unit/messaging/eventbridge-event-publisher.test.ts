import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { domainEvent, type DomainEvent } from '../../../shared/domain/domain-events.ts';
import { EventBridgeEventPublisher } from '../../../shared/messaging/eventbridge-event-publisher.ts';

const eventBridge = mockClient(EventBridgeClient);
const noSleep = async () => {};

function syncCompleted(i: number, padding = 0): DomainEvent {
  return domainEvent('calendar.sync.completed', 'acme', {
    connectionId: `con_${i}${'x'.repeat(padding)}`,
    calendarId: 'cal_1',
    mode: 'full',
    resynced: false,
    created: i,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    pages: 1,
    durationMs: 1,
  });
}

describe('EventBridgeEventPublisher', () => {
  beforeEach(() => eventBridge.reset());

  it('sends batches of at most 10 entries on the configured bus with the domain source', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const publisher = new EventBridgeEventPublisher({ client: new EventBridgeClient({}), busName: 'bus-1', sleep: noSleep });
    await publisher.publish(Array.from({ length: 23 }, (_, i) => syncCompleted(i)));
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    const entry = calls[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ EventBusName: 'bus-1', Source: 'calendar-integrations', DetailType: 'calendar.sync.completed' });
    expect(JSON.parse(entry.Detail!).data.created).toBe(0);
  });

  it('splits by size so no request exceeds 256 KB', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({})) }));
    const publisher = new EventBridgeEventPublisher({ client: new EventBridgeClient({}), busName: 'bus', sleep: noSleep });
    await publisher.publish(Array.from({ length: 6 }, (_, i) => syncCompleted(i, 100_000)));
    for (const call of eventBridge.commandCalls(PutEventsCommand)) {
      const bytes = call.args[0].input.Entries!.reduce((sum, e) => sum + Buffer.byteLength(e.Detail!), 0);
      expect(bytes).toBeLessThan(256 * 1024);
    }
    expect(eventBridge.commandCalls(PutEventsCommand).length).toBe(3);
  });

  it('retries only the entries that failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure' }, { EventId: 'c' }, { ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }, { EventId: 'd' }] });
    const publisher = new EventBridgeEventPublisher({ client: new EventBridgeClient({}), busName: 'bus', sleep: noSleep });
    const events = [0, 1, 2, 3].map((i) => syncCompleted(i));
    await publisher.publish(events);
    const retry = eventBridge.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!;
    expect(retry.map((e) => JSON.parse(e.Detail!).id)).toEqual([events[1]!.id, events[3]!.id]);
  });

  it('throws a retryable AppError when entries keep failing', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const publisher = new EventBridgeEventPublisher({ client: new EventBridgeClient({}), busName: 'bus', sleep: noSleep });
    const error = await publisher.publish([syncCompleted(1)]).catch((e: unknown) => e);
    expect(isAppError(error)).toBe(true);
    expect(isAppError(error) && error.retryable).toBe(true);
    expect(eventBridge.commandCalls(PutEventsCommand).length).toBe(4);
  });
});
