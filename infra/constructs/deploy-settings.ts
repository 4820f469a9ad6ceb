import type { Construct } from 'constructs';
import { loadConfig } from '../../shared/runtime/config.ts';

/**
 * Deploy-time settings, read from CDK context (`npx cdk deploy -c jwtIssuer=https://…`, or `context` in
 * cdk.json). Every one has a default that synthesizes, so `npx cdk synth` works with no arguments; the JWT
 * defaults only fail closed (no token validates) until a real issuer is configured.
 */
export interface DeploySettings {
  /** `jwtIssuer`: the `iss` of accepted tokens (an https URL). */
  jwtIssuer: string;
  /** `jwtAudience`: the `aud` of accepted tokens. */
  jwtAudience: string;
  /** `jwtJwksUrl`: the issuer's JWKS (default `<issuer>/.well-known/jwks.json`). */
  jwtJwksUrl: string;
  /** `jwtTenantClaim`: the claim carrying the tenant id. */
  jwtTenantClaim: string;
  /** `allowedReturnOrigins`: comma-separated origins the OAuth callback may redirect the browser to. */
  allowedReturnOrigins: string[];
  /** `corsAllowedOrigins`: comma-separated browser origins allowed to call the API (none: no CORS). */
  corsAllowedOrigins: string[];
  /** `publicBaseUrl`: the URL providers call back (a custom domain); default: the API's execute-api URL. */
  publicBaseUrl: string | undefined;
  /** `alarmEmail`: subscribed to the alarm topic when set. */
  alarmEmail: string | undefined;
  /** `eventBusName`: the domain event bus. */
  eventBusName: string;
  /** `logRetentionDays`: retention of function and access logs. */
  logRetentionDays: number;
  /** `apiRateLimit` / `apiBurstLimit`: default stage throttling (requests per second / burst). */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** `placeholderCode`: synthesize with placeholder function code instead of bundling (template-only tests). */
  placeholderCode: boolean;
}

export const CONTEXT_KEYS = [
  'jwtIssuer',
  'jwtAudience',
  'jwtJwksUrl',
  'jwtTenantClaim',
  'allowedReturnOrigins',
  'corsAllowedOrigins',
  'publicBaseUrl',
  'alarmEmail',
  'eventBusName',
  'logRetentionDays',
  'apiRateLimit',
  'apiBurstLimit',
  'placeholderCode',
] as const satisfies readonly (keyof DeploySettings)[];

export const DEFAULT_JWT_ISSUER = 'https://issuer.example.com/';
export const DEFAULT_JWT_AUDIENCE = 'calendar-integrations';

export function readDeploySettings(scope: Construct): DeploySettings {
  // The runtime's own defaults (bus name, tenant claim, return origins) so the two cannot disagree.
  const runtimeDefaults = loadConfig({});
  const text = (key: (typeof CONTEXT_KEYS)[number]): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value).trim();
  };
  const list = (key: (typeof CONTEXT_KEYS)[number], fallback: string[]): string[] => {
    const value = text(key);
    return value === undefined ? fallback : value.split(',').map((item) => item.trim()).filter(Boolean);
  };
  const integer = (key: (typeof CONTEXT_KEYS)[number], fallback: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`Context ${key} must be a positive integer, got ${value}`);
    return parsed;
  };
  const jwtIssuer = text('jwtIssuer') ?? DEFAULT_JWT_ISSUER;
  const publicBaseUrl = text('publicBaseUrl');
  for (const [key, value] of [['jwtIssuer', jwtIssuer], ['publicBaseUrl', publicBaseUrl]] as const) {
    if (value !== undefined && !value.startsWith('https://')) throw new Error(`Context ${key} must be an https URL, got ${value}`);
  }
  return {
    jwtIssuer,
    jwtAudience: text('jwtAudience') ?? DEFAULT_JWT_AUDIENCE,
    jwtJwksUrl: text('jwtJwksUrl') ?? new URL('.well-known/jwks.json', jwtIssuer.endsWith('/') ? jwtIssuer : `${jwtIssuer}/`).href,
    jwtTenantClaim: text('jwtTenantClaim') ?? runtimeDefaults.JWT_TENANT_CLAIM,
    allowedReturnOrigins: list('allowedReturnOrigins', runtimeDefaults.ALLOWED_RETURN_ORIGINS),
    corsAllowedOrigins: list('corsAllowedOrigins', []),
    publicBaseUrl: publicBaseUrl?.replace(/\/+$/, ''),
    alarmEmail: text('alarmEmail'),
    eventBusName: text('eventBusName') ?? runtimeDefaults.EVENT_BUS_NAME,
    logRetentionDays: integer('logRetentionDays', 30),
    apiRateLimit: integer('apiRateLimit', 50),
    apiBurstLimit: integer('apiBurstLimit', 100),
    placeholderCode: ['true', '1'].includes(text('placeholderCode')?.toLowerCase() ?? ''),
  };
}
