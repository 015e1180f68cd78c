import type { StateSql } from './sql.js';

/** One stored oidc-provider artifact: its payload (sealed or JSON, the owner's), when consumed, its successor. */
export interface OidcModelRow {
  payload: Buffer;
  /** ms since epoch, or null while unused. */
  consumedAt: number | null;
  /** A rotated refresh token's successor, sealed. */
  successor: Buffer | null;
}

export interface NewOidcModelRow {
  model: string;
  idHash: string;
  payload: Buffer;
  grantId: string | null;
  uidHash: string | null;
  /** Seconds since epoch, or null for no expiry. */
  expiresAt: number | null;
}

/**
 * oidc-provider's artifacts (sessions, interactions, grants, codes, refresh tokens, one-time claims), keyed by
 * model and the hash of their id. What the payload means, and sealing it, is the owner's (oauth/model-store).
 */
export interface OidcModelRows {
  /** Whether other instances write the same rows (PostgreSQL): nothing may be cached or decided in memory. */
  readonly shared: boolean;
  find(model: string, idHash: string): Promise<OidcModelRow | undefined>;
  findByUid(model: string, uidHash: string): Promise<OidcModelRow | undefined>;
  /** The grant an artifact belongs to and its consumption, for the consume decision. */
  consumption(
    model: string,
    idHash: string,
  ): Promise<{ grantId: string | null; consumedAt: number | null } | undefined>;
  upsert(row: NewOidcModelRow): Promise<void>;
  /** Marks an artifact consumed at `at` (ms) unless someone did first; whether this call did. */
  consume(model: string, idHash: string, at: number): Promise<boolean>;
  /** Records a rotated refresh token's successor unless one is recorded; whether this call did. */
  claimSuccessor(rotatedHash: string, sealedSuccessor: Buffer): Promise<boolean>;
  /** Whether the refresh token is stored and not consumed. */
  refreshTokenLive(idHash: string): Promise<boolean>;
  remove(model: string, idHash: string): Promise<void>;
  /** Records a one-time value until `expiresAt` (seconds); false when it was already recorded. */
  claimOnce(kind: string, valueHash: string, expiresAt: number): Promise<boolean>;
  removeGrant(grantId: string): Promise<void>;
  /** How many refresh tokens a grant has had and when its unconsumed one expires (seconds). */
  refreshFamily(grantId: string): Promise<{ issued: number; activeExpiresAt?: number }>;
  /** Drops artifacts expired before `now` (seconds). */
  pruneExpired(now: number): Promise<void>;
  /** Runs `fn` in one transaction over these rows (rows read in it stay locked on PostgreSQL). */
  tx<T>(fn: (rows: OidcModelRows) => Promise<T>): Promise<T>;
}

const UPSERT = `INSERT INTO oidc_models (model, id_hash, payload, grant_id, uid_hash, expires_at, consumed_at)
  VALUES (?, ?, ?, ?, ?, ?, NULL)
  ON CONFLICT(model, id_hash) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
    uid_hash = excluded.uid_hash, expires_at = excluded.expires_at`;
const CONSUME =
  'UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id_hash = ? AND consumed_at IS NULL';

type Raw = {
  payload: Buffer | Uint8Array;
  consumed_at: number | null;
  successor?: Buffer | Uint8Array | null;
};

const toRow = (r: Raw | undefined): OidcModelRow | undefined =>
  r && {
    payload: Buffer.from(r.payload),
    consumedAt: r.consumed_at === null ? null : Number(r.consumed_at),
    successor: r.successor ? Buffer.from(r.successor) : null,
  };

export function oidcModelRows(sql: StateSql): OidcModelRows {
  return {
    shared: sql.dialect === 'postgres',
    find: async (model, idHash) =>
      toRow(
        await sql.get<Raw>(
          'SELECT payload, consumed_at, successor FROM oidc_models WHERE model = ? AND id_hash = ?',
          [model, idHash],
        ),
      ),
    findByUid: async (model, uidHash) =>
      toRow(
        await sql.get<Raw>('SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND uid_hash = ?', [
          model,
          uidHash,
        ]),
      ),
    async consumption(model, idHash) {
      const r = await sql.get<{ grant_id: string | null; consumed_at: number | null }>(
        'SELECT grant_id, consumed_at FROM oidc_models WHERE model = ? AND id_hash = ?',
        [model, idHash],
      );
      return r && { grantId: r.grant_id, consumedAt: r.consumed_at === null ? null : Number(r.consumed_at) };
    },
    async upsert(r) {
      await sql.run(UPSERT, [r.model, r.idHash, r.payload, r.grantId, r.uidHash, r.expiresAt]);
    },
    consume: async (model, idHash, at) => (await sql.run(CONSUME, [at, model, idHash])) === 1,
    claimSuccessor: async (rotatedHash, sealed) =>
      (await sql.run(
        "UPDATE oidc_models SET successor = ? WHERE model = 'RefreshToken' AND id_hash = ? AND successor IS NULL",
        [sealed, rotatedHash],
      )) === 1,
    refreshTokenLive: async (idHash) =>
      !!(await sql.get(
        "SELECT 1 FROM oidc_models WHERE model = 'RefreshToken' AND id_hash = ? AND consumed_at IS NULL",
        [idHash],
      )),
    async remove(model, idHash) {
      await sql.run('DELETE FROM oidc_models WHERE model = ? AND id_hash = ?', [model, idHash]);
    },
    claimOnce: async (kind, valueHash, expiresAt) =>
      (await sql.run(
        'INSERT INTO oidc_models (model, id_hash, payload, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [kind, valueHash, Buffer.from('{}'), expiresAt],
      )) === 1,
    async removeGrant(grantId) {
      await sql.run('DELETE FROM oidc_models WHERE grant_id = ?', [grantId]);
    },
    async refreshFamily(grantId) {
      const row = await sql.get<{ issued: number; active: number | null }>(
        "SELECT COUNT(*) AS issued, MAX(CASE WHEN consumed_at IS NULL THEN expires_at END) AS active FROM oidc_models WHERE model = 'RefreshToken' AND grant_id = ?",
        [grantId],
      );
      return { issued: Number(row?.issued ?? 0), activeExpiresAt: row?.active ?? undefined };
    },
    async pruneExpired(now) {
      await sql.run('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at < ?', [now]);
    },
    tx: (fn) => sql.tx((t) => fn(oidcModelRows(t))),
  };
}
