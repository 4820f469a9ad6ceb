import { de } from './de.ts';
import { en } from './en.ts';

/**
 * Notification texts, one small file per language (en.ts, de.ts): add a language by adding a file with
 * the same keys and listing it in CATALOGS. Dates are formatted by Intl in the recipient's zone and locale,
 * so a German invitee in Berlin reads "Montag, 4. Januar 2027 um 10:00 MEZ".
 */
export const TEMPLATE_NAMES = [
  'booking.created',
  'booking.rescheduled',
  'booking.cancelled',
  'booking.reminder',
  'operator.connection.reauth_required',
  'operator.connection.disabled',
  'operator.connection.sync_failed',
  'operator.webhook.endpoint.disabled',
  'operator.video.quota_exhausted',
  'operator.notification.channel_broken',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface MessageTemplate {
  subject: string;
  heading: string;
  /** Paragraphs; one that renders empty (a missing `{reason}`) is left out. */
  lines: string[];
  /** The SMS / chat form. */
  short: string;
}

export type TemplateCatalog = Record<TemplateName, MessageTemplate> & { common: { join: string; noJoin: string; unsubscribe: string; notes: string } };

export const CATALOGS: Record<string, TemplateCatalog> = { en, de };
export const DEFAULT_LOCALE = 'en';

/** The catalog for a BCP 47 locale (`de-AT` → de), English when we have no texts for it. */
export function catalogFor(locale: string): { language: string; catalog: TemplateCatalog } {
  const language = locale.toLowerCase().split(/[-_]/)[0] ?? DEFAULT_LOCALE;
  const catalog = CATALOGS[language];
  return catalog ? { language, catalog } : { language: DEFAULT_LOCALE, catalog: CATALOGS[DEFAULT_LOCALE]! };
}

/** Replaces `{name}` with values[name] (a missing value becomes empty); `escape` is applied to each value. */
export function fill(template: string, values: Record<string, string>, escape: (value: string) => string = (value) => value): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => escape(values[name] ?? ''));
}

function validZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function validLocale(locale: string): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0 ? locale : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** An instant as the recipient reads it: their locale's words and order, their zone's wall clock and zone name. */
export function formatWhen(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(validLocale(locale), {
    timeZone: validZone(timeZone),
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));
}
