import * as z from 'zod/mini';

/** Our resource ids: `prefix_` + 26 Crockford base32 characters (see shared/domain/ids.ts). */
export const ResourceId = z.string().check(z.regex(/^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/, 'an id such as con_01JB3Y6M2QH9N7S5V4T0W8X1ZA'));

/** A whole number in a query string, within bounds. */
export function intQuery(min: number, max: number, fallback: number) {
  return z.prefault(
    z.pipe(z.string().check(z.regex(/^\d+$/, 'a whole number')), z.transform(Number)).check(
      z.refine((n) => n >= min && n <= max, `from ${min} to ${max}`),
    ),
    String(fallback),
  );
}

/** An opaque list cursor as returned in `nextCursor`. */
export const CursorQuery = z.optional(z.string().check(z.minLength(1), z.maxLength(2048), z.regex(/^[A-Za-z0-9_-]+$/, 'a cursor returned by a previous page')));

export const PaginationQuery = z.object({
  cursor: CursorQuery,
  limit: intQuery(1, 200, 50),
});

export function pageOf<T extends z.ZodMiniType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
}

export const IdParams = z.object({ id: ResourceId });
