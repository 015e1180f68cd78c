import { z } from 'zod';
import type { StateSql } from './sql.js';
import { StoredRowError } from './state-errors.js';

/** A grant as stored: the identity it was signed in as is the owner's JSON. */
export interface GrantRow {
  id: string;
  clientId: string;
  subject: string;
  identity: unknown;
  scopes: string[];
  resource: string;
  issuer: string;
  /** Seconds since epoch. */
  createdAt: number;
  revokedAt?: number;
  revokedReason?: string;
  via?: string;
}

/** An issued access token's claims (never the token), for the Inspector and revocation by jti. */
export interface AccessTokenRow {
  jti: string;
  grantId: string;
  issuedAt: number;
  expiresAt: number;
  claims: Record<string, unknown>;
}

/** Grants, remembered consents, issued access tokens and access-token revocations. */
export interface GrantRows {
  insert(grant: Omit<GrantRow, 'revokedAt' | 'revokedReason'>): Promise<void>;
  get(id: string): Promise<GrantRow | undefined>;
  /** Newest first. */
  list(opts: { includeRevoked: boolean }): Promise<GrantRow[]>;
  revokedIds(): Promise<string[]>;
  /** Marks the grant revoked (once) and drops every artifact of its family, in one transaction. */
  revoke(id: string, reason: string, at: number): Promise<void>;
  consentedScopes(subject: string, clientId: string): Promise<string[] | undefined>;
  recordConsent(subject: string, clientId: string, scopes: string[], at: number): Promise<void>;
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  /** jtis of revoked access tokens expiring at or after `now` (seconds). */
  revokedJtis(now: number): Promise<string[]>;
  /** Records issued tokens in one transaction (a token recorded twice keeps its first record). */
  recordAccessTokens(tokens: readonly AccessTokenRow[]): Promise<void>;
  getAccessToken(jti: string): Promise<AccessTokenRow | undefined>;
  /** Newest first; without `expiringFrom` every kept record. */
  listAccessTokens(expiringFrom?: number): Promise<AccessTokenRow[]>;
  /** Drops revocations of tokens expired before `now` (returned) and token records expired before `recordsBefore`. */
  prune(now: number, recordsBefore: number): Promise<string[]>;
}

const grantRow = z.object({
  id: z.string(),
  client_id: z.string(),
  subject: z.string(),
  identity: z.string(),
  scopes: z.string(),
  resource: z.string(),
  issuer: z.string(),
  created_at: z.coerce.number(),
  revoked_at: z.coerce.number().nullable(),
  revoked_reason: z.string().nullable(),
  via: z.string().nullable(),
});

const tokenRow = z.object({
  jti: z.string(),
  grant_id: z.string(),
  issued_at: z.coerce.number(),
  expires_at: z.coerce.number(),
  claims: z.string(),
});

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StoredRowError(`${where} holds text that is not JSON: it was changed outside the bridge.`);
  }
}

function toGrant(raw: unknown): GrantRow {
  const r = grantRow.safeParse(raw);
  if (!r.success)
    throw new StoredRowError(`A row of the grants table is not what this version wrote: ${r.error.message}`);
  const g = r.data;
  return {
    id: g.id,
    clientId: g.client_id,
    subject: g.subject,
    identity: parseJson(g.identity, `The grant "${g.id}"`),
    scopes: g.scopes ? g.scopes.split(' ') : [],
    resource: g.resource,
    issuer: g.issuer,
    createdAt: g.created_at,
    ...(g.revoked_at !== null ? { revokedAt: g.revoked_at } : {}),
    ...(g.revoked_reason !== null ? { revokedReason: g.revoked_reason } : {}),
    ...(g.via !== null ? { via: g.via } : {}),
  };
}

function toToken(raw: unknown): AccessTokenRow {
  const r = tokenRow.safeParse(raw);
  if (!r.success)
    throw new StoredRowError(
      `A row of the access_tokens table is not what this version wrote: ${r.error.message}`,
    );
  const t = r.data;
  return {
    jti: t.jti,
    grantId: t.grant_id,
    issuedAt: t.issued_at,
    expiresAt: t.expires_at,
    claims: parseJson(t.claims, `The access token record "${t.jti}"`) as Record<string, unknown>,
  };
}

export function grantRows(sql: StateSql): GrantRows {
  return {
    async insert(g) {
      await sql.run(
        'INSERT INTO grants (id, client_id, subject, identity, scopes, resource, issuer, created_at, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          g.id,
          g.clientId,
          g.subject,
          JSON.stringify(g.identity),
          g.scopes.join(' '),
          g.resource,
          g.issuer,
          g.createdAt,
          g.via ?? null,
        ],
      );
    },
    async get(id) {
      const row = await sql.get('SELECT * FROM grants WHERE id = ?', [id]);
      return row && toGrant(row);
    },
    list: async ({ includeRevoked }) =>
      (
        await sql.all(
          includeRevoked
            ? 'SELECT * FROM grants ORDER BY created_at DESC'
            : 'SELECT * FROM grants WHERE revoked_at IS NULL ORDER BY created_at DESC',
        )
      ).map(toGrant),
    revokedIds: async () =>
      (await sql.all<{ id: string }>('SELECT id FROM grants WHERE revoked_at IS NOT NULL')).map((r) => r.id),
    revoke: (id, reason, at) =>
      sql.tx(async (t) => {
        await t.run(
          'UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
          [at, reason, id],
        );
        await t.run('DELETE FROM oidc_models WHERE grant_id = ?', [id]);
      }),
    async consentedScopes(subject, clientId) {
      const row = await sql.get<{ scopes: string }>(
        'SELECT scopes FROM consents WHERE subject = ? AND client_id = ?',
        [subject, clientId],
      );
      return row && row.scopes.split(' ');
    },
    async recordConsent(subject, clientId, scopes, at) {
      await sql.run(
        'INSERT INTO consents (subject, client_id, scopes, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT(subject, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at',
        [subject, clientId, scopes.join(' '), at],
      );
    },
    async revokeAccessToken(jti, expiresAt) {
      await sql.run(
        'INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
        [jti, expiresAt],
      );
    },
    revokedJtis: async (now) =>
      (
        await sql.all<{ jti: string }>('SELECT jti FROM revoked_access_tokens WHERE expires_at >= ?', [now])
      ).map((r) => r.jti),
    recordAccessTokens: (tokens) =>
      sql.tx(async (t) => {
        for (const r of tokens)
          await t.run(
            'INSERT INTO access_tokens (jti, grant_id, issued_at, expires_at, claims) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
            [r.jti, r.grantId, r.issuedAt, r.expiresAt, JSON.stringify(r.claims)],
          );
      }),
    async getAccessToken(jti) {
      const row = await sql.get('SELECT * FROM access_tokens WHERE jti = ?', [jti]);
      return row && toToken(row);
    },
    listAccessTokens: async (expiringFrom) =>
      (expiringFrom === undefined
        ? await sql.all('SELECT * FROM access_tokens ORDER BY issued_at DESC')
        : await sql.all('SELECT * FROM access_tokens WHERE expires_at >= ? ORDER BY issued_at DESC', [
            expiringFrom,
          ])
      ).map(toToken),
    async prune(now, recordsBefore) {
      const expired = await sql.all<{ jti: string }>(
        'SELECT jti FROM revoked_access_tokens WHERE expires_at < ?',
        [now],
      );
      await sql.run('DELETE FROM revoked_access_tokens WHERE expires_at < ?', [now]);
      await sql.run('DELETE FROM access_tokens WHERE expires_at < ?', [recordsBefore]);
      return expired.map((r) => r.jti);
    },
  };
}
