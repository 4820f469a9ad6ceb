import { createHash } from 'node:crypto';
import { googleErrors } from './errors.ts';
import type { ConferenceData, ConferenceState, EventInput } from './types.ts';

/**
 * Google Meet creation (providers.md item 21): honoured only with `conferenceDataVersion=1`; the write
 * answers `pending`, a later read shows `success` with `entryPoints[]` and `hangoutLink`; a repeated
 * `requestId` is ignored (the existing conference stays).
 */
export function nextConference(input: EventInput, existing: ConferenceState | null, conferenceDataVersion: number, eventId: string): ConferenceState | null {
  if (conferenceDataVersion < 1 || !('conferenceData' in input)) return existing;
  const data = input.conferenceData;
  if (data === null || data === undefined) return null;
  const request = data.createRequest;
  if (!request) return existing;
  if (typeof request.requestId !== 'string' || request.requestId.length === 0) throw googleErrors.invalid('Invalid conference create request.', 'conferenceData.createRequest.requestId');
  const type = request.conferenceSolutionKey?.type;
  if (type !== 'hangoutsMeet') throw googleErrors.invalid('Invalid conference type value.', 'conferenceData.createRequest.conferenceSolutionKey.type');
  if (existing && existing.requestId === request.requestId) return existing;
  return { requestId: request.requestId, status: 'pending', meetingCode: meetingCode(`${eventId}/${request.requestId}`) };
}

function pinOf(meetingCode: string): string {
  const digits = createHash('sha256').update(`pin/${meetingCode}`).digest().subarray(0, 9).reduce((text, byte) => text + String(byte % 10), '');
  return digits;
}

function meetingCode(seed: string): string {
  const letters = createHash('sha256')
    .update(seed)
    .digest()
    .subarray(0, 10)
    .reduce((text, byte) => text + String.fromCharCode(97 + (byte % 26)), '');
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7, 10)}`;
}

export function conferenceView(state: ConferenceState | null): { conferenceData: ConferenceData; hangoutLink: string | null } | null {
  if (!state) return null;
  const createRequest = { requestId: state.requestId, conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: state.status } };
  if (state.status === 'pending') return { conferenceData: { createRequest }, hangoutLink: null };
  const uri = `https://meet.google.com/${state.meetingCode}`;
  return {
    conferenceData: {
      createRequest,
      entryPoints: [
        { entryPointType: 'video', uri, label: `meet.google.com/${state.meetingCode}` },
        // Meet's dial-in: a number per region with a PIN (the number is a fictional one).
        { entryPointType: 'phone', uri: 'tel:+1-323-555-0142', label: '+1 323-555-0142', pin: pinOf(state.meetingCode), regionCode: 'US' },
      ],
      conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet', iconUri: 'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png' },
      conferenceId: state.meetingCode,
    },
    hangoutLink: uri,
  };
}
