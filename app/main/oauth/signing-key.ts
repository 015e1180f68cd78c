import * as jose from 'jose';
import { secretFromEnv } from '../config/load.js';
import { SecretAccounts, type SecretStore } from '../secrets/secret-store.js';

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: jose.CryptoKey;
  publicKey: jose.CryptoKey;
  publicJwk: jose.JWK;
  /** For oidc-provider's keystore, which signs the access tokens. */
  privateJwk: jose.JWK;
}

/**
 * The keys tokens are signed with: `current` signs; every key in `all` (current first, then the previous one
 * during a rotation's overlap) is published in the JWKS and accepted, so tokens signed before a rotation stay
 * valid until they expire. Every token names its key (`kid`).
 */
export interface SigningKeys {
  current: SigningKey;
  all: SigningKey[];
}

/**
 * The signing keys from MSSQL_MCP_SIGNING_KEYS (or its _FILE: a JSON array of private JWKs, the signing one
 * first) when set, as servers keep them; otherwise from the secret store (the keychain on the desktop, the
 * sealed store in team mode), generated once.
 */
export async function loadSigningKeys(
  secrets: SecretStore,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SigningKeys> {
  const fromEnv = secretFromEnv(env, 'MSSQL_MCP_SIGNING_KEYS');
  const stored =
    fromEnv ??
    (await secrets.getOrCreate(SecretAccounts.signingKey, async () => JSON.stringify([await newJwk()])));
  const all = await Promise.all(
    jwksOf(stored, fromEnv ? 'MSSQL_MCP_SIGNING_KEYS' : 'the stored signing key').map(toKey),
  );
  return { current: all[0]!, all };
}

/** The key that signs (tests and tools that only sign). */
export async function loadSigningKey(secrets: SecretStore): Promise<SigningKey> {
  return (await loadSigningKeys(secrets, {})).current;
}

/**
 * A new signing key first, the current one kept second (the overlap: tokens it signed stay valid), any older
 * dropped. Instances sign with the new key once restarted; until then both are published and accepted.
 */
export async function rotateSigningKey(secrets: SecretStore): Promise<{ kid: string; previous?: string }> {
  const stored = await secrets.get(SecretAccounts.signingKey);
  const keys = stored ? jwksOf(stored, 'the stored signing key') : [];
  const next = await newJwk();
  await secrets.set(SecretAccounts.signingKey, JSON.stringify([next, ...keys.slice(0, 1)]));
  return { kid: next.kid!, previous: keys[0]?.kid };
}

async function newJwk(): Promise<jose.JWK> {
  const { privateKey } = await jose.generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  jwk.kid = await jose.calculateJwkThumbprint(jwk);
  jwk.alg = SIGNING_ALG;
  return jwk;
}

/** One JWK (as versions before rotation stored it) or an array of them, each an ES256 private key. */
function jwksOf(text: string, where: string): jose.JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON: a JSON array of private JWKs (ES256), the signing key first.`);
  }
  const list = (Array.isArray(parsed) ? parsed : [parsed]) as jose.JWK[];
  if (!list.length || list.some((k) => k.kty !== 'EC' || k.crv !== 'P-256' || !k.d))
    throw new Error(`${where} must hold ES256 private keys (EC P-256 JWKs with "d"), the signing key first.`);
  return list;
}

async function toKey(jwk: jose.JWK): Promise<SigningKey> {
  const kid = jwk.kid ?? (await jose.calculateJwkThumbprint(jwk));
  const privateJwk = { ...jwk, kid, alg: SIGNING_ALG };
  const { d: _d, ...publicJwk } = privateJwk;
  return {
    kid,
    privateKey: (await jose.importJWK(privateJwk, SIGNING_ALG)) as jose.CryptoKey,
    publicKey: (await jose.importJWK(publicJwk, SIGNING_ALG)) as jose.CryptoKey,
    publicJwk,
    privateJwk,
  };
}
