export { createOAuthClient, createProvider, createGraphProvider, type GraphProviderOverrides } from './microsoft-module.ts';
export { GraphCalendarProvider, GRAPH_MAX_PAGE_SIZE, GRAPH_SUBSCRIPTION_MAX_MINUTES } from './graph-calendar-provider.ts';
export { MicrosoftOAuthClient, MICROSOFT_SCOPES } from './microsoft-oauth-client.ts';
