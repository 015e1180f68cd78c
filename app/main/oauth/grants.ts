import type { Identity } from '../idp/identity.js';
import { nowSeconds } from '../state/database.js';
import type { StateEvent, StateEvents } from '../state/events.js';
import type { Sql } from '../state/sql.js';
import type { ModelStore } from './model-store.js';

/**
 * One authorization of one client for one user, as the bridge shows and revokes it. Its id is oidc-provider's
 * grant id, which every code, refresh token and access token (`gid`) of the family carries.
 */
export interface Grant {
  id: string;
  clientId: string;
  identity: Identity;
  scopes: string[];
  resource: string;
  issuer: string;
  createdAt: number;
  revokedAt?: number;
  revokedReason?: string;
  /** 'broker': a connector got it from the desktop sign-in over the local channel, not through a browser. */
  via?: 'broker';
}

export type GrantEvent =
  | { type: 'grant_revoked'; grantId: string; reason: string }
  | { type: 'access_token_issued'; token: AccessTokenRecord }
  | { type: 'access_token_revoked'; jti: string };

/** An issued access token as the bridge remembers it: its claims, never the token itself. */
export interface AccessTokenRecord {
  jti: string;
  grantId: string;
  issuedAt: number;
  expiresAt: number;
  claims: Record<string, unknown>;
}

type AccessTokenRow = {
  jti: string;
  grant_id: string;
  issued_at: number;
  expires_at: number;
  claims: string;
};

function toTokenRecord(row: AccessTokenRow): AccessTokenRecord {
  return {
    jti: row.jti,
    grantId: row.grant_id,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    claims: JSON.parse(row.claims) as Record<string, unknown>,
  };
}

type GrantRow = {
  id: string;
  client_id: string;
  identity: string;
  scopes: string;
  resource: string;
  issuer: string;
  created_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  via: string | null;
};

/**
 * The bridge's view of grants (with the identity each was signed in as), remembered consents, issued access
 * tokens and revocations. Revoked grants and access-token ids are mirrored in memory so bearer verification
 * stays a set lookup; other instances' revocations arrive through `events` and join the mirror.
 */
