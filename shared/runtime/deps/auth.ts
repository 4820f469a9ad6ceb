import { AppError } from '../../domain/app-error.ts';
import { config } from '../config.ts';
import { createTokenVerifier, type TokenVerifier } from '../http/jwt-auth.ts';
import { lazy } from './lazy.ts';

export const tokenVerifier = lazy((): TokenVerifier => {
  const { JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL, JWT_TENANT_CLAIM } = config();
  if (!JWT_ISSUER || !JWT_AUDIENCE || !JWT_JWKS_URL) {
    throw new AppError('config.invalid', 'JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL must be set for authenticated routes');
  }
  return createTokenVerifier({ issuer: JWT_ISSUER, audience: JWT_AUDIENCE, jwksUrl: JWT_JWKS_URL, tenantClaim: JWT_TENANT_CLAIM });
});
