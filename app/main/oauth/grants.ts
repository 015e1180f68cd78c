import crypto from 'node:crypto';
import type { Identity } from '../idp/identity.js';
import { nowSeconds, type StateDb } from '../state/database.js';

/** One authorization of one client for one user: the family of every token issued from one code. */
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
}

/** What `/authorize` settled, kept with the code until `/token` redeems it. */
export interface CodeData {
  clientId: string;
  redirectUri: string;
  /** Whether the client sent redirect_uri itself (then /token must repeat it). */
  redirectUriExplicit: boolean;
  codeChallenge: string;
  scopes: string[];
  resource: string;
  issuer: string;
  identity: Identity;
}

export type CodeLookup =
  | { status: 'valid'; grantId: string; data: CodeData }
  | { status: 'unknown' | 'expired' }
  | { status: 'replayed'; grantId: string; data: CodeData };

export type RefreshLookup =
  | { status: 'active'; grant: Grant; tokenHash: string }
  | { status: 'rotated'; grant: Grant; tokenHash: string; rotatedAt: number }
  | { status: 'unknown' | 'expired' | 'revoked'; grant?: Grant };

export const randomToken = (): string => crypto.randomBytes(32).toString('base64url');
/** Codes and refresh tokens are stored only as hashes: a copy of the DB yields nothing usable. */
export const hashToken = (token: string): string =>
  crypto.createHash('sha256').update(token).digest('base64url');

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
};

/**
 * Persistence of grants, authorization codes, refresh tokens and revocations. Revoked grants and access-token
 * ids are mirrored in memory so bearer verification stays a set lookup.
 */
export class GrantStore {
  private readonly revokedGrants = new Set<string>();
  private readonly revokedJtis = new Set<string>();
  private readonly listeners = new Set<(event: GrantEvent) => void>();

  constructor(private readonly db: StateDb) {
    for (const r of db.prepare('SELECT id FROM grants WHERE revoked_at IS NOT NULL').all() as Array<{
      id: string;
    }>)
      this.revokedGrants.add(r.id);
    for (const r of db
      .prepare('SELECT jti FROM revoked_access_tokens WHERE expires_at >= ?')
      .all(nowSeconds()) as Array<{ jti: string }>)
      this.revokedJtis.add(r.jti);
  }

  /** Grant revocations, token issuance and token revocations, as they happen (the Inspector's live view). */
  onEvent(listener: (event: GrantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: GrantEvent): void {
    for (const l of this.listeners) l(event);
  }

  // --- authorization codes ---

  issueCode(data: CodeData, ttlSeconds: number): string {
    const code = randomToken();
    this.db
      .prepare('INSERT INTO auth_codes (code_hash, grant_id, data, expires_at) VALUES (?, ?, ?, ?)')
      .run(hashToken(code), crypto.randomUUID(), JSON.stringify(data), nowSeconds() + ttlSeconds);
    return code;
  }

  lookupCode(code: string): CodeLookup {
    const row = this.db
      .prepare('SELECT grant_id, data, expires_at, used_at FROM auth_codes WHERE code_hash = ?')
      .get(hashToken(code)) as
      { grant_id: string; data: string; expires_at: number; used_at: number | null } | undefined;
    if (!row) return { status: 'unknown' };
    const data = JSON.parse(row.data) as CodeData;
    if (row.used_at !== null) return { status: 'replayed', grantId: row.grant_id, data };
    if (row.expires_at < nowSeconds()) return { status: 'expired' };
    return { status: 'valid', grantId: row.grant_id, data };
  }

  /** Marks the code used and creates its grant in one transaction; false if it was used meanwhile. */
  redeemCode(code: string, grantId: string, data: CodeData): Grant | undefined {
    return this.db.transaction(() => {
      const used = this.db
        .prepare('UPDATE auth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL')
        .run(nowSeconds(), hashToken(code));
      if (used.changes === 0) return undefined;
      const grant: Grant = {
        id: grantId,
        clientId: data.clientId,
        identity: data.identity,
        scopes: data.scopes,
        resource: data.resource,
        issuer: data.issuer,
        createdAt: nowSeconds(),
      };
      this.db
        .prepare(
          'INSERT INTO grants (id, client_id, subject, identity, scopes, resource, issuer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          grant.id,
          grant.clientId,
          grant.identity.subject,
          JSON.stringify(grant.identity),
          grant.scopes.join(' '),
          grant.resource,
          grant.issuer,
          grant.createdAt,
        );
      return grant;
    })();
  }

  // --- grants ---

  getGrant(id: string): Grant | undefined {
    const row = this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as GrantRow | undefined;
    return row && toGrant(row);
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

  /**
   * Revokes a grant and so every token of its family. A grant that does not exist yet (a replayed code whose
   * first redemption is still in flight) is recorded too, so it is born revoked.
   */
  revokeGrant(id: string, reason: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL')
        .run(nowSeconds(), reason, id);
      this.db.prepare('UPDATE refresh_tokens SET expires_at = 0 WHERE grant_id = ?').run(id);
    })();
    if (!this.revokedGrants.has(id)) {
      this.revokedGrants.add(id);
      this.emit({ type: 'grant_revoked', grantId: id, reason });
    }
  }

