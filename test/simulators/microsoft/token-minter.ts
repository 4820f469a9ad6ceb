import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { SimUser } from './model.ts';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Makes the identity platform's tokens and documents: JWT-looking access tokens, signed ID tokens, discovery. */
export class TokenMinter {
  private readonly loginUrl: string;
  private readonly tenantId: string;
  private signingKey: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | null = null;

  constructor(loginUrl: string, tenantId: string) {
    this.loginUrl = loginUrl;
    this.tenantId = tenantId;
  }

  /** JWT-looking like Entra's v1 Graph tokens; only this simulator can validate it (by lookup). */
  accessToken(user: SimUser, scopes: string[], clientId: string, nowMs: number, lifetime: number): string {
    const iat = Math.floor(nowMs / 1000);
    const header = { typ: 'JWT', nonce: randomBytes(16).toString('base64url'), alg: 'RS256', kid: 'simulator' };
    const payload = {
      aud: '00000003-0000-0000-c000-000000000000', iss: `https://sts.windows.net/${this.tenantId}/`, iat, nbf: iat, exp: iat + lifetime,
      appid: clientId, name: user.displayName, oid: user.id, scp: scopes.join(' '), sub: user.id, tid: this.tenantId,
      unique_name: user.userPrincipalName, upn: user.userPrincipalName, ver: '1.0', uti: randomBytes(16).toString('base64url'),
    };
    return `${b64(header)}.${b64(payload)}.${randomBytes(64).toString('base64url')}`;
  }

  /** RS256-signed like Entra's; times use the real clock because clients validate them against it. */
  idToken(user: SimUser, clientId: string, nonce: string | null, withEmail: boolean, issuer?: string): string {
    const key = this.key();
    const iat = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      aud: clientId, iss: issuer ?? `${this.loginUrl}/${this.tenantId}/v2.0`, iat, nbf: iat, exp: iat + 3600,
      name: user.displayName, oid: user.id, preferred_username: user.userPrincipalName,
      sub: createHash('sha256').update(`${clientId}:${user.id}`).digest('base64url'), tid: this.tenantId, ver: '2.0',
      ...(withEmail ? { email: user.mail } : {}), ...(nonce ? { nonce } : {}),
    };
    const signingInput = `${b64({ typ: 'JWT', alg: 'RS256', kid: key.kid })}.${b64(payload)}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  private key(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    this.signingKey ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: randomBytes(12).toString('base64url') };
    return this.signingKey;
  }

  publicJwk(): Record<string, unknown> {
    const key = this.key();
    return { ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, use: 'sig', alg: 'RS256', kty: 'RSA' };
  }

  /** Entra's multi-tenant discovery documents keep the `{tenantid}` placeholder in `issuer`. */
  discovery(tenant: string): Record<string, unknown> {
    const base = `${this.loginUrl}/${tenant}`;
    const specific = tenant.toLowerCase() === this.tenantId.toLowerCase();
    return {
      issuer: `${this.loginUrl}/${specific ? this.tenantId : '{tenantid}'}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      code_challenge_methods_supported: ['S256'],
      tenant_region_scope: 'EU',
    };
  }
}
