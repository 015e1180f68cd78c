import crypto from 'node:crypto';
import { SecretAccounts, type SecretStore } from './secret-store.js';

/**
 * AES-256-GCM over what the authorization server stores: sign-ins in progress (upstream PKCE verifier and
 * nonce), sessions, grants and tokens. The key lives in the keychain, so a copy of state.db alone reveals
 * nothing and cannot be edited undetected.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {}

  /** A separate key for another purpose (HKDF-SHA256), so the sealing key itself is used for one thing only. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(crypto.hkdfSync('sha256', this.key, Buffer.alloc(0), purpose, 32));
  }

  seal(plain: string): Buffer {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** The plain text, or undefined when the blob was not sealed by this key (tampered, or from another keychain). */
  open(sealed: Buffer): string | undefined {
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** The sealing key and the cookie-signing keys, created once in the keychain. */
export async function loadStateKeys(secrets: SecretStore): Promise<{ sealer: Sealer; cookieKeys: string[] }> {
  const sealKey = await secrets.getOrCreate(SecretAccounts.stateKey, () =>
    crypto.randomBytes(32).toString('base64'),
  );
  const cookieKeys = await secrets.getOrCreate(SecretAccounts.cookieKeys, () =>
    JSON.stringify([crypto.randomBytes(32).toString('base64url')]),
  );
  return {
    sealer: new Sealer(Buffer.from(sealKey, 'base64')),
    cookieKeys: JSON.parse(cookieKeys) as string[],
  };
}

/** Artifact ids are bearer secrets (codes, refresh tokens, session cookies): only their hashes are stored. */
export const hashId = (id: string): string => crypto.createHash('sha256').update(id).digest('base64url');