  // --- refresh tokens ---

  issueRefreshToken(grantId: string, ttlSeconds: number): string {
    const token = randomToken();
    this.db
      .prepare(
        'INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      )
      .run(hashToken(token), grantId, nowSeconds(), nowSeconds() + ttlSeconds);
    return token;
  }

  lookupRefreshToken(token: string): RefreshLookup {
    const tokenHash = hashToken(token);
    const row = this.db
      .prepare('SELECT grant_id, expires_at, rotated_at FROM refresh_tokens WHERE token_hash = ?')
      .get(tokenHash) as { grant_id: string; expires_at: number; rotated_at: number | null } | undefined;
    if (!row) return { status: 'unknown' };
    const grant = this.getGrant(row.grant_id);
    if (!grant) return { status: 'unknown' };
    if (this.revokedGrants.has(grant.id)) return { status: 'revoked', grant };
    if (row.rotated_at !== null) return { status: 'rotated', grant, tokenHash, rotatedAt: row.rotated_at };
    if (row.expires_at < nowSeconds()) return { status: 'expired', grant };
    return { status: 'active', grant, tokenHash };
  }

  /** Retires `tokenHash` and issues its successor atomically; undefined if another request rotated it first. */
  rotateRefreshToken(tokenHash: string, grantId: string, ttlSeconds: number): string | undefined {
    return this.db.transaction(() => {
      const res = this.db
        .prepare('UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND rotated_at IS NULL')
        .run(nowSeconds(), tokenHash);
      return res.changes === 0 ? undefined : this.issueRefreshToken(grantId, ttlSeconds);
    })();
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

  recordAccessToken(record: AccessTokenRecord): void {
    this.db
      .prepare(
        'INSERT INTO access_tokens (jti, grant_id, issued_at, expires_at, claims) VALUES (?, ?, ?, ?, ?)',
      )
      .run(record.jti, record.grantId, record.issuedAt, record.expiresAt, JSON.stringify(record.claims));
    this.emit({ type: 'access_token_issued', token: record });
  }

  getAccessToken(jti: string): AccessTokenRecord | undefined {
    const row = this.db.prepare('SELECT * FROM access_tokens WHERE jti = ?').get(jti) as
      AccessTokenRow | undefined;
    return row && toTokenRecord(row);
  }

  /** Access tokens not yet expired (or all kept ones), newest first. */
  listAccessTokens(opts: { includeExpired?: boolean } = {}): AccessTokenRecord[] {
    const rows = (
      opts.includeExpired
        ? this.db.prepare('SELECT * FROM access_tokens ORDER BY issued_at DESC').all()
        : this.db
            .prepare('SELECT * FROM access_tokens WHERE expires_at >= ? ORDER BY issued_at DESC')
            .all(nowSeconds())
    ) as AccessTokenRow[];
    return rows.map(toTokenRecord);
  }

  /** Refresh-token family of a grant: how many were issued (rotations + 1) and when the live one expires. */
  refreshFamily(grantId: string): { issued: number; activeExpiresAt?: number } {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS issued, MAX(CASE WHEN rotated_at IS NULL AND expires_at > 0 THEN expires_at END) AS active FROM refresh_tokens WHERE grant_id = ?',
      )
      .get(grantId) as { issued: number; active: number | null };
    return { issued: row.issued, activeExpiresAt: row.active ?? undefined };
  }

  isAccessTokenRevoked(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  /** Drops what can no longer matter: expired codes, pending sign-ins and revocations of expired tokens. */
  prune(): void {
    const now = nowSeconds();
    this.db.prepare('DELETE FROM auth_codes WHERE expires_at < ?').run(now - 86_400);
    this.db.prepare('DELETE FROM pending_authorizations WHERE expires_at < ?').run(now);
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
  };
}
