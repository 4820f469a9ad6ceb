import { systemClock } from '../../shared/ports/clock.ts';
import { ZoomS2STokens, ZoomVideoProvider } from '../../shared/providers/video/index.ts';
import { seedZoomSandbox, startZoomSimulator } from '../simulators/zoom/index.ts';
import { describeVideoContract } from './video-contract.ts';

describeVideoContract('Zoom (simulator)', async () => {
  const sim = await startZoomSimulator();
  const { app, host } = seedZoomSandbox(sim);
  const tokens = new ZoomS2STokens(sim.endpoints.oauthUrl, app, systemClock);
  const provider = new ZoomVideoProvider({ apiUrl: sim.endpoints.apiUrl, tokens, userId: host.email, clock: systemClock, sleep: async () => {} });
  return {
    provider,
    truth: async (ref) => {
      const meeting = sim.meeting(ref);
      return meeting ? { title: meeting.topic, startMs: Date.parse(meeting.start_time), endMs: Date.parse(meeting.start_time) + meeting.duration * 60_000, joinUrl: meeting.join_url } : null;
    },
    countAtProvider: async (title) => sim.meetings(host.id).filter((m) => m.topic === title).length,
    loseNextCreateAnswer: () => sim.failNext({ method: 'POST', pathPattern: /\/meetings$/, status: 'reset', phase: 'after' }),
    lostAnswers: () => sim.requestLog().filter((entry) => entry.method === 'POST' && entry.status === 'reset').length,
    dispose: () => sim.stop(),
  };
});
