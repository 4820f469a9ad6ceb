import type { TemplateCatalog } from './catalog.ts';

/** English texts. `{name}` placeholders are filled (and escaped for HTML) by render.ts. */
export const en: TemplateCatalog = {
  'booking.created': {
    subject: 'Confirmed: {title} — {when}',
    heading: '{title} is confirmed',
    lines: ['Hi {name},', 'your {title} is booked for {when}.', 'With: {people}'],
    short: 'Confirmed: {title}, {when}. {join}',
  },
  'booking.rescheduled': {
    subject: 'Rescheduled: {title} — now {when}',
    heading: '{title} has moved',
    lines: ['Hi {name},', 'your {title} now takes place {when} (it was {previous}).', 'With: {people}'],
    short: 'Moved: {title} is now {when}. {join}',
  },
  'booking.cancelled': {
    subject: 'Cancelled: {title} — {when}',
    heading: '{title} is cancelled',
    lines: ['Hi {name},', 'your {title} on {when} has been cancelled.', '{reason}'],
    short: 'Cancelled: {title}, {when}.',
  },
  'booking.reminder': {
    subject: 'Reminder: {title} — {when}',
    heading: '{title} starts soon',
    lines: ['Hi {name},', 'a reminder that your {title} starts {when}.', 'With: {people}'],
    short: 'Reminder: {title} starts {when}. {join}',
  },
  'operator.connection.reauth_required': {
    subject: 'Action needed: reconnect {account}',
    heading: 'A calendar connection needs reconnecting',
    lines: ['The {provider} account {account} ({connectionId}) no longer grants access: {error}.', 'Reconnect it to resume syncing and bookings.'],
    short: 'Reconnect {provider} account {account}: {error}',
  },
  'operator.connection.disabled': {
    subject: 'Calendar connection disabled: {account}',
    heading: 'A calendar connection was disabled',
    lines: ['The {provider} account {account} ({connectionId}) failed {errors} times in a row and is no longer synced: {error}.'],
    short: '{provider} account {account} disabled after {errors} failures: {error}',
  },
  'operator.connection.sync_failed': {
    subject: 'Calendar sync failing: {account}',
    heading: 'A calendar connection fails to sync',
    lines: ['Syncing the {provider} account {account} ({connectionId}) failed: {error}.', 'You get this at most once a day per connection.'],
    short: 'Sync of {provider} account {account} failed: {error}',
  },
  'operator.webhook.endpoint.disabled': {
    subject: 'Webhook endpoint disabled',
    heading: 'A webhook endpoint was disabled',
    lines: ['The endpoint {url} ({endpointId}) was disabled ({reason}). Fix it and enable it again to resume deliveries.'],
    short: 'Webhook endpoint {url} disabled ({reason})',
  },
  'operator.video.quota_exhausted': {
    subject: 'Video meeting quota used up',
    heading: 'The video meeting quota is used up',
    lines: ['The {provider} daily limit of {limit} meetings for {user} is reached; bookings are made without a link until {resetAt}.'],
    short: '{provider} quota ({limit}/day) used up for {user} until {resetAt}',
  },
  'operator.notification.channel_broken': {
    subject: 'Notification channel broken',
    heading: 'A notification channel stopped working',
    lines: ['The {kind} channel {channelId} ({target}) answered: {error}. It is marked broken; change its target to repair it.'],
    short: 'Notification channel {channelId} ({kind}) is broken: {error}',
  },
  common: {
    join: 'Join: {url}',
    noJoin: '',
    unsubscribe: 'Unsubscribe from these emails: {url}',
    notes: 'Notes: {notes}',
  },
};
