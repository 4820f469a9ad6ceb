import { formatGraphDateTime, formatOriginalStart, formatTimestamp } from './graph-time.ts';
import { occurrenceICalUId } from './ids.ts';
import type { EventContent, GraphEvent, ItemBody, StoredEvent, ViewItem } from './model.ts';
import { spanOf } from './calendar-view.ts';

export interface RenderOptions {
  /** The `timeZone` written in `start`/`end` (the `Prefer: outlook.timezone` value, default `UTC`). */
  timeZoneName: string;
  /** Its IANA zone. */
  zone: string;
  /** `Prefer: outlook.body-content-type`; Graph answers HTML when absent. */
  bodyContentType: 'text' | 'html' | null;
  /** Delta items carry `@odata.type`. */
  withODataType?: boolean;
}

export const UTC_RENDER: RenderOptions = { timeZoneName: 'UTC', zone: 'UTC', bodyContentType: null };

export function etagOf(changeKey: string): string {
  return `W/"${changeKey}"`;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

function textToHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>\r\n');
  return `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n<div>${escaped}</div>\r\n</body>\r\n</html>\r\n`;
}

/** Outlook stores text bodies as HTML: a text body comes back wrapped unless the client prefers text. */
function renderBody(body: ItemBody, preferred: 'text' | 'html' | null): ItemBody {
  if (preferred === 'text') return { contentType: 'text', content: body.contentType === 'text' ? body.content : htmlToText(body.content) };
  if (body.contentType === 'html' || body.content === '') return { contentType: 'html', content: body.content };
  return { contentType: 'html', content: textToHtml(body.content) };
}

export function bodyPreview(body: ItemBody): string {
  const text = body.contentType === 'text' ? body.content : htmlToText(body.content);
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

function renderTime(content: EventContent, utcMs: number, which: 'start' | 'end', options: RenderOptions): { dateTime: string; timeZone: string } {
  // All-day events are floating: midnight to midnight whatever zone the client asks for.
  if (content.isAllDay) return { dateTime: `${content[which].dateTime.slice(0, 10)}T00:00:00.0000000`, timeZone: options.timeZoneName };
  return { dateTime: formatGraphDateTime(utcMs, options.zone), timeZone: options.timeZoneName };
}

function renderCommon(event: StoredEvent, content: EventContent, span: { startMs: number; endMs: number }, options: RenderOptions): Record<string, unknown> {
  return {
    ...(options.withODataType ? { '@odata.type': '#microsoft.graph.event' } : {}),
    createdDateTime: formatTimestamp(event.createdMs),
    categories: [...content.categories],
    transactionId: event.transactionId,
    originalStartTimeZone: content.start.timeZone,
    originalEndTimeZone: content.end.timeZone,
    reminderMinutesBeforeStart: content.reminderMinutesBeforeStart,
    isReminderOn: content.isReminderOn,
    hasAttachments: false,
    subject: content.subject,
    bodyPreview: bodyPreview(content.body),
    importance: content.importance,
    sensitivity: content.sensitivity,
    isAllDay: content.isAllDay,
    isCancelled: content.isCancelled,
    isOrganizer: event.isOrganizer,
    responseRequested: true,
    showAs: content.showAs,
    onlineMeetingUrl: null,
    isOnlineMeeting: content.isOnlineMeeting,
    onlineMeetingProvider: content.onlineMeetingProvider,
    allowNewTimeProposals: true,
    isDraft: false,
    hideAttendees: false,
    responseStatus: { ...event.responseStatus },
    body: renderBody(content.body, options.bodyContentType),
    start: renderTime(content, span.startMs, 'start', options),
    end: renderTime(content, span.endMs, 'end', options),
    location: { displayName: content.location.displayName, locationType: 'default', uniqueIdType: 'unknown' },
    locations: content.location.displayName ? [{ displayName: content.location.displayName, locationType: 'default', uniqueIdType: 'unknown' }] : [],
    attendees: content.attendees.map((a) => ({ type: a.type, status: { ...a.status }, emailAddress: { ...a.emailAddress } })),
    organizer: { emailAddress: { ...event.organizer.emailAddress } },
    onlineMeeting: content.onlineMeeting ? { ...content.onlineMeeting } : null,
  };
}

function webLink(id: string): string {
  return `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`;
}

/** A calendarView / delta / instances item. */
export function renderItem(item: ViewItem, options: RenderOptions): GraphEvent {
  const isInstance = item.originalStartMs !== null;
  return {
    '@odata.etag': etagOf(item.changeKey),
    id: item.id,
    lastModifiedDateTime: formatTimestamp(item.lastModifiedMs),
    changeKey: item.changeKey,
    iCalUId: isInstance ? occurrenceICalUId(item.event.iCalUId, item.originalStartMs!) : item.event.iCalUId,
    type: item.type,
    seriesMasterId: isInstance ? item.event.id : null,
    ...(isInstance ? { originalStart: formatOriginalStart(item.originalStartMs!) } : {}),
    webLink: webLink(item.id),
    recurrence: null,
    ...renderCommon(item.event, item.content, { startMs: item.startMs, endMs: item.endMs }, options),
  } as GraphEvent;
}

/** A single event or a series master as `GET /me/events/{id}` returns it. */
export function renderEvent(event: StoredEvent, options: RenderOptions): GraphEvent {
  return {
    '@odata.etag': etagOf(event.changeKey),
    id: event.id,
    lastModifiedDateTime: formatTimestamp(event.lastModifiedMs),
    changeKey: event.changeKey,
    iCalUId: event.iCalUId,
    type: event.recurrence ? 'seriesMaster' : 'singleInstance',
    seriesMasterId: null,
    webLink: webLink(event.id),
    recurrence: event.recurrence ? structuredClone(event.recurrence) : null,
    ...renderCommon(event, event, spanOf(event), options),
  } as GraphEvent;
}
