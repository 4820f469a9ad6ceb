/**
 * Events that operator channels can subscribe to beyond the domain events of this service: other features
 * emit them (the video work's quota notice) or we do (a broken notification channel).
 */
export const OPERATOR_EVENT_TYPES: readonly string[] = ['video.quota_exhausted', 'notification.channel_broken'];

/** The events an operator gets notices for (each goes to the channels whose eventTypes match). */
export const OPERATOR_NOTICE_EVENTS: readonly string[] = [
  'connection.reauth_required',
  'connection.disabled',
  'connection.sync_failed',
  'webhook.endpoint.disabled',
  'video.quota_exhausted',
  'notification.channel_broken',
];
