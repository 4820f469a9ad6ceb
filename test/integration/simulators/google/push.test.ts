import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleSimulator, GoogleSimulatorOptions } from '../../../simulators/google/index.ts';
import { ALICE, manualClock, startReceiver, startWithAlice, timed, type ErrorJson, type Receiver } from './helpers.ts';

// Push channels (providers.md items 12–16) delivered to a receiver on a loopback port.
let sim: GoogleSimulator | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await sim?.stop();
  await receiver?.close();
  sim = undefined;
  receiver = undefined;
});

async function setup(options: GoogleSimulatorOptions = {}) {
  const clock = manualClock('2030-01-01T00:00:00Z');
  const started = await startWithAlice({ now: clock.now, pushRetryDelaysMs: [10, 20, 40], ...options });
  sim = started.sim;
  receiver = await startReceiver();
  const watch = (body: Record<string, unknown>) => started.api<Record<string, string>>('POST', `/calendar/v3/calendars/${encodeURIComponent(ALICE)}/events/watch`, body);
  return { ...started, clock, receiver, watch };
}

const change = (google: GoogleSimulator, i: number) => google.insertEvent(ALICE, { summary: `e${i}`, ...timed('2030-01-02T10:00:00Z', '2030-01-02T11:00:00Z') });

describe('events.watch', () => {
  it('answers with the channel, sends a sync message numbered 1, then one empty exists message per change', async () => {
    const { sim: google, receiver: hooks, watch } = await setup();

    const reply = await watch({ id: 'channel-1', type: 'web_hook', address: hooks.url, token: 'secret-token', params: { ttl: '3600' } });
    await hooks.waitFor(1);
    for (let i = 0; i < 4; i += 1) change(google, i);
    await hooks.waitFor(5);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      kind: 'api#channel',
      id: 'channel-1',
      resourceId: expect.any(String),
      resourceUri: `${google.url}calendar/v3/calendars/${encodeURIComponent(ALICE)}/events?alt=json`,
      token: 'secret-token',
      expiration: String(Date.parse('2030-01-01T00:00:00Z') + 3_600_000),
    });
    const [sync, ...changes] = hooks.received;
    expect(sync?.headers['x-goog-resource-state']).toBe('sync');
    expect(sync?.headers['x-goog-message-number']).toBe('1');
    for (const message of changes) {
      expect(message.body).toBe('');
      expect(message.headers).toMatchObject({
        'x-goog-channel-id': 'channel-1',
        'x-goog-resource-id': reply.body.resourceId,
        'x-goog-resource-state': 'exists',
        'x-goog-resource-uri': reply.body.resourceUri,
        'x-goog-channel-token': 'secret-token',
        'x-goog-channel-expiration': new Date(Number(reply.body.expiration)).toUTCString(),
      });
    }
    const numbers = hooks.received.map((m) => Number(m.headers['x-goog-message-number']));
    expect(numbers.every((n, i) => i === 0 || n > (numbers[i - 1] as number))).toBe(true);
    expect(numbers.some((n, i) => i > 0 && n - (numbers[i - 1] as number) > 1)).toBe(true);
  });

  it('retries 500/502/503/504 with backoff, gives up on other failures, and logs every attempt', async () => {
    const { sim: google, receiver: hooks, watch } = await setup();
    await watch({ id: 'channel-2', type: 'web_hook', address: hooks.url });
    await hooks.waitFor(1);
    await google.pushesSettled();

    hooks.script.push(503, 502, 200);
    change(google, 1);
    await hooks.waitFor(4);
    await google.pushesSettled();
    hooks.script.push(404);
    change(google, 2);
    await hooks.waitFor(5);
    await google.pushesSettled();
    hooks.script.push(500, 500, 500, 500);
    change(google, 3);
    await hooks.waitFor(9);
    await google.pushesSettled();

    const log = google.pushLog.filter((entry) => entry.state === 'exists');
    expect(log.map((entry) => [entry.attempt, entry.status, entry.outcome])).toEqual([
      [1, 503, 'retrying'],
      [2, 502, 'retrying'],
      [3, 200, 'delivered'],
      [1, 404, 'failed'],
      [1, 500, 'retrying'],
      [2, 500, 'retrying'],
      [3, 500, 'retrying'],
      [4, 500, 'failed'],
    ]);
    expect(hooks.received).toHaveLength(9);
  });

  it('channels/stop ends deliveries; unknown channels or a wrong resourceId answer 404', async () => {
    const { sim: google, receiver: hooks, watch, api } = await setup();
    const reply = await watch({ id: 'channel-3', type: 'web_hook', address: hooks.url });
    await hooks.waitFor(1);

    const wrongResource = await api<ErrorJson>('POST', '/calendar/v3/channels/stop', { id: 'channel-3', resourceId: 'other' });
    const stopped = await api('POST', '/calendar/v3/channels/stop', { id: 'channel-3', resourceId: reply.body.resourceId });
    const again = await api<ErrorJson>('POST', '/calendar/v3/channels/stop', { id: 'channel-3', resourceId: reply.body.resourceId });
    change(google, 1);
    await google.pushesSettled();

    expect(wrongResource.status).toBe(404);
    expect(stopped.status).toBe(204);
    expect(again.status).toBe(404);
    expect(hooks.received).toHaveLength(1);
  });

  it('channels expire: nothing is delivered after the expiration', async () => {
    const { sim: google, receiver: hooks, watch, clock } = await setup();
    await watch({ id: 'channel-4', type: 'web_hook', address: hooks.url, params: { ttl: '60' } });
    await hooks.waitFor(1);

    clock.advance(61_000);
    change(google, 1);
    await google.pushesSettled();

    expect(hooks.received).toHaveLength(1);
    expect(google.channels().find((c) => c.id === 'channel-4')?.expiration).toBe(Date.parse('2030-01-01T00:01:00Z'));
  });

  it('in manual mode holds messages until flushed, and can drop or duplicate them', async () => {
    const { sim: google, receiver: hooks, watch } = await setup({ deliverPushes: 'manual' });
    await watch({ id: 'channel-5', type: 'web_hook', address: hooks.url });
    change(google, 1);
    change(google, 2);
    change(google, 3);
    // Positive evidence that manual mode holds them: all four (sync + 3 changes) are queued, none was attempted.
    expect(google.queuedPushes()).toBe(4);
    expect(google.pushLog).toHaveLength(0);
    const beforeFlush = hooks.received.length;

    google.dropNextPushes(1); // the sync message
    google.duplicateNextPushes(1); // the first change
    await google.flushPushes();

    expect(beforeFlush).toBe(0);
    const numbers = hooks.received.map((m) => Number(m.headers['x-goog-message-number']));
    expect(numbers).toHaveLength(4);
    expect(numbers[0]).toBe(numbers[1]);
    expect(hooks.received.every((m) => m.headers['x-goog-resource-state'] === 'exists')).toBe(true);
    expect(google.pushLog.filter((e) => e.outcome === 'dropped').map((e) => e.state)).toEqual(['sync']);
    expect(google.pushLog.filter((e) => e.duplicate)).toHaveLength(1);
  });

  it('validates the watch request like Google', async () => {
    const { receiver: hooks, watch } = await setup();
    await watch({ id: 'taken', type: 'web_hook', address: hooks.url });

    const notHttps = await watch({ id: 'c-http', type: 'web_hook', address: 'http://calendar.example.com/hooks/google' });
    const duplicate = await watch({ id: 'taken', type: 'web_hook', address: hooks.url });
    const longId = await watch({ id: 'x'.repeat(65), type: 'web_hook', address: hooks.url });
    const badType = await watch({ id: 'c-type', type: 'email', address: hooks.url });
    const httpsElsewhere = await watch({ id: 'c-https', type: 'web_hook', address: 'https://calendar.example.com/hooks/google' });

    expect(notHttps.status).toBe(400);
    expect((notHttps.body as unknown as ErrorJson).error.errors[0]?.reason).toBe('push.webhookUrlNotHttps');
    expect(duplicate.status).toBe(400);
    expect((duplicate.body as unknown as ErrorJson).error.errors[0]?.reason).toBe('channelIdNotUnique');
    expect(longId.status).toBe(400);
    expect(badType.status).toBe(400);
    expect(httpsElsewhere.status).toBe(200);
  });

  it('needs a bearer token like every other call', async () => {
    const { sim: google, receiver: hooks } = await setup();

    const response = await fetch(`${google.url}calendar/v3/calendars/${encodeURIComponent(ALICE)}/events/watch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'c', type: 'web_hook', address: hooks.url }),
    });

    expect(response.status).toBe(401);
  });
});
