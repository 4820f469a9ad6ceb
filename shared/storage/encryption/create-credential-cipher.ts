import type { KMSClient } from '@aws-sdk/client-kms';
import { AppError } from '../../domain/app-error.ts';
import type { Config } from '../../runtime/config.ts';
import { EnvelopeCredentialCipher } from './envelope-credential-cipher.ts';
import { KmsKeyWrapper } from './kms-key-wrapper.ts';
import { LocalKeyWrapper } from './local-key-wrapper.ts';

export type CredentialCipherConfig = Pick<Config, 'KMS_KEY_ID' | 'LOCAL_ENCRYPTION_KEY' | 'AWS_REGION' | 'isLocal'> & Partial<Pick<Config, 'LOCAL_ENCRYPTION_PREVIOUS_KEYS'>>;

/**
 * The cipher for this process: KMS when `KMS_KEY_ID` is set, otherwise (local stack only) the key in
 * `LOCAL_ENCRYPTION_KEY`. A deployed stack without a KMS key is a configuration error, never a fallback.
 */
export function createCredentialCipher(config: CredentialCipherConfig, kms?: KMSClient): EnvelopeCredentialCipher {
  if (config.KMS_KEY_ID) {
    return new EnvelopeCredentialCipher({
      keyWrapper: new KmsKeyWrapper({ kms: kms ?? (async () => new (await import('@aws-sdk/client-kms')).KMSClient({ region: config.AWS_REGION })), keyId: config.KMS_KEY_ID }),
    });
  }
  if (config.LOCAL_ENCRYPTION_KEY && config.isLocal) {
    const previous = (config.LOCAL_ENCRYPTION_PREVIOUS_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
    return new EnvelopeCredentialCipher({ keyWrapper: LocalKeyWrapper.fromBase64(config.LOCAL_ENCRYPTION_KEY, previous) });
  }
  throw new AppError(
    'config.invalid',
    config.isLocal ? 'Set LOCAL_ENCRYPTION_KEY (base64 of 32 bytes) or KMS_KEY_ID' : 'KMS_KEY_ID is required outside the local stack',
    { retryable: false },
  );
}
