import { describe, expect, it } from 'vitest';
import { CATALOGS, TEMPLATE_NAMES, catalogFor, formatWhen } from '../../../shared/use-cases/notifications/templates/catalog.ts';
import { renderNotification } from '../../../shared/use-cases/notifications/templates/render.ts';
import { notificationIdFor } from '../../../shared/domain/notification.ts';

const values = { title: 'Intro <b>call</b>', name: 'Ana\r\nBcc: victim@example.com', when: 'Monday' };

describe('notification templates', () => {
  it('every language has every template', () => {
    for (const [language, catalog] of Object.entries(CATALOGS)) {
      for (const name of TEMPLATE_NAMES) expect(catalog[name]?.subject, `${language} ${name}`).toBeTruthy();
    }
  });

  it('picks the language of a regional locale and falls back to English', () => {
    expect(catalogFor('de-AT').language).toBe('de');
    expect(catalogFor('pt-BR').language).toBe('en');
  });

  it('formats times in the recipient zone and locale, across DST', () => {
    expect(formatWhen('2027-01-04T09:00:00Z', 'Europe/Berlin', 'de-DE')).toContain('10:00');
    expect(formatWhen('2027-07-05T09:00:00Z', 'Europe/Berlin', 'de-DE')).toContain('11:00');
    expect(formatWhen('2027-01-04T09:00:00Z', 'America/New_York', 'en-US')).toMatch(/04:00\sAM|4:00\sAM/);
    expect(formatWhen('2027-01-04T09:00:00Z', 'Not/AZone', 'xx-invalid-locale-!!')).toContain('09:00');
  });

  it('keeps values out of headers and markup: one-line subject, escaped HTML and Slack text', () => {
    const email = renderNotification({ template: 'booking.created', locale: 'en', values, joinUrl: 'https://meet.example/a?x=1&y=2' }, { channel: 'email', email: 'ana@example.com' });
    if (email.channel !== 'email') throw new Error('email expected');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).toContain('Intro &lt;b&gt;call&lt;/b&gt;');
    expect(email.html).not.toContain('<b>call</b>');
    expect(email.html).toContain('href="https://meet.example/a?x=1&amp;y=2"');
    const slack = renderNotification({ template: 'booking.created', locale: 'en', values }, { channel: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/x' });
    if (slack.channel !== 'slack') throw new Error('slack expected');
    const parsed = [slack.text, ...slack.blocks.filter((block) => (block.text as { type: string }).type === 'mrkdwn').map((block) => (block.text as { text: string }).text)];
    for (const text of parsed) expect(text).not.toContain('<b>');
    expect(slack.text).toContain('&lt;b&gt;');
  });

  it('maps each booking template to an approved WhatsApp template with its parameters', () => {
    const message = renderNotification({ template: 'booking.cancelled', locale: 'de', values: { title: 'Termin', when: 'Montag' } }, { channel: 'whatsapp', phone: '+4915112345678' });
    expect(message).toMatchObject({ channel: 'whatsapp', template: { name: 'booking_cancelled', language: 'de', bodyParameters: ['Termin', 'Montag'] } });
  });

  it('gives one id per (event, channel, recipient), sortable by the event time', () => {
    const a = notificationIdFor({ eventId: 'msg_1', time: '2026-12-07T10:00:00Z' }, 'email', 'Ana@Example.com');
    expect(a).toBe(notificationIdFor({ eventId: 'msg_1', time: '2026-12-07T10:00:00Z' }, 'email', 'ana@example.com'));
    expect(a).not.toBe(notificationIdFor({ eventId: 'msg_1', time: '2026-12-07T10:00:00Z' }, 'sms', 'ana@example.com'));
    expect(a).toMatch(/^ntf_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(notificationIdFor({ eventId: 'msg_0', time: '2026-12-07T09:00:00Z' }, 'email', 'z@example.com') < a).toBe(true);
  });
});
