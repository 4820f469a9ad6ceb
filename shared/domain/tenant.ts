import * as z from 'zod/mini';

/**
 * Tenants are the isolation boundary: every storage key starts from the tenant id. The id comes from a JWT
 * claim; `#` is reserved as the key separator, so the alphabet is restricted.
 */
export const TenantId = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.regex(/^[A-Za-z0-9._:@|-]+$/, 'tenant id may contain letters, digits and . _ : @ | - only'),
);
export type TenantId = z.infer<typeof TenantId>;

export const Tenant = z.object({
  id: TenantId,
  name: z.optional(z.string()),
  createdAt: z.iso.datetime({ offset: true }),
});
export type Tenant = z.infer<typeof Tenant>;
