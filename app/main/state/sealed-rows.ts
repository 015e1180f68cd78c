import type { StateSql } from './sql.js';

/** Sealed values by key: sign-ins at the upstream IdP in progress, and team mode's secrets. */

/** One-use records of sign-ins in progress, by the hash of their key; sealed by the owner. */
export interface UpstreamSignInRows {
  /** Stores a record until `expiresAt` (seconds). */
  put(keyHash: string, sealed: Buffer, expiresAt: number): Promise<void>;
  /** Reads and deletes a record (one use). */
  take(keyHash: string): Promise<{ sealed: Buffer; expiresAt: number } | undefined>;
  /** Drops records expired before `now` (seconds). */
  pruneExpired(now: number): Promise<void>;
}

/** Team mode's secrets, sealed by the owner (secrets/sealed-secret-store). */
export interface SecretRows {
  get(account: string): Promise<Buffer | undefined>;
  set(account: string, sealed: Buffer): Promise<void>;
  /** Stores the value unless the account has one (the first of several instances starting together wins). */
  setIfAbsent(account: string, sealed: Buffer): Promise<void>;
  remove(account: string): Promise<boolean>;
}

export function upstreamSignInRows(sql: StateSql): UpstreamSignInRows {
  return {
    async put(keyHash, sealed, expiresAt) {
      await sql.run('INSERT INTO upstream_signins (state_hash, payload, expires_at) VALUES (?, ?, ?)', [
        keyHash,
        sealed,
        expiresAt,
      ]);
    },
    async take(keyHash) {
      const row = await sql.get<{ payload: Buffer | Uint8Array; expires_at: number }>(
        'DELETE FROM upstream_signins WHERE state_hash = ? RETURNING payload, expires_at',
        [keyHash],
      );
      return row && { sealed: Buffer.from(row.payload), expiresAt: Number(row.expires_at) };
    },
    async pruneExpired(now) {
      await sql.run('DELETE FROM upstream_signins WHERE expires_at < ?', [now]);
    },
  };
}

export function secretRows(sql: StateSql): SecretRows {
  return {
    async get(account) {
      const row = await sql.get<{ sealed: Buffer | Uint8Array }>(
        'SELECT sealed FROM secrets WHERE account = ?',
        [account],
      );
      return row && Buffer.from(row.sealed);
    },
    async set(account, sealed) {
      await sql.run(
        'INSERT INTO secrets (account, sealed) VALUES (?, ?) ON CONFLICT(account) DO UPDATE SET sealed = excluded.sealed',
        [account, sealed],
      );
    },
    async setIfAbsent(account, sealed) {
      await sql.run('INSERT INTO secrets (account, sealed) VALUES (?, ?) ON CONFLICT DO NOTHING', [
        account,
        sealed,
      ]);
    },
    remove: async (account) => (await sql.run('DELETE FROM secrets WHERE account = ?', [account])) > 0,
  };
}
