import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  sign(claims: Record<string, unknown>, options?: { expiresIn?: string; audience?: string; issuer?: string; key?: 'trusted' | 'foreign' }): Promise<string>;
  close(): Promise<void>;
}

/** A JWKS served on a loopback port plus a signer, for testing bearer auth for real. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const trusted = await generateKeyPair('ES256', { extractable: true });
  const foreign = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(trusted.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const issuer = 'https://issuer.test/';
  const audience = 'calendar-integrations';
  return {
    issuer,
    audience,
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    async sign(claims, options = {}) {
      const key: CryptoKey = options.key === 'foreign' ? foreign.privateKey : trusted.privateKey;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(key);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
