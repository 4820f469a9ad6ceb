import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationOverrides } from '../../shared/runtime/deps/notifications.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/** Notification channels, the consumer and the outbox through the local stack (api-notifications, notification-sender wired from the topology). */
let stack: TestStack;
let otherToken: string;

beforeAll(async () => {
  // A public address for the Slack host (no DNS here); the check still runs on what it resolves to.
  notificationOverrides.resolver = async () => [{ address: '54.230.10.42', family: 4 }];
  stack = await startTestStack();
  otherToken = await stack.tokenFor('other-tenant');
}, 120_000);
afterAll(async () => {
  delete notificationOverrides.resolver;
  await stack?.stop();
});

const post = (path: string, body: unknown, token?: string) => stack.api(path, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) });

interface ChannelView {
  id: string;
  kind: string;
  target: { email?: string; phone?: string; webhookUrl?: string };
  eventTypes: string[];
  status: string;
}

describe('notification channels', () => {
  it('creates, lists, reads, changes and deletes channels of every kind; the Slack URL is sealed and shown masked', async () => {
    const hook = 'https://hooks.slack.com/services/T0AAAA/B0BBBB/secretpartXYZ123';
    const email = await json<ChannelView>(await post('/v1/notification-channels', { kind: 'email', target: { email: 'ops@example.com' }, eventTypes: ['connection.*'] }), 201);
    const sms = await json<ChannelView>(await post('/v1/notification-channels', { kind: 'sms', target: { phone: '+4915112345678' }, eventTypes: ['connection.disabled'] }), 201);
    const slack = await json<ChannelView>(await post('/v1/notification-channels', { kind: 'slack', target: { webhookUrl: hook }, eventTypes: ['*'] }), 201);
    const whatsapp = await json<ChannelView>(await post('/v1/notification-channels', { kind: 'whatsapp', target: { phone: '+14155550100' }, eventTypes: ['video.quota_exhausted'] }), 201);
    expect(email.target).toEqual({ email: 'ops@example.com' });
    expect(slack.target.webhookUrl).toBe('https://hooks.slack.com/services/…');
    expect(JSON.stringify(slack)).not.toContain('secretpartXYZ123');

    const listed = await json<{ items: ChannelView[] }>(await stack.api('/v1/notification-channels'));
    expect(listed.items.map((c) => c.id).sort()).toEqual([email.id, sms.id, slack.id, whatsapp.id].sort());
    expect((await json<ChannelView>(await stack.api(`/v1/notification-channels/${sms.id}`))).target.phone).toBe('+4915112345678');

    // At rest: no item holds the hook's secret part in the clear.
    const admin = new DynamoDBClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const items = await admin.send(new ScanCommand({ TableName: process.env.TABLE_NAME ?? 'calendar-integrations' }));
    admin.destroy();
    const stored = items.Items!.filter((item) => item.sk?.S === `NTC#${slack.id}`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sealedSecret?.M?.ciphertext?.S).toBeTruthy();
    expect(JSON.stringify(items.Items)).not.toContain('secretpartXYZ123');

    const changed = await json<ChannelView>(await stack.api(`/v1/notification-channels/${email.id}`, { method: 'PATCH', body: JSON.stringify({ eventTypes: ['webhook.endpoint.disabled'], target: { email: 'oncall@example.com' } }) }));
    expect(changed).toMatchObject({ eventTypes: ['webhook.endpoint.disabled'], target: { email: 'oncall@example.com' } });

    // Other tenants see nothing of it.
    expect((await stack.api(`/v1/notification-channels/${email.id}`, { token: otherToken })).status).toBe(404);
    expect((await stack.api(`/v1/notification-channels/${email.id}`, { method: 'DELETE', token: otherToken })).status).toBe(404);
    expect((await json<{ items: unknown[] }>(await stack.api('/v1/notification-channels', { token: otherToken }))).items).toEqual([]);

    expect((await stack.api(`/v1/notification-channels/${whatsapp.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await stack.api(`/v1/notification-channels/${whatsapp.id}`)).status).toBe(404);
  });

  it.each([
    ['a phone number that is not E.164', { kind: 'sms', target: { phone: '0151 1234567' }, eventTypes: ['*'] }, 'body.target.phone'],
    ['a WhatsApp number without the plus', { kind: 'whatsapp', target: { phone: '4915112345678' }, eventTypes: ['*'] }, 'body.target.phone'],
    ['an email with a header injection', { kind: 'email', target: { email: 'ops@example.com\r\nBcc: victim@example.com' }, eventTypes: ['*'] }, 'body.target.email'],
    ['an email that is a list', { kind: 'email', target: { email: 'ops@example.com, victim@example.com' }, eventTypes: ['*'] }, 'body.target.email'],
    ['a plain-http Slack URL', { kind: 'slack', target: { webhookUrl: 'http://hooks.slack.com/services/T/B/x' }, eventTypes: ['*'] }, 'body.target.webhookUrl'],
    ['a Slack URL on a private address', { kind: 'slack', target: { webhookUrl: 'https://10.0.0.5/services/T/B/x' }, eventTypes: ['*'] }, 'body.target.webhookUrl'],
    ['a target field of another kind', { kind: 'slack', target: { email: 'ops@example.com' }, eventTypes: ['*'] }, 'body.target.email'],
    ['no target for the kind', { kind: 'sms', target: {}, eventTypes: ['*'] }, 'body.target.phone'],
    ['an unknown event type', { kind: 'email', target: { email: 'ops@example.com' }, eventTypes: ['connection.exploded'] }, 'body.eventTypes[0]'],
    ['an unknown kind', { kind: 'pager', target: {}, eventTypes: ['*'] }, 'body.kind'],
  ])('answers 400 naming the field for %s', async (_name, body, field) => {
    const response = await post('/v1/notification-channels', body);
    expect(response.status, await response.clone().text()).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { field?: string; errors?: { field: string }[] };
    const fields = [problem.field, ...(problem.errors ?? []).map((e) => e.field)];
    expect(fields).toContain(field);
  });
});
