import * as jose from 'jose';
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

/** The access-token signing key: generated once, kept in the keychain, so tokens survive restarts. */
export async function loadSigningKey(secrets: SecretStore): Promise<SigningKey> {
  const stored = await secrets.getOrCreate(SecretAccounts.signingKey, async () => {
    const { privateKey } = await jose.generateKeyPair(SIGNING_ALG, { extractable: true });
    const jwk = await jose.exportJWK(privateKey);
    jwk.kid = await jose.calculateJwkThumbprint(jwk);
    jwk.alg = SIGNING_ALG;
    return JSON.stringify(jwk);
  });
  const jwk = JSON.parse(stored) as jose.JWK;
  const { d: _d, ...publicJwk } = jwk;
  return {
    kid: jwk.kid!,
    privateKey: (await jose.importJWK(jwk, SIGNING_ALG)) as jose.CryptoKey,
    publicKey: (await jose.importJWK(publicJwk, SIGNING_ALG)) as jose.CryptoKey,
    publicJwk,
    privateJwk: jwk,
  };
}
