import * as z from 'zod/mini';
import { AppError } from '../domain/app-error.ts';

/**
 * The one configuration module: reads the environment once per cold start and validates it. Every variable
 * is documented in the README. Provider endpoints default to the real providers and may be plain-http
 * loopback URLs when pointed at our simulators.
 */
const optionalString = z.optional(z.string().check(z.minLength(1)));
const url = (fallback: string) => z._default(z.url(), fallback);
// `prefault` feeds the default through the pipe, so defaults are parsed exactly like set values.
const intFrom = (fallback: number, min: number, max: number) =>
  z.prefault(
    z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= min && n <= max, `an integer from ${min} to ${max}`)),
    String(fallback),
  );
const flag = z.prefault(z.pipe(z.string(), z.transform((v) => v === '1' || v.toLowerCase() === 'true')), '0');
const list = (fallback: string) =>
  z.prefault(z.pipe(z.string(), z.transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))), fallback);

const EnvSchema = z.object({
  /** `aws` in deployed stacks; `local` in `npm start` and tests (allows loopback URLs and a local key). */
  RUNTIME_MODE: z._default(z.enum(['aws', 'local']), 'aws'),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),

  TABLE_NAME: z._default(z.string(), 'calendar-integrations'),
  /** DynamoDB endpoint override (DynamoDB Local); unset in AWS. */
  DYNAMODB_ENDPOINT: optionalString,
  EVENT_BUS_NAME: z._default(z.string(), 'calendar-integrations'),
  SYNC_QUEUE_URL: optionalString,
  WEBHOOK_FANOUT_QUEUE_URL: optionalString,
  BOOKING_LIFECYCLE_QUEUE_URL: optionalString,
  WEBHOOK_DELIVERY_QUEUE_URL: optionalString,
  WEBHOOK_DELIVERY_DLQ_URL: optionalString,
  SYNC_DLQ_URL: optionalString,
  BOOKING_SCHEDULES_QUEUE_URL: optionalString,
  /** EventBridge Scheduler group of the booking timers (reminders, booking.completed), its target, role and DLQ. */
  BOOKING_TIMER_GROUP: optionalString,
  BOOKING_TIMER_TARGET_ARN: optionalString,
  BOOKING_TIMER_ROLE_ARN: optionalString,
  BOOKING_TIMER_DLQ_ARN: optionalString,

  /** KMS key that wraps data keys for stored credentials (AWS). */
  KMS_KEY_ID: optionalString,
  /** Base64 of 32 bytes: the local stack's key-wrapping key (never used in AWS). */
  LOCAL_ENCRYPTION_KEY: optionalString,
  /** Comma-separated base64 keys rotated out of LOCAL_ENCRYPTION_KEY, kept to open old seals until the rekey job completes. */
  LOCAL_ENCRYPTION_PREVIOUS_KEYS: optionalString,
  /** Secrets Manager secret (JSON) with provider client credentials, read once per cold start in AWS. */
  PROVIDER_SECRETS_ARN: optionalString,

  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  JWT_JWKS_URL: optionalString,
  /** Claim that carries the tenant id. */
  JWT_TENANT_CLAIM: z._default(z.string(), 'tenant_id'),

  /** Base URL the providers call back (OAuth redirects, push notifications). */
  PUBLIC_BASE_URL: url('http://localhost:3000'),
  PORT: intFrom(3000, 1, 65535),
  /** Origins the OAuth callback may redirect the browser to (comma-separated). */
  ALLOWED_RETURN_ORIGINS: list('http://localhost:3000,http://localhost:5173'),

  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GOOGLE_OAUTH_AUTHORIZE_URL: url('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_OAUTH_TOKEN_URL: url('https://oauth2.googleapis.com/token'),
  GOOGLE_OAUTH_REVOKE_URL: url('https://oauth2.googleapis.com/revoke'),
  GOOGLE_USERINFO_URL: url('https://openidconnect.googleapis.com/v1/userinfo'),
  /** Issuer identifier of the authorization server (an emulator's base URL); ID tokens never decide identity. */
  GOOGLE_OAUTH_ISSUER: url('https://accounts.google.com'),
  /** rootUrl of the Calendar API client (origin only; paths stay /calendar/v3/...). */
  GOOGLE_API_URL: url('https://www.googleapis.com/'),

  MICROSOFT_CLIENT_ID: optionalString,
  MICROSOFT_CLIENT_SECRET: optionalString,
  MICROSOFT_TENANT: z._default(z.string(), 'common'),
  /** Authority base; the tenant is appended (`{base}/{tenant}/oauth2/v2.0/...`). */
  MICROSOFT_LOGIN_URL: url('https://login.microsoftonline.com'),
  MICROSOFT_GRAPH_URL: url('https://graph.microsoft.com'),

  ZOOM_ACCOUNT_ID: optionalString,
  /** The user-level Zoom OAuth app (POST /v1/connections/zoom/authorize); S2S apps come with each connection. */
  ZOOM_CLIENT_ID: optionalString,
  ZOOM_CLIENT_SECRET: optionalString,
  /** Zoom's OAuth origin: token at `/oauth/token`, authorize at `/oauth/authorize`. */
  ZOOM_OAUTH_URL: url('https://zoom.us'),
  ZOOM_API_URL: url('https://api.zoom.us/v2'),
  /** The app's webhook secret token: signs `/hooks/zoom` requests and answers the URL validation. */
  ZOOM_WEBHOOK_SECRET_TOKEN: optionalString,

  /** Verified SES identity notifications are sent from, e.g. `Bookings <bookings@example.com>` (the stack's SES identity parameter). */
  EMAIL_FROM: z._default(z.string().check(z.minLength(3)), 'Bookings <bookings@example.com>'),
  /** SES configuration set for sending events (bounces, complaints), when one is set up. */
  SES_CONFIGURATION_SET: optionalString,
  /** SMS sender id (alphanumeric, where the destination country supports it). */
  SMS_SENDER_ID: optionalString,
  WHATSAPP_API_URL: url('https://graph.facebook.com'),
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  WHATSAPP_TOKEN: optionalString,
  /** Locale of notification recipients who did not give one (operators, hosts): en or de have texts. */
  NOTIFICATION_DEFAULT_LOCALE: z._default(z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 locale such as en or de-DE')), 'en'),
  /** Provider attempts of one notification before a transient failure counts as failed for good. */
  NOTIFICATION_MAX_ATTEMPTS: intFrom(6, 1, 20),
  NOTIFICATIONS_QUEUE_URL: optionalString,

  /** Safety sync interval for calendars with push (minutes). */
  SYNC_INTERVAL_MINUTES: intFrom(360, 1, 10_080),
  /** Poll interval for CalDAV calendars, which have no push (minutes). */
  CALDAV_POLL_INTERVAL_MINUTES: intFrom(5, 1, 1_440),
  /** Push channel lifetime requested from Google (seconds). */
  PUSH_CHANNEL_TTL_SECONDS: intFrom(604_800, 300, 2_592_000),
  /** Renew push channels that expire within this many hours. */
  PUSH_RENEW_BEFORE_HOURS: intFrom(24, 1, 168),

  /** Allows `http://` webhook URLs to loopback (local stack only; ignored when RUNTIME_MODE=aws). */
  ALLOW_INSECURE_WEBHOOK_URLS: flag,
  /** Seconds to wait before each webhook retry (7 retries = 8 attempts). Compressible for tests. */
  WEBHOOK_RETRY_SCHEDULE: z.pipe(
    list('5,300,1800,7200,18000,36000,36000'),
    z.transform((values) => values.map(Number)),
  ).check(z.refine((values) => values.length > 0 && values.every((n) => Number.isFinite(n) && n >= 0), 'comma-separated seconds, e.g. 5,300,1800')),
  WEBHOOK_TIMEOUT_MS: intFrom(15_000, 100, 60_000),
  /** An endpoint failing every attempt for this long is disabled (hours). */
  WEBHOOK_DISABLE_AFTER_HOURS: intFrom(120, 1, 10_000),

  /** Public booking pages: token bucket per client address (burst, then per minute). */
  PUBLIC_CLIENT_BURST: intFrom(30, 1, 100_000),
  PUBLIC_CLIENT_PER_MINUTE: intFrom(30, 1, 100_000),
  /** Public booking pages: token bucket per booking type, over all addresses (burst, then per minute). */
  PUBLIC_BOOKING_TYPE_BURST: intFrom(200, 1, 100_000),
  PUBLIC_BOOKING_TYPE_PER_MINUTE: intFrom(120, 1, 100_000),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  /** Derived: true when running outside AWS. */
  isLocal: boolean;
}

let cached: Config | undefined;

/** Parses `env` (default: process.env). Throws `config.invalid` naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new AppError('config.invalid', `Invalid configuration: ${problems}`);
  }
  return { ...result.data, isLocal: result.data.RUNTIME_MODE === 'local' };
}

/** The configuration of this process, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Forget the cached configuration (local stack and tests change the environment). */
export function resetConfig(): void {
  cached = undefined;
}
