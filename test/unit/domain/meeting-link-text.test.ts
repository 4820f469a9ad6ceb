import { describe, expect, it } from 'vitest';
import { descriptionWithoutMeeting, isZoomJoinUrlOf, locationWithoutMeeting, zoomJoinLine } from '../../../shared/domain/meeting-link-text.ts';

const url = 'https://zoom.us/j/81234567890?pwd=abcDEF123';
const other = 'https://us02web.zoom.us/j/99999999999?pwd=zzz';

describe('removing a Zoom meeting\'s text from a booking event', () => {
  it('knows a join URL of this meeting from another meeting\'s or another site\'s', () => {
    expect(isZoomJoinUrlOf(url, '81234567890')).toBe(true);
    expect(isZoomJoinUrlOf('https://us02web.zoom.us/j/81234567890', '81234567890')).toBe(true);
    expect(isZoomJoinUrlOf(other, '81234567890')).toBe(false);
    expect(isZoomJoinUrlOf('https://zoom.us.evil.example/j/81234567890', '81234567890')).toBe(false);
    expect(isZoomJoinUrlOf(`see ${url}`, '81234567890')).toBe(false);
  });

  it('clears a location that is the join URL, and leaves any other location alone', () => {
    expect(locationWithoutMeeting(url, '81234567890')).toBeNull();
    expect(locationWithoutMeeting(` ${url} `, '81234567890')).toBeNull();
    expect(locationWithoutMeeting(`Room 4 / ${url}`, '81234567890')).toBeUndefined();
    expect(locationWithoutMeeting(other, '81234567890')).toBeUndefined();
    expect(locationWithoutMeeting(null, '81234567890')).toBeUndefined();
  });

  it('takes out only our Join Zoom line, keeping the notes, the booking line and a URL the user wrote themselves', () => {
    // The description exactly as create-booking writes it.
    const written = ['Notes from Vera: bring the slides', zoomJoinLine(url), 'Booking bkg_1'].join('\n\n');
    expect(descriptionWithoutMeeting(written, '81234567890')).toBe('Notes from Vera: bring the slides\n\nBooking bkg_1');
    const own = `My own link: ${url}\n\n${zoomJoinLine(url)}\n\nBooking bkg_1`;
    expect(descriptionWithoutMeeting(own, '81234567890')).toBe(`My own link: ${url}\n\nBooking bkg_1`);
    // Graph answers with CRLF line ends; another meeting's line stays.
    expect(descriptionWithoutMeeting(`${zoomJoinLine(url)}\r\n\r\n${zoomJoinLine(other)}`, '81234567890')).toBe(zoomJoinLine(other));
    expect(descriptionWithoutMeeting(zoomJoinLine(url), '81234567890')).toBeNull();
    expect(descriptionWithoutMeeting('nothing of ours', '81234567890')).toBeUndefined();
    expect(descriptionWithoutMeeting(null, '81234567890')).toBeUndefined();
  });
});
