import type { BookingType, BookingTypeContent } from '../domain/booking-type.ts';
import type { Page, PageRequest } from './page.ts';

export type BookingTypePatch = Partial<BookingTypeContent> & { updatedAt: string; publicId?: string };

/** Booking types, tenant-scoped: an id of another tenant is simply not found. */
export interface BookingTypeStore {
  create(bookingType: BookingType): Promise<void>;
  get(tenantId: string, bookingTypeId: string): Promise<BookingType | null>;
  /** The booking type whose public page this is (any tenant: the public id is unguessable); null if none. */
  findByPublicId(publicId: string): Promise<BookingType | null>;
  /** In id (creation) order. */
  list(tenantId: string, page: PageRequest): Promise<Page<BookingType>>;
  /** Conditional on `expectedVersion`: `storage.conflict` when someone else wrote first, `resource.not_found` when gone. */
  update(tenantId: string, bookingTypeId: string, expectedVersion: number, patch: BookingTypePatch): Promise<BookingType>;
  /** False when there was nothing to delete. */
  delete(tenantId: string, bookingTypeId: string): Promise<boolean>;
}
