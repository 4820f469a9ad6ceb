import { DecryptCommand, GenerateDataKeyCommand, KMSClient, type DecryptCommandInput, type GenerateDataKeyCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/domain/content-hash.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { KmsKeyWrapper } from '../../../shared/storage/encryption/kms-key-wrapper.ts';

const KEY_1 = 'arn:aws:kms:us-east-1:111122223333:key/key-1';
const KEY_2 = 'arn:aws:kms:us-east-1:111122223333:key/key-2';
const aad = { tenantId: 't1', connectionId: 'con_1', provider: 'google' };

/**
 * A KMS stand-in that really wraps keys (AES-GCM per KMS key, the encryption context as associated data),
 * so a wrong context or key fails the way KMS fails: InvalidCiphertextException / IncorrectKeyException.
 */
const kms = mockClient(KMSClient);

function fakeKms(): { throttleDecrypts: number } {
  const control = { throttleDecrypts: 0 };
  const masterKeys = new Map([KEY_1, KEY_2].map((id) => [id, randomBytes(32)]));
  const kmsError = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
  kms.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommandInput) => {
    const master = masterKeys.get(input.KeyId!)!;
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', master, iv);
    cipher.setAAD(Buffer.from(canonicalJson(input.EncryptionContext ?? {})));
    const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const blob = Buffer.concat([Buffer.from(input.KeyId!.padEnd(64)), iv, wrapped, cipher.getAuthTag()]);
    return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob), KeyId: input.KeyId };
  });
  kms.on(DecryptCommand).callsFake((input: DecryptCommandInput) => {
    if (control.throttleDecrypts > 0) {
      control.throttleDecrypts--;
      throw kmsError('ThrottlingException');
    }
    const blob = Buffer.from(input.CiphertextBlob!);
    const keyInBlob = blob.subarray(0, 64).toString().trim();
    if (input.KeyId && input.KeyId !== keyInBlob) throw kmsError('IncorrectKeyException');
    const decipher = createDecipheriv('aes-256-gcm', masterKeys.get(keyInBlob)!, blob.subarray(64, 76));
    decipher.setAAD(Buffer.from(canonicalJson(input.EncryptionContext ?? {})));
    decipher.setAuthTag(blob.subarray(108));
    try {
      return { Plaintext: new Uint8Array(Buffer.concat([decipher.update(blob.subarray(76, 108)), decipher.final()])), KeyId: keyInBlob };
    } catch {
      throw kmsError('InvalidCiphertextException');
    }
  });
  return control;
}

describe('KmsKeyWrapper', () => {
  let nowMs = 0;
  let control = { throttleDecrypts: 0 };
  const wrapper = (keyId = KEY_1, options: { maxCachedKeys?: number } = {}) =>
    new KmsKeyWrapper({ kms: new KMSClient({ region: 'us-east-1' }), keyId, now: () => nowMs, cacheTtlMs: 300_000, ...options });
  const cipher = (keyWrapper: KmsKeyWrapper) => new EnvelopeCredentialCipher({ keyWrapper });
  const calls = (command: 'generate' | 'decrypt') =>
    command === 'generate' ? kms.commandCalls(GenerateDataKeyCommand).length : kms.commandCalls(DecryptCommand).length;

  beforeEach(() => {
    kms.reset();
    nowMs = 0;
    control = fakeKms();
  });

  it('asks KMS for an AES_256 data key with the associated data as encryption context', async () => {
    const sealed = await cipher(wrapper()).seal('token', aad);

    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_1, KeySpec: 'AES_256', EncryptionContext: aad });
    expect(sealed.keyId).toBe(KEY_1);
    expect(await cipher(wrapper()).open(sealed, aad)).toBe('token');
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toMatchObject({ KeyId: KEY_1, EncryptionContext: aad });
  });

  it('calls KMS once per record while warm, not once per item', async () => {
    const warm = cipher(wrapper());
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => warm.seal(`token-${i}`, aad)));
    const opened = await Promise.all(sealed.map((s) => warm.open(s, aad)));
    expect(opened).toEqual(sealed.map((_, i) => `token-${i}`));
    expect(calls('generate')).toBe(1);
    expect(calls('decrypt')).toBe(0);

    const cold = cipher(wrapper());
    await Promise.all(Array.from({ length: 20 }, () => cold.open(sealed[0]!, aad)));
    expect(calls('decrypt')).toBe(1);
  });

  it('forgets data keys after the cache lifetime', async () => {
    const keyWrapper = wrapper();
    const sealed = await cipher(keyWrapper).seal('token', aad);
    nowMs = 299_999;
    await cipher(keyWrapper).seal('token', aad);
    await cipher(keyWrapper).open(sealed, aad);
    expect([calls('generate'), calls('decrypt')]).toEqual([1, 0]);

    nowMs = 300_000;
    await cipher(keyWrapper).seal('token', aad);
    await cipher(keyWrapper).open(sealed, aad);
    expect([calls('generate'), calls('decrypt')]).toEqual([2, 1]);
  });

  it('keeps at most maxCachedKeys data keys', async () => {
    const bounded = cipher(wrapper(KEY_1, { maxCachedKeys: 3 }));
    const sealed = [];
    for (let i = 0; i < 5; i++) sealed.push(await bounded.seal('token', { ...aad, connectionId: `con_${i}` }));
    expect(calls('generate')).toBe(5);

    await bounded.open(sealed[4]!, { ...aad, connectionId: 'con_4' }); // still cached
    expect(calls('decrypt')).toBe(0);
    await bounded.open(sealed[0]!, { ...aad, connectionId: 'con_0' }); // evicted
    expect(calls('decrypt')).toBe(1);
  });

  it('lets KMS refuse another record context: not retryable', async () => {
    const sealed = await cipher(wrapper()).seal('token', aad);
    const error = await cipher(wrapper())
      .open(sealed, { ...aad, tenantId: 't2' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'internal.unexpected', retryable: false });
  });

  it('reports KMS throttling as retryable and does not cache the failure', async () => {
    const sealed = await cipher(wrapper()).seal('token', aad);
    control.throttleDecrypts = 1;
    const keyWrapper = wrapper();

    await expect(cipher(keyWrapper).open(sealed, aad)).rejects.toMatchObject({ code: 'internal.unexpected', retryable: true });
    expect(await cipher(keyWrapper).open(sealed, aad)).toBe('token');
    expect(calls('decrypt')).toBe(2);
  });

  it('rotates to a new KMS key: old secrets still open, reseal moves them to the new key', async () => {
    const oldSealed = await cipher(wrapper(KEY_1)).seal('token', aad);
    const rotated = cipher(wrapper(KEY_2));

    expect(await rotated.open(oldSealed, aad)).toBe('token');
    const resealed = await rotated.reseal(oldSealed, aad);

    expect(resealed.keyId).toBe(KEY_2);
    expect(await cipher(wrapper(KEY_2)).open(resealed, aad)).toBe('token');
    expect(kms.commandCalls(DecryptCommand).map((call) => call.args[0].input.KeyId)).toEqual([KEY_1, KEY_2]);
  });
});
