import { createHash } from 'node:crypto';
import { SCHEDULER_SHARDS } from './table-schema.ts';

/**
 * Every key of the table, in one place. Tenant-owned items always start their partition key with
 * `T#<tenantId>`, so a query built from a tenant id cannot reach another tenant's items (tenant ids cannot
 * contain `#`). Two lookups arrive without a tenant and are keyed by an unguessable random value whose item
 * carries the tenant: OAuth states (the provider's redirect brings only `state`) and push channels (the
 * provider's push brings only the channel or subscription id).
 */
export interface ItemKey {
  pk: string;
  sk: string;
}

const tenantPk = (tenantId: string): string => `T#${tenantId}`;

export const keys = {
  tenantPartition: tenantPk,

  connection: (tenantId: string, connectionId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `CONN#${connectionId}` }),
  connectionPrefix: 'CONN#',
  credentials: (tenantId: string, connectionId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `CRED#${connectionId}` }),

  calendar: (tenantId: string, calendarId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `CAL#${calendarId}` }),
  calendarPrefix: 'CAL#',
  /** gsi1: the calendars of one connection. */
  calendarsOfConnection: (tenantId: string, connectionId: string): string => `${tenantPk(tenantId)}#CONN#${connectionId}#CALS`,

  event: (tenantId: string, calendarId: string, eventId: string): ItemKey => ({
    pk: `${tenantPk(tenantId)}#CAL#${calendarId}`,
    sk: `EV#${eventId}`,
  }),
  eventPartition: (tenantId: string, calendarId: string): string => `${tenantPk(tenantId)}#CAL#${calendarId}`,
  eventPrefix: 'EV#',
  /** gsi1: a calendar's events by start time. */
  eventsByTime: (tenantId: string, calendarId: string): string => `${tenantPk(tenantId)}#CAL#${calendarId}#TIME`,
  /** gsi1 sort key of a bounded event: its UTC start. Masters and very long events use `X#` and are always read. */
  eventTimeSortKey: (startIso: string, eventId: string): string => `S#${startIso}#${eventId}`,
  eventUnboundedSortKey: (eventId: string): string => `X#${eventId}`,
  /** gsi1 sort key of a bounded series part (exception, occurrence): read apart from the singles under `S#`. */
  eventSeriesTimeSortKey: (startIso: string, eventId: string): string => `R#${startIso}#${eventId}`,
  /** gsi4: a calendar's single events that make its owner busy, by start time (sort key `eventTimeSortKey`). */
  busyEventsByTime: (tenantId: string, calendarId: string): string => `${tenantPk(tenantId)}#CAL#${calendarId}#BUSY`,

  webhookEndpoint: (tenantId: string, endpointId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `WHE#${endpointId}` }),
  webhookEndpointPrefix: 'WHE#',
  /** An endpoint's deliveries live in a partition of their own; gsi1 orders them by creation time. */
  webhookDelivery: (tenantId: string, endpointId: string, deliveryId: string): ItemKey => ({
    pk: `${tenantPk(tenantId)}#WHE#${endpointId}`,
    sk: `DLV#${deliveryId}`,
  }),
  webhookDeliveriesByTime: (tenantId: string, endpointId: string): string => `${tenantPk(tenantId)}#WHE#${endpointId}#DLVS`,
  webhookDeliveryTimeSortKey: (createdAtIso: string, deliveryId: string): string => `DLV#${createdAtIso}#${deliveryId}`,
  webhookDeliveryPrefix: 'DLV#',

  schedule: (tenantId: string, scheduleId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `SCH#${scheduleId}` }),
  schedulePrefix: 'SCH#',

  bookingType: (tenantId: string, bookingTypeId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `BKT#${bookingTypeId}` }),
  bookingTypePrefix: 'BKT#',
  booking: (tenantId: string, bookingId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `BKG#${bookingId}` }),
  bookingPrefix: 'BKG#',
  bookingOfEvent: (tenantId: string, eventId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `BKGEV#${eventId}` }),
  bookingAttempt: (tenantId: string, bookingId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `BKGATT#${bookingId}` }),

  notificationChannel: (tenantId: string, channelId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `NTC#${channelId}` }),
  notificationChannelPrefix: 'NTC#',
  /** The delivery log has a partition of its own per tenant, in id (= time) order. */
  notification: (tenantId: string, notificationId: string): ItemKey => ({ pk: `${tenantPk(tenantId)}#NTFS`, sk: `NTF#${notificationId}` }),
  notificationPartition: (tenantId: string): string => `${tenantPk(tenantId)}#NTFS`,
  notificationPrefix: 'NTF#',
  /** Recipients hashed: an address is personal data and must not be a key in backups. */
  notificationOptOut: (tenantId: string, channel: string, recipient: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `OPTOUT#${channel}#${sha256(recipient.toLowerCase())}` }),
  /** Global: the unsubscribe link brings only its token (hashed here like OAuth states). */
  unsubscribeToken: (token: string): ItemKey => ({ pk: `UNSUB#${sha256(token)}`, sk: 'TOKEN' }),

  /**
   * The integration log: every entry in its tenant's log partition, by time; gsi1 lists a connection's entries
   * (same sort key); an entry about a booking is also copied into the booking's own log partition.
   */
  integrationLogPartition: (tenantId: string): string => `${tenantPk(tenantId)}#LOG`,
  integrationLogOfConnection: (tenantId: string, connectionId: string): string => `${tenantPk(tenantId)}#CONN#${connectionId}#LOGS`,
  integrationLogOfBooking: (tenantId: string, bookingId: string): string => `${tenantPk(tenantId)}#BKG#${bookingId}#LOGS`,
  integrationLogSortKey: (atIso: string, entryId: string): string => `LOG#${atIso}#${entryId}`,
  integrationLogPrefix: 'LOG#',

  idempotency: (tenantId: string, key: string): ItemKey => ({ pk: `${tenantPk(tenantId)}#IDEM#${key}`, sk: 'IDEM' }),

  /** Global: a public booking page brings only its unguessable public id; the item names the booking type. */
  publicBookingType: (publicId: string): ItemKey => ({ pk: `PUBBKT#${publicId}`, sk: 'BOOKING_TYPE' }),
  /** Global: one token bucket; names hold client addresses (personal data), hashed like recipients. */
  rateBucket: (bucket: string): ItemKey => ({ pk: `RATE#${sha256(bucket)}`, sk: 'BUCKET' }),
  /** Global: a deployment signing key (sealed), by purpose. */
  signingKey: (purpose: string): ItemKey => ({ pk: `SIGNKEY#${purpose}`, sk: 'KEY' }),

  /** Global: the `state` is hashed so the raw value (a bearer of the flow) is not a key in backups. */
  oauthState: (state: string): ItemKey => ({ pk: `OAUTH#${sha256(state)}`, sk: 'STATE' }),
  /** Global: Google channel ids are ours (random); Graph subscription ids are Graph's. */
  pushChannel: (channelId: string): ItemKey => ({ pk: `PUSH#${channelId}`, sk: 'CHANNEL' }),

  /** gsi2 / gsi3 shard of a calendar, stable per calendar. */
  shardOf: (calendarId: string): number => createHash('sha1').update(calendarId).digest()[0]! % SCHEDULER_SHARDS,
  syncDuePartition: (shard: number): string => `SYNCDUE#${shard}`,
  syncDueSortKey: (dueIso: string, tenantId: string, calendarId: string): string => `${dueIso}#${tenantId}#${calendarId}`,
  pushExpiryPartition: (shard: number): string => `PUSHEXP#${shard}`,
  pushExpirySortKey: (expiresIso: string, tenantId: string, calendarId: string): string => `${expiresIso}#${tenantId}#${calendarId}`,
};

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
