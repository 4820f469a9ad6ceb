import type { BookingMeetingRecord, VideoConnection, VideoCredentials } from '../domain/video-connection.ts';
import type { Page, PageRequest } from './page.ts';

/**
 * Zoom connections with their sealed credentials, the per-host daily usage we count, and the meeting of
 * each booking (with a tenant-free index by Zoom meeting id, because Zoom's webhooks bring only that).
 */
export interface VideoConnectionStore {
  get(tenantId: string, connectionId: string): Promise<VideoConnection | null>;
  /** Every video connection of the tenant (the health summary; a tenant has a handful). */
  listAll(tenantId: string): Promise<VideoConnection[]>;
  /** One page of the tenant's video connections (GET /v1/connections/zoom), in id order. */
  list(tenantId: string, page: PageRequest): Promise<Page<VideoConnection>>;
  /** Removes the connection with its sealed credentials; false when there was none. Usage counters expire by themselves. */
  delete(tenantId: string, connectionId: string): Promise<boolean>;
  /** Creates or replaces (reconnect of the same account) the connection and its credentials. */
  save(connection: VideoConnection, credentials: VideoCredentials): Promise<VideoConnection>;
  getCredentials(tenantId: string, connectionId: string): Promise<{ credentials: VideoCredentials; version: number } | null>;
  /** Conditional on `expectedVersion` (rotating refresh tokens); `storage.conflict` when someone wrote first. */
  putCredentials(tenantId: string, connectionId: string, credentials: VideoCredentials, expectedVersion: number): Promise<void>;
  /** Create/update requests made today for a Zoom user of the connection. */
  usage(tenantId: string, connectionId: string, zoomUserId: string, day: string): Promise<number>;
  /**
   * Every Zoom user of the connection with requests counted on `day`, and how many.
   * @example await store.usageByUser('acme', 'vcn_…', '2027-01-15') // Map { 'KDcuGIm1' => 3, 'x9Yq' => 1 }
   */
  usageByUser(tenantId: string, connectionId: string, day: string): Promise<Map<string, number>>;
  /** Counts one request (`by`), or sets the count to at least `atLeast` (Zoom said the quota is used up). */
  recordUsage(tenantId: string, connectionId: string, zoomUserId: string, day: string, change: { by: number } | { atLeast: number }): Promise<number>;
}

export interface BookingMeetingStore {
  getMeeting(tenantId: string, bookingId: string): Promise<BookingMeetingRecord | null>;
  /** Stores the booking's meeting; replaces an older one (after a move that had to recreate it). */
  putMeeting(record: BookingMeetingRecord): Promise<void>;
  deleteMeeting(tenantId: string, bookingId: string): Promise<void>;
  /** The booking a Zoom meeting belongs to (webhooks carry only the meeting id). */
  findByZoomMeeting(meetingId: string): Promise<BookingMeetingRecord | null>;
}
