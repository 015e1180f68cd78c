import type { Adapter, AdapterPayload } from 'oidc-provider';
import { nowSeconds, type StateDb } from '../state/database.js';
import { hashId, type Sealer } from './sealer.js';

type Row = { payload: Buffer; consumed_at: number | null };

/**
 * Models whose payload is a secret as a whole: a session's and an interaction's id is their cookie, and an
 * interaction carries the signed-in identity. They are sealed; every other model is stored as JSON without
 * its id (`jti`, which for codes and refresh tokens is the bearer value), restored from the lookup key.
 */
const SEALED = new Set(['Session', 'Interaction']);
/** Read on every token request and written rarely: kept parsed in memory. */
const CACHED = new Set(['Grant']);
/** Single-use artifacts whose consumption is committed together with the successor they are exchanged for. */
const PAIRED = new Set(['AuthorizationCode', 'RefreshToken']);

/**
 * oidc-provider's storage over the state database: one table for every artifact kind, hashed ids, no bearer
 * value at rest. Clients are not stored here (see ClientRegistry.adapter): they keep their own table.
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
  /** CACHED models' payloads as JSON (each find parses its own copy: oidc-provider mutates what it finds). */
  private readonly cache = new Map<string, string>();
  private readonly grantOfStmt;
  /**
   * Consumptions not yet written, by `model:key`. A code or refresh token is consumed and its successor
   * (a refresh token of the same grant) saved moments later, in the same request: both go in one commit, made
   * before the token response. Until then the consumption is visible to every read here; if the process dies
   * in between, neither happened and the client's retry finds the token unused.
   */
  private readonly pendingConsumes = new Map<
    string,
    { model: string; key: string; at: number; grantId?: string }
  >();

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
    this.grantOfStmt = db.prepare(
      'SELECT grant_id, consumed_at FROM oidc_models WHERE model = ? AND id_hash = ?',
    );
  }

  /** The Adapter oidc-provider uses for one model name. */
  adapter(model: string): Adapter {
    // oidc-provider calls these as plain functions: they reach the store through the closure.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return {
      async upsert(id, payload, expiresIn) {
        const key = hashId(id);
        const write = () =>
          store.upsertStmt.run(
            model,
            key,
            store.encode(model, payload),
            payload.grantId ?? (model === 'Grant' ? id : null),
            payload.uid ? hashId(payload.uid) : null,
            expiresIn ? nowSeconds() + expiresIn : null,
          );
        const paired = payload.grantId ? store.takePending(payload.grantId) : [];
        if (paired.length)
          store.db.transaction(() => {
            for (const p of paired) store.consumeStmt.run(p.at, p.model, p.key);
            write();
          })();
        else write();
        if (CACHED.has(model)) store.cache.set(`${model}:${key}`, JSON.stringify(payload));
      },
      async find(id) {
        const key = hashId(id);
        const cached = store.cache.get(`${model}:${key}`);
        if (cached) return JSON.parse(cached) as AdapterPayload;
        const found = store.read(
          model,
          id,
          store.findStmt.get(model, key) as Row | undefined,
          store.pendingConsumes.get(`${model}:${key}`)?.at,
        );
        if (found && CACHED.has(model) && found.consumed === undefined) {
          if (store.cache.size >= 5000) store.cache.delete(store.cache.keys().next().value!);
          store.cache.set(`${model}:${key}`, JSON.stringify(found));
        }
        return found;
      },
      async findByUid(uid) {
        return store.read(model, undefined, store.findByUidStmt.get(model, hashId(uid)) as Row | undefined);
      },
      async findByUserCode() {
        return undefined; // no device flow
      },
      async consume(id) {
        const key = hashId(id);
        if (!PAIRED.has(model)) return void store.consumeStmt.run(Date.now(), model, key);
        const ref = `${model}:${key}`;
        if (store.pendingConsumes.has(ref)) return;
        const row = store.grantOfStmt.get(model, key) as
          { grant_id: string | null; consumed_at: number | null } | undefined;
        if (!row || row.consumed_at !== null) return;
        store.pendingConsumes.set(ref, { model, key, at: Date.now(), grantId: row.grant_id ?? undefined });
        // Written on its own if no successor follows in this turn (an error after the consumption).
        setImmediate(() => store.flushPending());
      },
      async destroy(id) {
        store.destroyStmt.run(model, hashId(id));
        store.cache.delete(`${model}:${hashId(id)}`);
      },
      async revokeByGrantId(grantId) {
        store.revokeGrant(grantId);
      },
    };
  }

  /** Records a one-time value (an assertion's jti) until it expires; false when it was already recorded. */
  claimOnce(kind: string, value: string, expiresAt: number): boolean {
    return (
      this.db
        .prepare(
          "INSERT INTO oidc_models (model, id_hash, payload, expires_at) VALUES (?, ?, x'7b7d', ?) ON CONFLICT DO NOTHING",
        )
        .run(kind, hashId(value), expiresAt).changes === 1
    );
  }

  /** Deletes every artifact of a grant: the grant itself, its codes and refresh tokens. */
  revokeGrant(grantId: string): void {
    this.takePending(grantId);
    this.revokeStmt.run(grantId);
    this.cache.delete(`Grant:${hashId(grantId)}`);
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

  /** Writes consumptions that found no successor (and everything at shutdown). */
  flushPending(): void {
    if (!this.pendingConsumes.size || !this.db.open) return;
    const all = [...this.pendingConsumes.values()];
    this.pendingConsumes.clear();
    this.db.transaction(() => {
      for (const p of all) this.consumeStmt.run(p.at, p.model, p.key);
    })();
  }

  private takePending(grantId: string): Array<{ model: string; key: string; at: number }> {
    const taken = [];
    for (const [ref, p] of this.pendingConsumes)
      if (p.grantId === grantId) {
        taken.push(p);
        this.pendingConsumes.delete(ref);
      }
    return taken;
  }

  private decode(model: string, blob: Buffer): string | undefined {
    return SEALED.has(model) ? this.sealer.open(blob) : blob.toString('utf8');
  }

  private encode(model: string, payload: AdapterPayload): Buffer {
    if (SEALED.has(model)) return this.sealer.seal(JSON.stringify(payload));
    const { jti: _bearer, ...rest } = payload;
    return Buffer.from(JSON.stringify(rest));
  }

  private read(
    model: string,
    id: string | undefined,
    row: Row | undefined,
    pendingConsumedAt?: number,
  ): AdapterPayload | undefined {
    if (!row) return undefined;
    const plain = this.decode(model, row.payload);
    if (plain === undefined) return undefined;
    const payload = JSON.parse(plain) as AdapterPayload;
    if (!SEALED.has(model)) payload.jti = id;
    const consumedAt = row.consumed_at ?? pendingConsumedAt ?? null;
    if (consumedAt !== null) {
      const inGrace = model === 'RefreshToken' && Date.now() - consumedAt < this.graceSeconds * 1000;
      if (!inGrace) payload.consumed = Math.floor(consumedAt / 1000);
    }
    return payload;
  }
}
