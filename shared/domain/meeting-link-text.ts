/**
 * The text a booking puts on its calendar event for a Zoom meeting (the location is the join URL, the
 * description has a `Join Zoom: <url>` paragraph), and its removal when the meeting is gone. Removal takes
 * out only that text — a location that is exactly a join URL of the meeting, description lines that are
 * exactly our `Join Zoom:` line for it — and leaves whatever the host or invitee wrote, the same URL
 * pasted into their own sentence included.
 */
export const ZOOM_JOIN_PREFIX = 'Join Zoom: ';

export function zoomJoinLine(joinUrl: string): string {
  return `${ZOOM_JOIN_PREFIX}${joinUrl}`;
}

/** A Zoom join URL (`https://<any>.zoom.us/j/<id>?pwd=…`, `/w/` for webinars) of meeting `meetingId`. */
export function isZoomJoinUrlOf(text: string, meetingId: string): boolean {
  const match = /^https:\/\/(?:[\w-]+\.)*zoom(?:gov)?\.(?:us|com)\/[jw]\/(\d+)(?:[?#]\S*)?$/i.exec(text.trim());
  return match !== null && match[1] === meetingId;
}

/** The location without the meeting's join URL: null when it was that URL, else unchanged (`undefined`: nothing to change). */
export function locationWithoutMeeting(location: string | null, meetingId: string): null | undefined {
  return location !== null && isZoomJoinUrlOf(location, meetingId) ? null : undefined;
}

/** The description without our `Join Zoom:` line for the meeting; `undefined` when it has none (nothing to change). */
export function descriptionWithoutMeeting(description: string | null, meetingId: string): string | null | undefined {
  if (description === null) return undefined;
  const lines = description.split(/\r?\n/);
  const kept = lines.filter((line) => {
    const text = line.trim();
    return !(text.startsWith(ZOOM_JOIN_PREFIX) && isZoomJoinUrlOf(text.slice(ZOOM_JOIN_PREFIX.length), meetingId));
  });
  if (kept.length === lines.length) return undefined;
  // Our line was a paragraph of its own: close the gap it leaves.
  const text = kept.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+|\n+$/g, '');
  return text.length > 0 ? text : null;
}
