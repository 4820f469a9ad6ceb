import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * RS256 ID tokens like Google's, signed with a key made on first use, and the JWKS that verifies them.
 * The claims follow the simulator's clock.
 */
export class IdTokenSigner {
  private key: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | null = null;

  private keys(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (!this.key) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 40);
      this.key = { privateKey, publicKey, kid };
    }
    return this.key;
  }

  sign(claims: Record<string, unknown>): string {
    const { privateKey, kid } = this.keys();
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const { publicKey, kid } = this.keys();
    const jwk = publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] };
  }
}

/** `at_hash`: left half of SHA-256 of the access token, base64url (OIDC Core 3.1.3.6). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}
