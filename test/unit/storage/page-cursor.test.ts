import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from '../../../shared/storage/page-cursor.ts';

describe('page cursors', () => {
  it('round-trip any sort key with the expected prefix', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (suffix) => {
        expect(decodePageCursor(encodePageCursor(`CONN#${suffix}`), 'CONN#')).toBe(`CONN#${suffix}`);
      }),
    );
  });

  it('reject anything else with input.invalid on the cursor field, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.json().map((json) => Buffer.from(json).toString('base64url'))), (cursor) => {
        try {
          const sk = decodePageCursor(cursor, 'CONN#');
          expect(sk.startsWith('CONN#')).toBe(true);
        } catch (error) {
          expect(isAppError(error, 'input.invalid')).toBe(true);
        }
      }),
    );
    expect(() => decodePageCursor(encodePageCursor('CRED#con_1'), 'CONN#')).toThrow(expect.objectContaining({ code: 'input.invalid' }));
    expect(() => decodePageCursor(Buffer.from('{"sk":"CONN#a","pk":"T#x"}').toString('base64url'), 'CONN#')).toThrow(
      expect.objectContaining({ details: { field: 'query.cursor' } }),
    );
  });

  it('accept limits from 1 to 1000 only', () => {
    expect(validatePageLimit(1)).toBe(1);
    expect(validatePageLimit(1000)).toBe(1000);
    for (const bad of [0, -1, 1.5, 1001, Number.NaN]) expect(() => validatePageLimit(bad)).toThrow(expect.objectContaining({ code: 'input.invalid' }));
  });
});
