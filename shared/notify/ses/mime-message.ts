import { randomBytes } from 'node:crypto';
import { AppError } from '../../domain/app-error.ts';
import type { EmailMessage } from '../../ports/notification-sender.ts';

/**
 * The raw RFC 5322 / MIME message SES sends (SendEmail with Content.Raw): multipart/mixed holding a
 * multipart/alternative (text, HTML) and the attachments (the booking's .ics). Raw content is what lets us
 * attach the invitation and set List-Unsubscribe; every part is base64 so no line-length or 8-bit rules bite.
 */
const HEADER_UNSAFE = /[\r\n\0]/;

function checkHeaderValue(name: string, value: string): string {
  // A CR or LF in a header value would start a new header (Bcc: …): refuse, never strip.
  if (HEADER_UNSAFE.test(value)) throw new AppError('notify.rejected', `${name} contains a line break`, { retryable: false });
  return value;
}

/** RFC 2047 encoded-word for non-ASCII header text. */
function encodeHeaderText(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function base64Lines(content: string | Buffer): string {
  return (Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')).toString('base64').replace(/.{1,76}/g, '$&\r\n');
}

export function buildMimeMessage(from: string, message: EmailMessage, now: Date = new Date()): string {
  const mixed = `mixed_${randomBytes(12).toString('hex')}`;
  const alternative = `alt_${randomBytes(12).toString('hex')}`;
  const headers = [
    `From: ${checkHeaderValue('From', from)}`,
    `To: ${checkHeaderValue('To', message.to)}`,
    `Subject: ${encodeHeaderText(checkHeaderValue('Subject', message.subject))}`,
    `Date: ${now.toUTCString()}`,
    'MIME-Version: 1.0',
    ...(message.unsubscribeUrl
      ? [`List-Unsubscribe: <${checkHeaderValue('List-Unsubscribe', message.unsubscribeUrl)}>`, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click']
      : []),
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
  ];
  const parts = [
    `--${mixed}\r\nContent-Type: multipart/alternative; boundary="${alternative}"\r\n\r\n` +
      `--${alternative}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(message.text)}` +
      `--${alternative}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(message.html)}` +
      `--${alternative}--\r\n`,
    ...(message.attachments ?? []).map(
      (attachment) =>
        `--${mixed}\r\nContent-Type: ${checkHeaderValue('Content-Type', attachment.contentType)}; charset=UTF-8; name="${attachment.filename}"\r\n` +
        `Content-Disposition: attachment; filename="${checkHeaderValue('filename', attachment.filename).replace(/"/g, '')}"\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(attachment.content)}`,
    ),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${parts.join('')}--${mixed}--\r\n`;
}
