import Provider, { errors, type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import { nowSeconds } from '../state/clock.js';
import type { OidcModelRow, OidcModelRows } from '../state/oidc-model-rows.js';
import { hashId, type Sealer } from '../secrets/sealer.js';

type Pending = { model: string; key: string; at: number; grantId?: string };
/** A second rotation's own token (`issued`) and the first rotation's successor it is answered with. */
type SuccessorSwap = { issued: string; first: string };

/**
 * Models whose payload is a secret as a whole: a session's and an interaction's id is their cookie, and an
 * interaction carries the signed-in identity. They are sealed; every other model is stored as JSON without
 * its id (`jti`, which for codes and refresh tokens is the bearer value), restored from the lookup key.
 */
const SEALED = new Set(['Session', 'Interaction']);
/** Read on every token request and written rarely: kept parsed in memory (one instance only, see `cache`). */
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
 *
 * Across instances on one PostgreSQL the consumption is the arbiter: it is written when oidc-provider consumes
 * the artifact, only where no one consumed it first (the row lock makes a second instance wait for the first),
 * so a code is redeemed once; a refresh token presented to two instances at once rotates on both only inside
 * the grace window, as it does on one instance.
 */
export class ModelStore {
  /** CACHED models' payloads as JSON (each find parses its own copy: oidc-provider mutates what it finds). */
  private readonly cache = new Map<string, string>();
  /** Whether `cache` may be used: not when other instances write the same rows. */
  private readonly caching: boolean;
  /**
   * Consumptions not yet written, by `model:key`. A code or refresh token is consumed and its successor
   * (a refresh token of the same grant) saved moments later, in the same request: both go in one commit, made
   * before the token response. Until then the consumption is visible to every read here; if the process dies
   * in between, neither happened and the client's retry finds the token unused.
   */
  private readonly pendingConsumes = new Map<string, Pending>();

  constructor(
    private readonly rows: OidcModelRows,
    private readonly sealer: Sealer,
    private readonly graceSeconds: number,
  ) {
    this.caching = !rows.shared;
  }

  /** The Adapter oidc-provider uses for one model name. */
  adapter(model: string): Adapter {
    // oidc-provider calls these as plain functions: they reach the store through the closure.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return {
      async upsert(id, payload, expiresIn) {
        await store.upsert(model, id, payload, expiresIn ?? 0);
      },
      async find(id) {
        const key = hashId(id);
        const cached = store.cache.get(`${model}:${key}`);
        if (cached) return JSON.parse(cached) as AdapterPayload;
        const row = await store.rows.find(model, key);
        const pendingAt = store.pendingConsumes.get(`${model}:${key}`)?.at;
        const successorUsed = await store.successorUsed(model, row, pendingAt);
        const found = store.read(model, id, row, pendingAt, successorUsed);
        if (found && store.caching && CACHED.has(model) && found.consumed === undefined) {
          if (store.cache.size >= 5000) store.cache.delete(store.cache.keys().next().value!);
          store.cache.set(`${model}:${key}`, JSON.stringify(found));
        }
        return found;
      },
      async findByUid(uid) {
        return store.read(model, undefined, await store.rows.findByUid(model, hashId(uid)));
      },
      async findByUserCode() {
        return undefined; // no device flow
      },
      async consume(id) {
        await store.consume(model, hashId(id));
      },
      async destroy(id) {
        await store.rows.remove(model, hashId(id));
        store.cache.delete(`${model}:${hashId(id)}`);
      },
      async revokeByGrantId(grantId) {
        await store.revokeGrant(grantId);
      },
    };
  }

  private async upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const key = hashId(id);
    const grantId = payload.grantId ?? (model === 'Grant' ? id : undefined);
    const row = {
      model,
      idHash: key,
      payload: this.encode(model, payload),
      grantId: grantId ?? null,
      uidHash: payload.uid ? hashId(payload.uid) : null,
      expiresAt: expiresIn ? nowSeconds() + expiresIn : null,
    };
    const paired = payload.grantId ? this.takePending(payload.grantId) : [];
    const ctx = model === 'RefreshToken' ? Provider.ctx : undefined;
    const rotated = (ctx?.oidc?.entities.RotatedRefreshToken as { jti?: string } | undefined)?.jti;
    if (!paired.length && !rotated) await this.rows.upsert(row);
    else
      await this.rows.tx(async (t) => {
        for (const p of paired) await this.commitConsume(t, p);
        await t.upsert(row);
        if (rotated && rotated !== id) await this.linkSuccessor(t, ctx!, rotated, id);
      });
    if (this.caching && CACHED.has(model)) this.cache.set(`${model}:${key}`, JSON.stringify(payload));
  }

  private async consume(model: string, key: string): Promise<void> {
    if (!PAIRED.has(model)) {
      await this.rows.consume(model, key, Date.now());
      return;
    }
    // Other instances read the same rows: the consumption is decided now, in the database (a successor saved
    // later in this request may come after another instance's whole exchange).
    if (this.rows.shared) {
      await this.rows.tx((t) => this.commitConsume(t, { model, key, at: Date.now() }));
      return;
    }
    const row = await this.rows.consumption(model, key);
    const ref = `${model}:${key}`;
    // Two exchanges of one code in flight at once: the second finds the first's consumption pending.
    if (this.pendingConsumes.has(ref) && model === 'AuthorizationCode')
      throw new errors.InvalidGrant('authorization code already used');
    if (this.pendingConsumes.has(ref) || !row || row.consumedAt !== null) return;
    this.pendingConsumes.set(ref, { model, key, at: Date.now(), grantId: row.grantId ?? undefined });
    // Written on its own if no successor follows in this turn (an error after the consumption).
    setImmediate(() => void this.flushPending().catch(() => undefined));
  }

  /**
   * Writes one consumption where no one consumed the artifact first. Someone did (another instance, at the
   * same moment): a code is refused; a refresh token rotates again only inside the grace window.
   */
  private async commitConsume(t: OidcModelRows, p: Pending): Promise<void> {
    if (await t.consume(p.model, p.key, p.at)) return;
    const row = await t.consumption(p.model, p.key);
    if (!row) throw new errors.InvalidGrant('the grant was revoked meanwhile');
    const inGrace =
      p.model === 'RefreshToken' &&
      row.consumedAt !== null &&
      Date.now() - row.consumedAt < this.graceSeconds * 1000;
    if (!inGrace)
      throw new errors.InvalidGrant(
        p.model === 'AuthorizationCode' ? 'authorization code already used' : 'refresh token already used',
      );
  }

  /**
   * One successor per rotated refresh token: the first rotation records its successor on the rotated row; a
   * second rotation of the same token (a retry inside the grace window, or two instances at once) answers with
   * that successor while it is unused, and its own new token is dropped (ModelStore.answerWithSuccessor).
   */
  private async linkSuccessor(
    t: OidcModelRows,
    ctx: KoaContextWithOIDC,
    rotated: string,
    successor: string,
  ): Promise<void> {
    if (await t.claimSuccessor(hashId(rotated), this.sealer.seal(successor))) return;
    const row = await t.find('RefreshToken', hashId(rotated));
    const first = row?.successor ? this.sealer.open(row.successor) : undefined;
    if (!first) return;
    if (await t.refreshTokenLive(hashId(first)))
      (ctx.state as { bridgeSuccessor?: SuccessorSwap }).bridgeSuccessor = { issued: successor, first };
  }

  /**
   * After a token response: when this request rotated a token another request had already rotated, the answer
   * carries that rotation's successor, and the token minted here is removed (one live successor).
   */
  async answerWithSuccessor(ctx: { state: Record<string, unknown>; body: unknown }): Promise<void> {
    const swap = ctx.state.bridgeSuccessor as SuccessorSwap | undefined;
    const body = ctx.body as { refresh_token?: string } | undefined;
    if (!swap || body?.refresh_token !== swap.issued) return;
    body.refresh_token = swap.first;
    await this.rows.remove('RefreshToken', hashId(swap.issued));
  }

  /**
   * Whether a rotated refresh token's successor has been used (RFC 9700 §4.14): the grace window exists for an
   * answer that got lost, so once the successor was used a replay of the old token is reuse, not a retry, and
   * oidc-provider's reuse detection revokes the family instead of forking a second live chain.
   */
  async successorUsed(
    model: string,
    row: OidcModelRow | undefined,
    pendingConsumedAt?: number,
  ): Promise<boolean> {
    if (model !== 'RefreshToken' || !row || (row.consumedAt ?? pendingConsumedAt ?? null) === null)
      return false;
    const successor = row.successor ? this.sealer.open(row.successor) : undefined;
    if (!successor) return false;
    const key = hashId(successor);
    if (this.pendingConsumes.has(`RefreshToken:${key}`)) return true;
    return !(await this.rows.refreshTokenLive(key));
  }

  /** Records a one-time value (an assertion's jti) until it expires; false when it was already recorded. */
  async claimOnce(kind: string, value: string, expiresAt: number): Promise<boolean> {
    return this.rows.claimOnce(kind, hashId(value), expiresAt);
  }

  /** Deletes every artifact of a grant: the grant itself, its codes and refresh tokens. */
  async revokeGrant(grantId: string): Promise<void> {
    this.forget(grantId);
    await this.rows.removeGrant(grantId);
  }

  /** Drops what this instance holds of a revoked grant: its cached payload, consumptions not yet written. */
  forget(grantId: string): void {
    this.takePending(grantId);
    this.cache.delete(`Grant:${hashId(grantId)}`);
  }

  /** How many refresh tokens a grant has had (rotations + 1) and when its newest expires. */
  refreshFamily(grantId: string): Promise<{ issued: number; activeExpiresAt?: number }> {
    return this.rows.refreshFamily(grantId);
  }

  /** Drops expired artifacts (consumed refresh tokens stay until they expire: reuse detection needs them). */
  async prune(): Promise<void> {
    await this.rows.pruneExpired(nowSeconds());
  }

  /** Writes consumptions that found no successor (and everything at shutdown). */
  async flushPending(): Promise<void> {
    if (!this.pendingConsumes.size) return;
    const all = [...this.pendingConsumes.values()];
    this.pendingConsumes.clear();
    await this.rows.tx(async (t) => {
      for (const p of all) await t.consume(p.model, p.key, p.at);
    });
  }

  private takePending(grantId: string): Pending[] {
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
    row: OidcModelRow | undefined,
    pendingConsumedAt?: number,
    successorUsed = false,
  ): AdapterPayload | undefined {
    if (!row) return undefined;
    const plain = this.decode(model, row.payload);
    if (plain === undefined) return undefined;
    const payload = JSON.parse(plain) as AdapterPayload;
    if (!SEALED.has(model)) payload.jti = id;
    const consumedAt = row.consumedAt ?? pendingConsumedAt ?? null;
    if (consumedAt !== null) {
      const inGrace =
        model === 'RefreshToken' && !successorUsed && Date.now() - consumedAt < this.graceSeconds * 1000;
      if (!inGrace) payload.consumed = Math.floor(consumedAt / 1000);
    }
    return payload;
  }
}
