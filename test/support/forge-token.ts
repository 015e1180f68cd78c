import crypto from 'node:crypto';
import * as jose from 'jose';
import { loadSigningKey } from '../../app/main/oauth/signing-key.js';
import type { Env } from './harness.js';

/**
 * An access token signed with the bridge's own key, in the shape its authorization server issues: for tests of
 * the resource side (wrong audience, expiry, tampering, the verified-token cache).
 */
export async function forgeAccessToken(
  env: Env,
  claims: jose.JWTPayload & Record<string, unknown>,
  expiresIn: string | number = '5m',
): Promise<string> {
  const key = await loadSigningKey(env.core.secrets);
  return new jose.SignJWT({
    client_id: 'claude-desktop',
    scope: 'mcp:tools',
    gid: 'g',
    identity: { subject: 'alice', issuer: 'x', idp: 'x', groups: [], dbUser: 'alice' },
    aud: env.core.urls().mcp,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(env.core.urls().issuer)
    .setSubject('alice')
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}
