export { ZoomVideoProvider, ZoomS2STokens, ZoomUserTokens, requestS2SToken, zoomUserGrant, zoomReference } from './zoom/index.ts';
export { GoogleMeetVideoProvider } from './google-meet/google-meet-video-provider.ts';
export { TeamsVideoProvider, type GraphCalendarWithMeetings } from './teams/teams-video-provider.ts';
