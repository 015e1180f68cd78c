import type { Adapter, AdapterPayload } from 'oidc-provider';
import { nowSeconds, type StateDb } from '../state/database.js';
import { hashId, type Sealer } from './sealer.js';

type Row = { payload: Buffer; consumed_at: number | null };

/**
 * oidc-provider's storage over the state database: one table for every artifact kind, sealed payloads,
 * hashed ids. Clients are not stored here (see ClientRegistry.adapter): they keep their own table.
 *
 * Refresh-token rotation keeps a grace window here, in the stored artifact itself: a token consumed less than
 * `graceSeconds` ago is returned as not yet consumed, so a client that retries a refresh whose answer it never
 * received (its process or the bridge crashed in between) rotates again instead of tripping reuse detection.
 * Being part of the same row as the rotation, the window survives a kill -9 of the bridge.
 */
export class ModelStore {
  private readonly upsertStmt;
  private readonly findStmt;
  private readonly findByUidStmt;
  private readonly consumeStmt;
  private readonly destroyStmt;
  private readonly revokeStmt;

  constructor(
    private readonly db: StateDb,
    private readonly sealer: Sealer,
    private readonly graceSeconds: number,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO oidc_models (model, id_hash, payload, grant_id, uid_hash, expires_at, consumed_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT(model, id_hash) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         uid_hash = excluded.uid_hash, expires_at = excluded.expires_at`,
    );
    this.findStmt = db.prepare(
      'SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND id_hash = ?',
    );
    this.findByUidStmt = db.prepare(
      'SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND uid_hash = ?',
    );
    this.consumeStmt = db.prepare(
      'UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id_hash = ? AND consumed_at IS NULL',
    );
    this.destroyStmt = db.prepare('DELETE FROM oidc_models WHERE model = ? AND id_hash = ?');
    this.revokeStmt = db.prepare('DELETE FROM oidc_models WHERE grant_id = ?');
  }

  /** The Adapter oidc-provider uses for one model name. */
  adapter(model: string): Adapter {
    const store = this;
    return {
      async upsert(id, payload, expiresIn) {
        store.upsertStmt.run(
          model,
          hashId(id),
          store.sealer.seal(JSON.stringify(payload)),
          payload.grantId ?? (model === 'Grant' ? id : null),
          payload.uid ? hashId(payload.uid) : null,
          expiresIn ? nowSeconds() + expiresIn : null,
        );
      },
      async find(id) {
        return store.read(model, store.findStmt.get(model, hashId(id)) as Row | undefined);
      },
      async findByUid(uid) {
        return store.read(model, store.findByUidStmt.get(model, hashId(uid)) as Row | undefined);
      },
      async findByUserCode() {
        return undefined; // no device flow
      },
      async consume(id) {
        store.consumeStmt.run(Date.now(), model, hashId(id));
      },
      async destroy(id) {
        store.destroyStmt.run(model, hashId(id));
      },
      async revokeByGrantId(grantId) {
        store.revokeGrant(grantId);
      },
    };
  }

  /** Deletes every artifact of a grant: the grant itself, its codes and refresh tokens. */
  revokeGrant(grantId: string): void {
    this.revokeStmt.run(grantId);
  }

  /** How many refresh tokens a grant has had (rotations + 1) and when its newest expires. */
  refreshFamily(grantId: string): { issued: number; activeExpiresAt?: number } {
    const row = this.db
      .prepare(
        "SELECT COUNT(*) AS issued, MAX(CASE WHEN consumed_at IS NULL THEN expires_at END) AS active FROM oidc_models WHERE model = 'RefreshToken' AND grant_id = ?",
      )
      .get(grantId) as { issued: number; active: number | null };
    return { issued: row.issued, activeExpiresAt: row.active ?? undefined };
  }

  /** Drops expired artifacts (consumed refresh tokens stay until they expire: reuse detection needs them). */
  prune(): void {
    const now = nowSeconds();
    this.db.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at < ?').run(now);
    this.db.prepare('DELETE FROM upstream_signins WHERE expires_at < ?').run(now);
  }

  private read(model: string, row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    const plain = this.sealer.open(row.payload);
    if (plain === undefined) return undefined;
    const payload = JSON.parse(plain) as AdapterPayload;
    if (row.consumed_at !== null) {
      const inGrace = model === 'RefreshToken' && Date.now() - row.consumed_at < this.graceSeconds * 1000;
      if (!inGrace) payload.consumed = Math.floor(row.consumed_at / 1000);
    }
    return payload;
  }
}