export class GrantStore {
  private readonly revokedGrants = new Set<string>();
  private readonly revokedJtis = new Set<string>();
  private readonly listeners = new Set<(event: GrantEvent) => void>();
  /** Grants by id as last read: bearer checks and token issuance read them on every request. */
  private readonly grantCache = new Map<string, Grant>();
  /** Issued-token records not yet written (see recordAccessToken). */
  private pendingTokens: AccessTokenRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly sql: Sql,
    private readonly models: ModelStore,
    private readonly events: StateEvents,
  ) {}

  static async open(sql: Sql, models: ModelStore, events: StateEvents): Promise<GrantStore> {
    const store = new GrantStore(sql, models, events);
    await store.loadRevocations();
    events.subscribe({
      event: (e) => store.applyRemote(e),
      resync: () => void store.loadRevocations().catch(() => undefined),
    });
    return store;
  }

  /** (Re)reads every revocation into the in-memory mirror. */
  private async loadRevocations(): Promise<void> {
    for (const r of await this.sql.all<{ id: string }>('SELECT id FROM grants WHERE revoked_at IS NOT NULL'))
      this.revokedGrants.add(r.id);
    for (const r of await this.sql.all<{ jti: string }>(
      'SELECT jti FROM revoked_access_tokens WHERE expires_at >= ?',
      [nowSeconds()],
    ))
      this.revokedJtis.add(r.jti);
  }

  /** Another instance revoked something: refuse it here too, and show it in this instance's live views. */
  private applyRemote(e: StateEvent): void {
    if (e.type === 'grant_revoked') {
      this.grantCache.delete(e.grantId);
      this.models.forget(e.grantId);
      if (!this.revokedGrants.has(e.grantId)) {
        this.revokedGrants.add(e.grantId);
        this.emit({ type: 'grant_revoked', grantId: e.grantId, reason: e.reason });
      }
    } else if (!this.revokedJtis.has(e.jti)) {
      this.revokedJtis.add(e.jti);
      this.emit({ type: 'access_token_revoked', jti: e.jti });
    }
  }

  /** Grant revocations, token issuance and token revocations, as they happen (the Inspector's live view). */
  onEvent(listener: (event: GrantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: GrantEvent): void {
    for (const l of this.listeners) l(event);
  }

  // --- grants ---

  async createGrant(grant: Omit<Grant, 'createdAt'>): Promise<void> {
    await this.sql.run(
      'INSERT INTO grants (id, client_id, subject, identity, scopes, resource, issuer, created_at, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        grant.id,
        grant.clientId,
        grant.identity.subject,
        JSON.stringify(grant.identity),
        grant.scopes.join(' '),
        grant.resource,
        grant.issuer,
        nowSeconds(),
        grant.via ?? null,
      ],
    );
  }

  async getGrant(id: string): Promise<Grant | undefined> {
    const cached = this.grantCache.get(id);
    if (cached) return cached;
    const row = await this.sql.get<GrantRow>('SELECT * FROM grants WHERE id = ?', [id]);
    if (!row) return undefined;
    const grant = toGrant(row);
    if (this.grantCache.size >= 5000) this.grantCache.delete(this.grantCache.keys().next().value!);
    this.grantCache.set(id, grant);
    return grant;
  }

  async listGrants(opts: { includeRevoked?: boolean } = {}): Promise<Grant[]> {
    const sql = opts.includeRevoked
      ? 'SELECT * FROM grants ORDER BY created_at DESC'
      : 'SELECT * FROM grants WHERE revoked_at IS NULL ORDER BY created_at DESC';
    return (await this.sql.all<GrantRow>(sql)).map(toGrant);
  }

  isGrantRevoked(id: string): boolean {
    return this.revokedGrants.has(id);
  }

  /**
   * Revokes a grant and so every token of its family, wherever the revocation came from. Refused here at once
   * (before the write: oidc-provider answers /revoke without waiting for its event's handler), then stored
   * and told to the other instances.
   */
  async revokeGrant(id: string, reason: string): Promise<void> {
    this.models.forget(id);
    this.grantCache.delete(id);
    if (!this.revokedGrants.has(id)) {
      this.revokedGrants.add(id);
      this.emit({ type: 'grant_revoked', grantId: id, reason });
    }
    await this.sql.tx(async (t) => {
      await t.run(
        'UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
        [nowSeconds(), reason, id],
      );
      await t.run('DELETE FROM oidc_models WHERE grant_id = ?', [id]);
    });
    await this.events.publish({ type: 'grant_revoked', grantId: id, reason });
  }

  refreshFamily(grantId: string): Promise<{ issued: number; activeExpiresAt?: number }> {
    return this.models.refreshFamily(grantId);
  }

  // --- consents ---

  async hasConsent(subject: string, clientId: string, scopes: string[]): Promise<boolean> {
    const row = await this.sql.get<{ scopes: string }>(
      'SELECT scopes FROM consents WHERE subject = ? AND client_id = ?',
      [subject, clientId],
    );
    if (!row) return false;
    const granted = new Set(row.scopes.split(' '));
    return scopes.every((s) => granted.has(s));
  }

  async recordConsent(subject: string, clientId: string, scopes: string[]): Promise<void> {
    await this.sql.run(
      'INSERT INTO consents (subject, client_id, scopes, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT(subject, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at',
      [subject, clientId, scopes.join(' '), nowSeconds()],
    );
  }

  // --- access tokens ---

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    if (!this.revokedJtis.has(jti)) {
      this.revokedJtis.add(jti);
      this.emit({ type: 'access_token_revoked', jti });
    }
    await this.sql.run(
      'INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      [jti, expiresAt],
    );
    await this.events.publish({ type: 'access_token_revoked', jti, expiresAt });
  }

  /**
   * Remembers an issued token for the Inspector. Written with the others issued in the next 200 ms, in one
   * transaction after the token responses: the record is for display and revocation by jti, the token itself
   * is valid without it, and /token should not wait for one more commit. (A kill -9 within those 200 ms loses
   * the record, never a grant or refresh token.)
   */
  recordAccessToken(record: AccessTokenRecord): void {
    if (this.pendingTokens.push(record) === 1)
      setTimeout(() => void this.flushTokenRecords().catch(() => undefined), 200).unref();
    this.emit({ type: 'access_token_issued', token: record });
  }

  /** Writes everything deferred: token records and consumptions still waiting for their successor (shutdown). */
  async flush(): Promise<void> {
    await this.flushTokenRecords();
    await this.models.flushPending();
  }

  /** Writes the pending token records (also before any read of them). */
  private flushTokenRecords(): Promise<void> {
    if (!this.pendingTokens.length) return this.flushing;
    const batch = this.pendingTokens;
    this.pendingTokens = [];
    this.flushing = this.flushing.then(() =>
      this.sql.tx(async (t) => {
        for (const r of batch)
          await t.run(
            'INSERT INTO access_tokens (jti, grant_id, issued_at, expires_at, claims) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
            [r.jti, r.grantId, r.issuedAt, r.expiresAt, JSON.stringify(r.claims)],
          );
      }),
    );
    return this.flushing;
  }

  async getAccessToken(jti: string): Promise<AccessTokenRecord | undefined> {
    await this.flushTokenRecords();
    const row = await this.sql.get<AccessTokenRow>('SELECT * FROM access_tokens WHERE jti = ?', [jti]);
    return row && toTokenRecord(row);
  }

  /** Access tokens not yet expired (or all kept ones), newest first. */
  async listAccessTokens(opts: { includeExpired?: boolean } = {}): Promise<AccessTokenRecord[]> {
    await this.flushTokenRecords();
    const rows = opts.includeExpired
      ? await this.sql.all<AccessTokenRow>('SELECT * FROM access_tokens ORDER BY issued_at DESC')
      : await this.sql.all<AccessTokenRow>(
          'SELECT * FROM access_tokens WHERE expires_at >= ? ORDER BY issued_at DESC',
          [nowSeconds()],
        );
    return rows.map(toTokenRecord);
  }

  isAccessTokenRevoked(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  /** Drops what can no longer matter: expired artifacts and revocations of expired tokens. */
  async prune(): Promise<void> {
    const now = nowSeconds();
    await this.models.prune();
    const expired = await this.sql.all<{ jti: string }>(
      'SELECT jti FROM revoked_access_tokens WHERE expires_at < ?',
      [now],
    );
    await this.sql.run('DELETE FROM revoked_access_tokens WHERE expires_at < ?', [now]);
    // Expired tokens stay listed for a day (what the Inspector shows as "expired"), then go.
    await this.sql.run('DELETE FROM access_tokens WHERE expires_at < ?', [now - 86_400]);
    for (const r of expired) this.revokedJtis.delete(r.jti);
  }
}

function toGrant(row: GrantRow): Grant {
  return {
    id: row.id,
    clientId: row.client_id,
    identity: JSON.parse(row.identity) as Identity,
    scopes: row.scopes ? row.scopes.split(' ') : [],
    resource: row.resource,
    issuer: row.issuer,
    createdAt: row.created_at,
    revokedAt: row.revoked_at ?? undefined,
    revokedReason: row.revoked_reason ?? undefined,
    ...(row.via === 'broker' ? { via: 'broker' as const } : {}),
  };
}
