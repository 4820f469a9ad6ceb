import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signManageToken, verifyManageToken } from '../../../shared/domain/manage-token.ts';

const key = randomBytes(32);
const endMs = Date.parse('2027-03-01T10:30:00Z');
const token = signManageToken(key, { tenantId: 'acme', bookingId: 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', expiresAtMs: endMs });

describe('manage link tokens', () => {
  it('open their own booking until it ends, naming the tenant', () => {
    expect(verifyManageToken(key, token, 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', endMs - 1)).toEqual({ ok: true, tenantId: 'acme', expiresAtMs: endMs });
  });

  it('are expired from the end on (only a genuine token is told expired)', () => {
    expect(verifyManageToken(key, token, 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', endMs)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyManageToken(randomBytes(32), token, 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', endMs + 1)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('are invalid for another booking, under another key, or with any part changed', () => {
    expect(verifyManageToken(key, token, 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZB', 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyManageToken(randomBytes(32), token, 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', 0)).toEqual({ ok: false, reason: 'invalid' });
    const [version, tenant, expires, mac] = token.split('.') as [string, string, string, string];
    // Another tenant, a later expiry, a truncated MAC, another version: each refused.
    for (const forged of [
      [version, Buffer.from('evil').toString('base64url'), expires, mac],
      [version, tenant, String(Number(expires) + 86_400), mac],
      [version, tenant, expires, mac.slice(0, -2)],
      ['mt2', tenant, expires, mac],
    ]) {
      expect(verifyManageToken(key, forged.join('.'), 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', 0)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuse garbage of any shape without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (garbage) => {
        expect(verifyManageToken(key, garbage, 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA', 0)).toEqual({ ok: false, reason: 'invalid' });
      }),
    );
  });

  it('carry the tenant for any tenant id and stay under the length cap', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._:@|-]{1,128}$/), (tenantId) => {
        const issued = signManageToken(key, { tenantId, bookingId: 'bkg_X', expiresAtMs: endMs });
        expect(issued.length).toBeLessThanOrEqual(512);
        expect(verifyManageToken(key, issued, 'bkg_X', endMs - 1000)).toMatchObject({ ok: true, tenantId });
      }),
    );
  });
});
