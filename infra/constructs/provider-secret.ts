import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The shape the runtime reads (shared/runtime/provider-secrets.ts); providers left out are not configured.
 * Shown in the secret's description so an operator filling it in the console sees it.
 */
export const PROVIDER_SECRET_EXAMPLE = {
  google: { clientId: '...', clientSecret: '...' },
  microsoft: { clientId: '...', clientSecret: '...' },
  zoom: { accountId: '...', clientId: '...', clientSecret: '...' },
};

/**
 * One secret (JSON) with the app-level provider credentials, encrypted with the stack key. It is created
 * as `{}`; operators fill it once (`aws secretsmanager put-secret-value`) and CloudFormation leaves
 * the value alone afterwards. Per-connection tokens are NOT stored here, one secret each: at $0.40 a month
 * per secret that alone would be 20× our per-calendar budget (reliability.md §3). They are sealed with the
 * credentials key and stored in the table instead.
 */
export class ProviderSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `calendar-integrations provider client credentials, JSON: ${JSON.stringify(PROVIDER_SECRET_EXAMPLE)}`,
      encryptionKey: props.key,
      // An empty object (no provider configured yet), not a secret: real values never pass through the template.
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'OAuth client secrets are issued and rotated in the providers\' consoles (Google Cloud, Entra ID, Zoom); no Lambda can rotate them, so rotation is an operator procedure documented in the README.',
    });
  }
}
