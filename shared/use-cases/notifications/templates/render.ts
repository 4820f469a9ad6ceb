import type { OutboundMessage } from '../../../ports/notification-sender.ts';
import type { EmailAttachment } from '../../../ports/notification-sender.ts';
import { catalogFor, fill, type TemplateName } from './catalog.ts';

/** Where a rendered notification goes: the channel and its target. */
export type RenderTarget =
  | { channel: 'email'; email: string }
  | { channel: 'sms'; phone: string }
  | { channel: 'whatsapp'; phone: string }
  | { channel: 'slack'; webhookUrl: string };

export interface RenderInput {
  template: TemplateName;
  locale: string;
  /** Placeholder values, already formatted for the recipient (dates in their zone). */
  values: Record<string, string>;
  joinUrl?: string | null;
  notes?: string | null;
  attachments?: EmailAttachment[];
  unsubscribeUrl?: string | null;
}

const escapeHtml = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** Subjects are one line: whatever a value brings, no CR/LF reaches a header. */
const oneLine = (value: string): string => value.replace(/[\r\n\0]+/g, ' ').trim();
const slackEscape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The approved WhatsApp template of each notification and its body parameters (see the sandbox templates). */
function whatsappTemplate(template: TemplateName, values: Record<string, string>, join: string, subject: string, short: string): { name: string; bodyParameters: string[] } {
  switch (template) {
    case 'booking.created':
      return { name: 'booking_confirmed', bodyParameters: [values.title ?? '', values.when ?? '', join || '-'] };
    case 'booking.rescheduled':
      return { name: 'booking_rescheduled', bodyParameters: [values.title ?? '', values.when ?? '', join || '-'] };
    case 'booking.cancelled':
      return { name: 'booking_cancelled', bodyParameters: [values.title ?? '', values.when ?? ''] };
    case 'booking.reminder':
      return { name: 'booking_reminder', bodyParameters: [values.title ?? '', values.when ?? '', join || '-'] };
    default:
      return { name: 'operator_alert', bodyParameters: [subject, short] };
  }
}

/** Renders one template for one channel in the recipient's language. */
export function renderNotification(input: RenderInput, target: RenderTarget): OutboundMessage {
  const { language, catalog } = catalogFor(input.locale);
  const texts = catalog[input.template];
  const values = { ...input.values, join: input.joinUrl ? fill(catalog.common.join, { url: input.joinUrl }) : '' };
  const subject = oneLine(fill(texts.subject, values));
  const heading = fill(texts.heading, values);
  const lines = texts.lines.map((line) => fill(line, values)).filter((line) => line.trim() !== '' && !/^[^:]*:\s*$/.test(line));
  const joinLine = input.joinUrl ? fill(catalog.common.join, { url: input.joinUrl }) : null;
  const notesLine = input.notes ? fill(catalog.common.notes, { notes: input.notes }) : null;
  const short = oneLine(fill(texts.short, values)).replace(/\s+/g, ' ');

  if (target.channel === 'email') {
    const unsubscribe = input.unsubscribeUrl ? fill(catalog.common.unsubscribe, { url: input.unsubscribeUrl }) : null;
    const text = [heading, '', ...lines, ...(joinLine ? ['', joinLine] : []), ...(notesLine ? ['', notesLine] : []), ...(unsubscribe ? ['', '--', unsubscribe] : [])].join('\n');
    const htmlLines = texts.lines.map((line) => fill(line, values, escapeHtml)).filter((line) => line.trim() !== '' && !/^[^:]*:\s*$/.test(line));
    const html = [
      `<!doctype html><html lang="${language}"><body>`,
      `<h1>${fill(texts.heading, values, escapeHtml)}</h1>`,
      ...htmlLines.map((line) => `<p>${line}</p>`),
      ...(input.joinUrl ? [`<p><a href="${escapeHtml(input.joinUrl)}">${escapeHtml(joinLine!)}</a></p>`] : []),
      ...(notesLine ? [`<p>${escapeHtml(notesLine)}</p>`] : []),
      ...(input.unsubscribeUrl ? [`<hr><p><a href="${escapeHtml(input.unsubscribeUrl)}">${escapeHtml(unsubscribe!)}</a></p>`] : []),
      '</body></html>',
    ].join('\n');
    return {
      channel: 'email',
      to: target.email,
      subject,
      text,
      html,
      ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      ...(input.unsubscribeUrl ? { unsubscribeUrl: input.unsubscribeUrl } : {}),
    };
  }
  if (target.channel === 'sms') return { channel: 'sms', to: target.phone, text: short.slice(0, 640) };
  if (target.channel === 'whatsapp') {
    const chosen = whatsappTemplate(input.template, values, input.joinUrl ?? '', subject, short);
    return { channel: 'whatsapp', to: target.phone, template: { name: chosen.name, language, bodyParameters: chosen.bodyParameters }, preview: short };
  }
  const slackLines = texts.lines.map((line) => fill(line, values, slackEscape)).filter((line) => line.trim() !== '' && !/^[^:]*:\s*$/.test(line));
  return {
    channel: 'slack',
    webhookUrl: target.webhookUrl,
    // `text` and mrkdwn sections are parsed by Slack (<url|label>, <!channel>): escaped; the header is plain_text.
    text: slackEscape(`${subject}\n${short}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: slackLines.join('\n').slice(0, 3000) || ' ' } },
      ...(input.joinUrl ? [{ type: 'section', text: { type: 'mrkdwn', text: `<${input.joinUrl}|${slackEscape(joinLine!)}>` } }] : []),
    ],
  };
}
