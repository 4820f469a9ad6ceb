import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type CryptoKey } from 'jose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A development token issuer for the local stack: an ES256 key pair, its JWKS (served by the local stack at
 * /.well-known/jwks.json) and signed tokens for any tenant. The key is kept under .data/ so tokens printed
 * yesterday still work after a restart.
 */
export interface LocalIssuer {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  mintToken(tenantId: string, options?: { subject?: string; expiresInSeconds?: number; extraClaims?: Record<string, unknown> }): Promise<string>;
}

export async function createLocalIssuer(options: { issuer: string; audience: string; tenantClaim: string; keyFile?: string | null }): Promise<LocalIssuer> {
  let privateJwk: JWK;
  if (options.keyFile && existsSync(options.keyFile)) {
    privateJwk = JSON.parse(readFileSync(options.keyFile, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: 'ES256', use: 'sig' };
    if (options.keyFile) {
      mkdirSync(path.dirname(options.keyFile), { recursive: true });
      writeFileSync(options.keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
    }
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const signingKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
  return {
    issuer: options.issuer,
    audience: options.audience,
    jwks: { keys: [publicJwk] },
    async mintToken(tenantId, tokenOptions = {}) {
      return new SignJWT({ [options.tenantClaim]: tenantId, ...tokenOptions.extraClaims })
        .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid!, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(tokenOptions.subject ?? `dev-user@${tenantId}`)
        .setIssuedAt()
        .setExpirationTime(`${tokenOptions.expiresInSeconds ?? 30 * 86_400}s`)
        .sign(signingKey);
    },
  };
}
