import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedConference } from '../../shared/domain/video-conference.ts';
import type { VideoMeetingSpec, VideoProvider } from '../../shared/ports/video-provider.ts';

/** What the provider itself holds for a meeting, read around our adapter (the oracle). */
export interface MeetingTruth {
  title: string;
  /** UTC ms. */
  startMs: number;
  endMs: number;
  joinUrl: string | null;
}

export interface VideoContractHarness {
  provider: VideoProvider;
  truth(ref: string): Promise<MeetingTruth | null>;
  /** Meetings at the provider with this title. */
  countAtProvider(title: string): Promise<number>;
  /** The next create is carried out by the provider, then its answer is lost (reset or gateway timeout). */
  loseNextCreateAnswer(): void;
  /** How many create answers were lost so far (proves the loss happened). */
  lostAnswers(): number;
  /** The meeting as our calendar sync reads its event back (Meet and Teams live on an event). */
  synced?(ref: string): Promise<NormalizedConference | null>;
  dispose(): Promise<void>;
}

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/**
 * The video port's contract, run against Zoom (simulator), Google Meet (Google simulator through the
 * Google calendar adapter) and Teams (Graph simulator through the Graph adapter): create, move on
 * reschedule (same link), delete on cancel, and one meeting per key even when a create's answer is lost.
 */
export function describeVideoContract(name: string, makeHarness: () => Promise<VideoContractHarness>): void {
  describe(`video provider contract: ${name}`, () => {
    let h: VideoContractHarness;
    let n = 0;
    const spec = (title: string, start = '2027-01-11T09:00:00Z', minutes = 30): VideoMeetingSpec => ({
      key: `contract/${name}/${title}`,
      title,
      start,
      end: new Date(at(start) + minutes * 60_000).toISOString(),
      timeZone: 'Europe/Berlin',
    });
    const unique = (what: string) => `${what} ${++n} ${Date.now().toString(36)}`;

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => h?.dispose());

    it('creates a meeting with a join URL at the asked time', async () => {
      const title = unique('Intro call');
      const meeting = await h.provider.createMeeting(spec(title));
      expect(meeting.provider).toBe(h.provider.kind);
      expect(() => new URL(meeting.joinUrl)).not.toThrow();
      expect(meeting.meetingId).not.toBe('');
      const truth = await h.truth(meeting.ref);
      expect(truth).toEqual({ title, startMs: at('2027-01-11T09:00:00Z'), endMs: at('2027-01-11T09:30:00Z'), joinUrl: meeting.joinUrl });
      expect(await h.countAtProvider(title)).toBe(1);
      expect(await h.provider.getMeeting(meeting.ref)).toMatchObject({ joinUrl: meeting.joinUrl, meetingId: meeting.meetingId });
    });

    it('moves the meeting on reschedule and keeps its link', async () => {
      const title = unique('Reschedule me');
      const first = await h.provider.createMeeting(spec(title));
      const moved = await h.provider.updateMeeting(first.ref, spec(title, '2027-01-12T14:00:00Z', 45));
      expect(moved.joinUrl).toBe(first.joinUrl);
      expect(moved.meetingId).toBe(first.meetingId);
      expect(moved.start).toBe(new Date('2027-01-12T14:00:00Z').toISOString());
      expect(await h.truth(first.ref)).toMatchObject({ startMs: at('2027-01-12T14:00:00Z'), endMs: at('2027-01-12T14:00:00Z') + 0.75 * HOUR, joinUrl: first.joinUrl });
      expect(await h.countAtProvider(title)).toBe(1);
    });

    it('deletes the meeting on cancel; deleting again is fine', async () => {
      const title = unique('Cancel me');
      const meeting = await h.provider.createMeeting(spec(title));
      await h.provider.deleteMeeting(meeting.ref);
      expect(await h.truth(meeting.ref)).toBeNull();
      expect(await h.provider.getMeeting(meeting.ref)).toBeNull();
      await expect(h.provider.deleteMeeting(meeting.ref)).resolves.toBeUndefined();
      expect(await h.countAtProvider(title)).toBe(0);
    });

    it('makes one meeting per key when a create is retried after its answer was lost', async () => {
      const title = unique('Lost answer');
      const lostBefore = h.lostAnswers();
      h.loseNextCreateAnswer();
      const first = await h.provider.createMeeting(spec(title)).catch(() => null);
      const retried = await h.provider.createMeeting(spec(title));
      expect(h.lostAnswers()).toBe(lostBefore + 1);
      if (first) expect(retried.ref).toBe(first.ref);
      expect(await h.countAtProvider(title)).toBe(1);
      expect((await h.truth(retried.ref))?.joinUrl).toBe(retried.joinUrl);
      // Another key is another meeting.
      const other = await h.provider.createMeeting({ ...spec(title), key: `${spec(title).key}/other` });
      expect(other.ref).not.toBe(retried.ref);
      expect(await h.countAtProvider(title)).toBe(2);
    });

    it('keeps the normalized conference through a sync round trip', async ({ skip }) => {
      if (!h.synced) skip();
      const meeting = await h.provider.createMeeting(spec(unique('Round trip')));
      expect(await h.synced!(meeting.ref)).toEqual({ provider: meeting.provider, joinUrl: meeting.joinUrl, meetingId: meeting.meetingId });
    });
  });
}
