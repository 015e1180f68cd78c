import type { Identity } from '../idp/identity.js';
import { nowSeconds, type StateDb } from '../state/database.js';
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
 * stays a set lookup.
 */
export class GrantStore {
  private readonly revokedGrants = new Set<string>();
  private readonly revokedJtis = new Set<string>();
  private readonly listeners = new Set<(event: GrantEvent) => void>();
  private readonly getGrantStmt;
  private readonly recordTokenStmt;
  /** Grants by id as last read: bearer checks and token issuance read them on every request. */
  private readonly grantCache = new Map<string, Grant>();
  /** Issued-token records not yet written (see recordAccessToken). */
  private pendingTokens: AccessTokenRecord[] = [];

  constructor(
    private readonly db: StateDb,
    private readonly models: ModelStore,
  ) {
    for (const r of db.prepare('SELECT id FROM grants WHERE revoked_at IS NOT NULL').all() as Array<{
      id: string;
    }>)
      this.revokedGrants.add(r.id);
    for (const r of db
      .prepare('SELECT jti FROM revoked_access_tokens WHERE expires_at >= ?')
      .all(nowSeconds()) as Array<{ jti: string }>)
      this.revokedJtis.add(r.jti);
    this.getGrantStmt = db.prepare('SELECT * FROM grants WHERE id = ?');
    this.recordTokenStmt = db.prepare(
      'INSERT INTO access_tokens (jti, grant_id, issued_at, expires_at, claims) VALUES (?, ?, ?, ?, ?)',
    );
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

  createGrant(grant: Omit<Grant, 'createdAt'>): void {
    this.db
      .prepare(
        'INSERT INTO grants (id, client_id, subject, identity, scopes, resource, issuer, created_at, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        grant.id,
        grant.clientId,
        grant.identity.subject,
        JSON.stringify(grant.identity),
        grant.scopes.join(' '),
        grant.resource,
        grant.issuer,
        nowSeconds(),
        grant.via ?? null,
      );
  }

  getGrant(id: string): Grant | undefined {
    const cached = this.grantCache.get(id);
    if (cached) return cached;
    const row = this.getGrantStmt.get(id) as GrantRow | undefined;
    if (!row) return undefined;
    const grant = toGrant(row);
    if (this.grantCache.size >= 5000) this.grantCache.delete(this.grantCache.keys().next().value!);
    this.grantCache.set(id, grant);
    return grant;
  }

  listGrants(opts: { includeRevoked?: boolean } = {}): Grant[] {
    const sql = opts.includeRevoked
      ? 'SELECT * FROM grants ORDER BY created_at DESC'
      : 'SELECT * FROM grants WHERE revoked_at IS NULL ORDER BY created_at DESC';
    return (this.db.prepare(sql).all() as GrantRow[]).map(toGrant);
  }

  isGrantRevoked(id: string): boolean {
    return this.revokedGrants.has(id);
  }

  /** Revokes a grant and so every token of its family, wherever the revocation came from. */
  revokeGrant(id: string, reason: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL')
        .run(nowSeconds(), reason, id);
      this.models.revokeGrant(id);
    })();
    this.grantCache.delete(id);
    if (!this.revokedGrants.has(id)) {
      this.revokedGrants.add(id);
      this.emit({ type: 'grant_revoked', grantId: id, reason });
    }
  }

  refreshFamily(grantId: string): { issued: number; activeExpiresAt?: number } {
    return this.models.refreshFamily(grantId);
  }

  // --- consents ---

  hasConsent(subject: string, clientId: string, scopes: string[]): boolean {
    const row = this.db
      .prepare('SELECT scopes FROM consents WHERE subject = ? AND client_id = ?')
      .get(subject, clientId) as { scopes: string } | undefined;
    if (!row) return false;
    const granted = new Set(row.scopes.split(' '));
    return scopes.every((s) => granted.has(s));
  }

  recordConsent(subject: string, clientId: string, scopes: string[]): void {
    this.db
      .prepare(
        'INSERT INTO consents (subject, client_id, scopes, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT(subject, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at',
      )
      .run(subject, clientId, scopes.join(' '), nowSeconds());
  }

  // --- access tokens ---

  revokeAccessToken(jti: string, expiresAt: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?)')
      .run(jti, expiresAt);
    if (!this.revokedJtis.has(jti)) {
      this.revokedJtis.add(jti);
      this.emit({ type: 'access_token_revoked', jti });
    }
  }

  /**
   * Remembers an issued token for the Inspector. Written with the others issued in the next 200 ms, in one
   * transaction after the token responses: the record is for display and revocation by jti, the token itself
   * is valid without it, and /token should not wait for one more commit. (A kill -9 within those 200 ms loses
   * the record, never a grant or refresh token.)
   */
  recordAccessToken(record: AccessTokenRecord): void {
    if (this.pendingTokens.push(record) === 1) setTimeout(() => this.flushTokenRecords(), 200).unref();
    this.emit({ type: 'access_token_issued', token: record });
  }

  /** Writes everything deferred: token records and consumptions still waiting for their successor (shutdown). */
  flush(): void {
    this.flushTokenRecords();
    this.models.flushPending();
  }

  /** Writes the pending token records (also before any read of them). */
  private flushTokenRecords(): void {
    if (!this.pendingTokens.length || !this.db.open) return;
    const batch = this.pendingTokens;
    this.pendingTokens = [];
    this.db.transaction(() => {
      for (const r of batch)
        this.recordTokenStmt.run(r.jti, r.grantId, r.issuedAt, r.expiresAt, JSON.stringify(r.claims));
    })();
  }

  getAccessToken(jti: string): AccessTokenRecord | undefined {
    this.flushTokenRecords();
    const row = this.db.prepare('SELECT * FROM access_tokens WHERE jti = ?').get(jti) as
      AccessTokenRow | undefined;
    return row && toTokenRecord(row);
  }

  /** Access tokens not yet expired (or all kept ones), newest first. */
  listAccessTokens(opts: { includeExpired?: boolean } = {}): AccessTokenRecord[] {
    this.flushTokenRecords();
    const rows = (
      opts.includeExpired
        ? this.db.prepare('SELECT * FROM access_tokens ORDER BY issued_at DESC').all()
        : this.db
            .prepare('SELECT * FROM access_tokens WHERE expires_at >= ? ORDER BY issued_at DESC')
            .all(nowSeconds())
    ) as AccessTokenRow[];
    return rows.map(toTokenRecord);
  }

  isAccessTokenRevoked(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  /** Drops what can no longer matter: expired artifacts and revocations of expired tokens. */
  prune(): void {
    const now = nowSeconds();
    this.models.prune();
    const expired = this.db
      .prepare('SELECT jti FROM revoked_access_tokens WHERE expires_at < ?')
      .all(now) as Array<{ jti: string }>;
    this.db.prepare('DELETE FROM revoked_access_tokens WHERE expires_at < ?').run(now);
    // Expired tokens stay listed for a day (what the Inspector shows as "expired"), then go.
    this.db.prepare('DELETE FROM access_tokens WHERE expires_at < ?').run(now - 86_400);
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
