import crypto from 'node:crypto';
import * as jose from 'jose';
import { loadSigningKey } from '../../app/main/oauth/signing-key.js';
import { KeytarSecretStore, type SecretStore } from '../../app/main/secrets/secret-store.js';
import type { Env } from './harness.js';

type Claims = jose.JWTPayload & Record<string, unknown>;

/**
 * An access token signed with a bridge's own key (from its keychain), in the shape its authorization server
 * issues, for `origin`'s /mcp: for tests of the resource side (wrong audience, expiry, tampering, the
 * verified-token cache) and for driving a bridge in another process without a browser sign-in.
 */
export async function signAccessToken(
  secrets: SecretStore,
  origin: string,
  claims: Claims = {},
  expiresIn: string | number = '5m',
  /** The signed-in person: `sub`, and the identity's subject and database user. */
  subject = 'alice',
): Promise<string> {
  const key = await loadSigningKey(secrets);
  return new jose.SignJWT({
    client_id: 'claude-desktop',
    scope: 'mcp:tools',
    gid: 'g',
    identity: { subject, issuer: 'x', idp: 'x', groups: [], dbUser: subject },
    aud: `${origin}/mcp`,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(`${origin}/`)
    .setSubject(subject)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}

/** The same for the in-process bridge of a test Env. */
export function forgeAccessToken(env: Env, claims: Claims = {}, expiresIn: string | number = '5m') {
  return signAccessToken(env.core.secrets, env.core.urls().origin, claims, expiresIn);
}

/** The same for a bridge in another process, through its keychain service. */
export async function forgeAccessTokenFor(service: string, origin: string, subject: string) {
  return signAccessToken(
    await KeytarSecretStore.open(service),
    origin,
    { gid: crypto.randomUUID() },
    '10m',
    subject,
  );
}
