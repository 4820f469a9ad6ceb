import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { SealedSecret } from '../../../shared/ports/credential-cipher.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../shared/storage/encryption/local-key-wrapper.ts';

const aad = { tenantId: 't1', connectionId: 'con_1', provider: 'google' };
const secret = '{"kind":"oauth","refreshToken":"1//very-secret-refresh-token"}';

function cipherWith(key: Buffer, previousKeys: Buffer[] = []): EnvelopeCredentialCipher {
  return new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key, previousKeys }) });
}

async function openError(cipher: EnvelopeCredentialCipher, sealed: SealedSecret, associated: Record<string, string> = aad): Promise<AppError> {
  try {
    await cipher.open(sealed, associated);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('open succeeded but should have failed');
}

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index]! ^= 0x80;
  return bytes.toString('base64');
}

describe('EnvelopeCredentialCipher with LocalKeyWrapper', () => {
  const key = randomBytes(32);
  const cipher = cipherWith(key);

  it('seals to AES-256-GCM with a fresh IV and opens back', async () => {
    const first = await cipher.seal(secret, aad);
    const second = await cipher.seal(secret, aad);

    expect(first).toMatchObject({ alg: 'A256GCM', keyId: expect.stringMatching(/^local:[A-Za-z0-9_-]{12}$/) });
    expect(Buffer.from(first.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(first.tag, 'base64')).toHaveLength(16);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(JSON.stringify(first)).not.toContain('very-secret');
    expect(await cipher.open(first, aad)).toBe(secret);
    expect(await cipher.open(second, { provider: 'google', connectionId: 'con_1', tenantId: 't1' })).toBe(secret); // key order is irrelevant
  });

  it('refuses any other associated data, without retry and without the secret in the message', async () => {
    const sealed = await cipher.seal(secret, aad);
    const wrong = [
      { ...aad, tenantId: 't2' },
      { ...aad, connectionId: 'con_2' },
      { ...aad, provider: 'microsoft' },
      { ...aad, extra: 'x' },
      { tenantId: 't1', connectionId: 'con_1' },
    ];
    for (const associated of wrong) {
      const error = await openError(cipher, sealed, associated);
      expect(error).toMatchObject({ code: 'internal.unexpected', retryable: false });
      expect(error.message).not.toContain('secret-refresh');
    }
  });

  it('refuses a flipped bit anywhere in the IV, tag, ciphertext or wrapped key', async () => {
    const sealed = await cipher.seal(secret, aad);
    for (const field of ['iv', 'tag', 'ciphertext', 'encryptedKey'] as const) {
      const length = Buffer.from(sealed[field], 'base64').length;
      for (let index = 0; index < length; index++) {
        expect((await openError(cipher, { ...sealed, [field]: flipByte(sealed[field], index) })).code).toBe('internal.unexpected');
      }
    }
  });

  it('refuses altered metadata: algorithm, key id, truncated tag, non-canonical base64', async () => {
    const sealed = await cipher.seal(secret, aad);
    const truncatedTag = Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64');
    for (const altered of [
      { ...sealed, alg: 'A128GCM' },
      { ...sealed, keyId: 'local:AAAAAAAAAAAA' },
      { ...sealed, tag: truncatedTag },
      { ...sealed, ciphertext: `${sealed.ciphertext}!!` },
    ]) {
      expect((await openError(cipher, altered)).retryable).toBe(false);
    }
  });

  it('refuses a secret sealed under another key', async () => {
    const sealed = await cipherWith(randomBytes(32)).seal(secret, aad);
    expect((await openError(cipher, sealed)).code).toBe('internal.unexpected');
  });

  it('requires associated data that names the record', async () => {
    await expect(cipher.seal(secret, {})).rejects.toMatchObject({ code: 'internal.unexpected' });
    await expect(cipher.seal(secret, { tenantId: '' })).rejects.toMatchObject({ code: 'internal.unexpected' });
  });

  it('rotates keys: reseal re-encrypts under the new key, old ciphertext opens while the old key is configured', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = cipherWith(oldKey);
    const oldSealed = await before.seal(secret, aad);

    const rotated = cipherWith(newKey, [oldKey]);
    const resealed = await rotated.reseal(oldSealed, aad);

    expect(resealed.keyId).not.toBe(oldSealed.keyId);
    expect(resealed.keyId).toBe(new LocalKeyWrapper({ key: newKey }).keyId);
    expect(resealed.encryptedKey).not.toBe(oldSealed.encryptedKey);
    expect(resealed.ciphertext).not.toBe(oldSealed.ciphertext);
    expect(await rotated.open(oldSealed, aad)).toBe(secret);
    expect(await rotated.open(resealed, aad)).toBe(secret);
    // Once the old key is removed, only what was resealed still opens.
    const newOnly = cipherWith(newKey);
    expect(await newOnly.open(resealed, aad)).toBe(secret);
    expect((await openError(newOnly, oldSealed)).code).toBe('internal.unexpected');
    await expect(rotated.reseal(oldSealed, { ...aad, tenantId: 'other' })).rejects.toMatchObject({ code: 'internal.unexpected' });
  });

  it('accepts only 32-byte local keys', () => {
    expect(() => new LocalKeyWrapper({ key: randomBytes(16) })).toThrow(expect.objectContaining({ code: 'config.invalid' }));
    expect(() => LocalKeyWrapper.fromBase64(randomBytes(31).toString('base64'))).toThrow(expect.objectContaining({ code: 'config.invalid' }));
    expect(LocalKeyWrapper.fromBase64(key.toString('base64')).keyId).toBe(new LocalKeyWrapper({ key }).keyId);
  });
});
