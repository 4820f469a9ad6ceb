export { createProvider, createCaldavProvider, probeCaldavAccount, caldavOutboundPolicy, type CaldavProviderSetup, type CaldavAccountProbeResult } from './caldav-module.ts';
export { CaldavCalendarProvider } from './caldav-calendar-provider.ts';
export { MULTIGET_BATCH } from './caldav-changes.ts';
export { createCaldavFetch, type CaldavFetch } from './caldav-fetch.ts';
