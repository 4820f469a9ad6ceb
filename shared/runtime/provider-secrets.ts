import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { AppError } from '../domain/app-error.ts';
import type { ProviderSecrets, ProviderSecretValues } from '../ports/provider-secrets.ts';
import type { Config } from './config.ts';

const Client = z.object({ clientId: z.string().check(z.minLength(1)), clientSecret: z.string().check(z.minLength(1)) });
const SecretJson = z.object({
  google: z.optional(Client),
  microsoft: z.optional(Client),
  zoom: z.optional(z.extend(Client, { accountId: z.optional(z.string().check(z.minLength(1))), webhookSecretToken: z.optional(z.string().check(z.minLength(1))) })),
});

/** Reads the values from the environment (local stack, or a deployment that prefers env vars). */
export function providerSecretsFromEnv(config: Config): ProviderSecretValues {
  const values: ProviderSecretValues = {};
  if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) values.google = { clientId: config.GOOGLE_CLIENT_ID, clientSecret: config.GOOGLE_CLIENT_SECRET };
  if (config.MICROSOFT_CLIENT_ID && config.MICROSOFT_CLIENT_SECRET) values.microsoft = { clientId: config.MICROSOFT_CLIENT_ID, clientSecret: config.MICROSOFT_CLIENT_SECRET };
  if (config.ZOOM_CLIENT_ID && config.ZOOM_CLIENT_SECRET) {
    values.zoom = {
      clientId: config.ZOOM_CLIENT_ID,
      clientSecret: config.ZOOM_CLIENT_SECRET,
      ...(config.ZOOM_ACCOUNT_ID ? { accountId: config.ZOOM_ACCOUNT_ID } : {}),
      ...(config.ZOOM_WEBHOOK_SECRET_TOKEN ? { webhookSecretToken: config.ZOOM_WEBHOOK_SECRET_TOKEN } : {}),
    };
  }
  return values;
}

/**
 * Secrets Manager when `PROVIDER_SECRETS_ARN` is set (values there win over the environment), else the
 * environment. One GetSecretValue per cold start; `invalidate` forces one re-read after an auth failure.
 */
export class ConfiguredProviderSecrets implements ProviderSecrets {
  private readonly config: Config;
  private cached: Promise<ProviderSecretValues> | null = null;
  private client: SecretsManagerClient | null = null;

  constructor(config: Config) {
    this.config = config;
  }

  get(): Promise<ProviderSecretValues> {
    this.cached ??= this.load().catch((error: unknown) => {
      this.cached = null;
      throw error;
    });
    return this.cached;
  }

  invalidate(): void {
    this.cached = null;
  }

  private async load(): Promise<ProviderSecretValues> {
    const fromEnv = providerSecretsFromEnv(this.config);
    if (!this.config.PROVIDER_SECRETS_ARN) return fromEnv;
    const sdk = await import('@aws-sdk/client-secrets-manager');
    this.client ??= new sdk.SecretsManagerClient({ region: this.config.AWS_REGION });
    let text: string | undefined;
    try {
      text = (await this.client.send(new sdk.GetSecretValueCommand({ SecretId: this.config.PROVIDER_SECRETS_ARN }))).SecretString;
    } catch (error) {
      throw new AppError('internal.unexpected', 'Could not read the provider credentials secret', { retryable: true, cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text ?? '{}');
    } catch {
      throw new AppError('config.invalid', 'The provider credentials secret is not JSON', { retryable: false });
    }
    const parsed = SecretJson.safeParse(json);
    if (!parsed.success) throw new AppError('config.invalid', 'The provider credentials secret has an unexpected shape', { retryable: false });
    return { ...fromEnv, ...parsed.data };
  }
}
