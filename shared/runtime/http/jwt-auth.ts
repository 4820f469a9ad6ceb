import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { AppError } from '../../domain/app-error.ts';
import { TenantId } from '../../domain/tenant.ts';

export interface JwtAuthSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  tenantClaim: string;
}

export interface Principal {
  tenantId: string;
  subject: string | null;
}

export type TokenVerifier = (authorizationHeader: string | undefined) => Promise<Principal>;

/**
 * Verifies bearer JWTs against the issuer's JWKS (fetched once and cached per warm Lambda; refreshed when an
 * unknown key id appears). API Gateway's JWT authorizer checks the same token in AWS; verifying again here
 * keeps the local stack identical and protects a function invoked by another path.
 */
export function createTokenVerifier(settings: JwtAuthSettings): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
  return async (authorizationHeader) => {
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorizationHeader?.trim() ?? '');
    if (!match) throw new AppError('auth.unauthenticated', 'A bearer token is required (Authorization: Bearer <JWT>).');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
        clockTolerance: 30,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
        throw new AppError('auth.unauthenticated', 'The bearer token is invalid or expired.', { cause: error });
      }
      throw new AppError('internal.unexpected', 'Could not verify the bearer token.', { cause: error });
    }
    const tenant = TenantId.safeParse(payload[settings.tenantClaim]);
    if (!tenant.success) {
      throw new AppError('auth.forbidden', `The token has no valid "${settings.tenantClaim}" claim naming a tenant.`);
    }
    return { tenantId: tenant.data, subject: typeof payload.sub === 'string' ? payload.sub : null };
  };
}
