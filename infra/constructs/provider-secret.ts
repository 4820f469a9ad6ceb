import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The JSON fields of the secret: the config variable names the runtime would otherwise read from the environment. */
export const PROVIDER_SECRET_FIELDS = [
  'GOOGLE_CLIENT_ID',
  'GOOGLE_CLIENT_SECRET',
  'MICROSOFT_CLIENT_ID',
  'MICROSOFT_CLIENT_SECRET',
  'ZOOM_ACCOUNT_ID',
  'ZOOM_CLIENT_ID',
  'ZOOM_CLIENT_SECRET',
] as const;

/**
 * One secret (JSON) with the app-level provider credentials, encrypted with the stack key. It is created
 * with empty fields; operators fill it once (`aws secretsmanager put-secret-value`) and CloudFormation leaves
 * the value alone afterwards. Per-connection tokens are NOT stored here, one secret each: at $0.40 a month
 * per secret that alone would be 20× our per-calendar budget (reliability.md §3). They are sealed with the
 * credentials key and stored in the table instead.
 */
export class ProviderSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'calendar-integrations provider client credentials (JSON: GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, ...)',
      encryptionKey: props.key,
      // Empty placeholders, not secrets: the real values never pass through the template.
      secretObjectValue: Object.fromEntries(PROVIDER_SECRET_FIELDS.map((field) => [field, SecretValue.unsafePlainText('')])),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'OAuth client secrets are issued and rotated in the providers\' consoles (Google Cloud, Entra ID, Zoom); no Lambda can rotate them, so rotation is an operator procedure documented in the README.',
    });
  }
}
