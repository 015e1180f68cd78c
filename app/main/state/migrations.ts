import type Database from 'better-sqlite3';
import type pg from 'pg';

/**
 * The state database's schema: one list of migrations for both engines, applied in order once each, with one
 * version number. Append only: a shipped migration never changes. What differs between SQLite and PostgreSQL
 * is only the name of a few column types, given to each migration as `t`; statements are otherwise the SQL
 * both accept.
 *
 * (Why not a query builder's migrator, e.g. Kysely's: the schema is twelve tables written once; the builder
 * would add a layer to every statement of the hot paths for what these four type names do. docs/design.md.)
 */
export interface ColumnTypes {
  /** 64-bit integers: epoch times, counts. */
  int: string;
  blob: string;
  /** An ever-growing integer key, the table's primary key. */
  autoId: string;
  /** PostgreSQL: a column keeping insertion order (SQLite has `rowid`), with its leading comma. */
  insertOrder: string;
}

const TYPES: Record<'sqlite' | 'postgres', ColumnTypes> = {
  sqlite: { int: 'INTEGER', blob: 'BLOB', autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT', insertOrder: '' },
  postgres: {
    int: 'BIGINT',
    blob: 'BYTEA',
    autoId: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    insertOrder: ', seq BIGINT GENERATED ALWAYS AS IDENTITY',
  },
};

const MIGRATIONS: Array<(t: ColumnTypes) => string> = [
  (t) => `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,            -- 'dcr' | 'preregistered'
    metadata TEXT NOT NULL,          -- JSON, RFC 7591 client information (public clients: no secret)
    created_at ${t.int} NOT NULL
  );
  CREATE TABLE pending_authorizations (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at ${t.int} NOT NULL
  );
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    identity TEXT NOT NULL,          -- JSON
    scopes TEXT NOT NULL,            -- space separated
    resource TEXT NOT NULL,
    issuer TEXT NOT NULL,
    created_at ${t.int} NOT NULL,
    revoked_at ${t.int},
    revoked_reason TEXT
  );
  CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    data TEXT NOT NULL,
    expires_at ${t.int} NOT NULL,
    used_at ${t.int}
  );
  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants(id),
    created_at ${t.int} NOT NULL,
    expires_at ${t.int} NOT NULL,
    rotated_at ${t.int}
  );
  CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);
  CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY,
    expires_at ${t.int} NOT NULL
  );
  CREATE TABLE consents (
    subject TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    granted_at ${t.int} NOT NULL,
    PRIMARY KEY (subject, client_id)
  );
  CREATE TABLE idp_profiles (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- JSON, never the client secret
    updated_at ${t.int} NOT NULL${t.insertOrder}
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  (t) => `
  CREATE TABLE connection_profiles (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- JSON, never a password or client secret
    updated_at ${t.int} NOT NULL${t.insertOrder}
  );
  CREATE TABLE audit (
    id ${t.autoId},
    at ${t.int} NOT NULL,            -- ms since epoch
    subject TEXT NOT NULL,
    email TEXT,
    db_user TEXT,
    client_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    profile TEXT,
    database_name TEXT,
    statement TEXT,
    statement_hash TEXT,
    row_count ${t.int},
    duration_ms ${t.int} NOT NULL,
    outcome TEXT NOT NULL,           -- 'ok' | 'error' | 'refused' | 'cancelled' | 'declined' | 'pending' | 'expired'
    error_number ${t.int},
    error_message TEXT
  );
  CREATE INDEX audit_at ON audit(at);
  `,
  (t) => `
  -- Issued access tokens (claims only, never the token) so the Inspector can list, decode and revoke them.
  CREATE TABLE access_tokens (
    jti TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    issued_at ${t.int} NOT NULL,
    expires_at ${t.int} NOT NULL,
    claims TEXT NOT NULL             -- JSON payload of the JWT
  );
  CREATE INDEX access_tokens_grant ON access_tokens(grant_id);
  `,
  (t) => `
  -- The authorization server moved to oidc-provider: its artifacts (sessions, interactions, grants, codes,
  -- refresh tokens) are stored sealed, keyed by the hash of their id. Codes and refresh tokens of the earlier
  -- server are dropped: their holders sign in once more.
  DROP TABLE auth_codes;
  DROP TABLE refresh_tokens;
  DROP TABLE pending_authorizations;
  CREATE TABLE oidc_models (
    model TEXT NOT NULL,
    id_hash TEXT NOT NULL,           -- sha256 of the artifact id (a bearer secret for codes, tokens, cookies)
    payload ${t.blob} NOT NULL,      -- sealed (sessions, interactions) or JSON without the id
    grant_id TEXT,
    uid_hash TEXT,
    expires_at ${t.int},
    consumed_at ${t.int},            -- ms since epoch
    PRIMARY KEY (model, id_hash)
  );
  CREATE INDEX oidc_models_grant ON oidc_models(grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_models_uid ON oidc_models(uid_hash) WHERE uid_hash IS NOT NULL;
  -- Sign-ins at the upstream IdP in progress: state hash -> sealed PKCE verifier, nonce and browser binding.
  CREATE TABLE upstream_signins (
    state_hash TEXT PRIMARY KEY,
    payload ${t.blob} NOT NULL,
    expires_at ${t.int} NOT NULL
  );
  -- Registrations per requester and hour (the DCR limit is per client name, not one bucket for all).
  CREATE TABLE registration_counts (
    requester TEXT NOT NULL,
    hour ${t.int} NOT NULL,
    count ${t.int} NOT NULL,
    PRIMARY KEY (requester, hour)
  );
  `,
  // The driver's error code (ETIMEOUT, ECONNRESET...) beside SQL Server's integer error number.
  () => `ALTER TABLE audit ADD COLUMN error_code TEXT;`,
  () => `ALTER TABLE audit ADD COLUMN policy_rule TEXT;   -- the access-policy rule that decided the call`,
  () => `ALTER TABLE grants ADD COLUMN via TEXT;          -- 'broker': from the desktop sign-in, no browser`,
  // A rotated refresh token's successor (sealed): a second rotation of it gets the same one.
  (t) => `ALTER TABLE oidc_models ADD COLUMN successor ${t.blob};`,
  // Writes waiting for a person's approval outside the MCP client (clients without elicitation), and who
  // confirmed each audited write through which channel. Nothing of the write's transaction is held: the row is
  // the preview.
  (t) => `
  CREATE TABLE pending_writes (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,            -- pending | approved | declined | expired | committing | committed | failed
    created_at ${t.int} NOT NULL,    -- ms since epoch
    expires_at ${t.int} NOT NULL,    -- ms: no decision after this
    data TEXT NOT NULL,              -- JSON: what the person reviews and what binds it (client, statement hash, effect)
    decided_by TEXT,
    decided_via TEXT,
    decided_at ${t.int}
  );
  CREATE INDEX pending_writes_open ON pending_writes(status, expires_at);
  ALTER TABLE audit ADD COLUMN confirmed_by TEXT;
  ALTER TABLE audit ADD COLUMN confirmed_via TEXT;
  `,
  // Team mode's secrets, sealed with the instance key (a team database made before the migrations were one
  // list already has it).
  (t) => `CREATE TABLE IF NOT EXISTS secrets (account TEXT PRIMARY KEY, sealed ${t.blob} NOT NULL);`,
  // Request counters shared by team-mode instances (rate-limiter-flexible's table, made here so the schema is
  // the migrations' alone: state/rate-limits.ts).
  (t) =>
    `CREATE TABLE rate_limits (key VARCHAR(255) PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire ${t.int});`,
];

/** The schema version a database has once every migration of this build is applied. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The migration `v` (0-based) as the engine's SQL. */
export const migrationSql = (v: number, engine: 'sqlite' | 'postgres'): string =>
  MIGRATIONS[v]!(TYPES[engine]);

const newerThanThisBuild = (current: number) =>
  new Error(
    `The state database is at schema ${current}, newer than this build knows (${SCHEMA_VERSION}): run the newer version of the bridge.`,
  );

/** SQLite keeps the version in `user_version`; each migration and its version bump commit together. */
export function migrateSqlite(db: Database.Database): Database.Database {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw newerThanThisBuild(version);
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(migrationSql(v, 'sqlite'));
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

/** Any number to identify the bridge's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x6d63_7062; // "mcpb"

/**
 * Team databases made before the migrations were one list counted their own versions (in `schema_version`):
 * their version 1 held what the list's first seven migrations make, 2 added the successor column, 3 the
 * pending writes.
 */
const BEFORE_ONE_LIST: Record<number, number> = { 0: 0, 1: 7, 2: 8, 3: 9 };

/**
 * PostgreSQL keeps the version in `state_schema`. Applied under an advisory lock: instances starting together
 * migrate one after another, and each later one finds the work done.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const current = await postgresVersion(client);
    if (current > SCHEMA_VERSION) throw newerThanThisBuild(current);
    for (let v = current; v < SCHEMA_VERSION; v++) {
      await client.query('BEGIN');
      try {
        await client.query(migrationSql(v, 'postgres'));
        await client.query('UPDATE state_schema SET version = $1', [v + 1]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** The version, creating `state_schema` (and carrying over an earlier numbering) when it is missing. */
async function postgresVersion(client: pg.PoolClient): Promise<number> {
  const exists = async (table: string) =>
    (await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0]?.t != null;
  if (await exists('state_schema'))
    return (
      (await client.query<{ version: number }>('SELECT version FROM state_schema')).rows[0]?.version ?? 0
    );
  let version = 0;
  await client.query('BEGIN');
  try {
    if (await exists('schema_version')) {
      const old =
        (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0]?.version ?? 0;
      const mapped = BEFORE_ONE_LIST[old];
      if (mapped === undefined) throw newerThanThisBuild(old);
      version = mapped;
      await client.query('DROP TABLE schema_version');
    }
    await client.query('CREATE TABLE state_schema (version INTEGER NOT NULL)');
    await client.query('INSERT INTO state_schema (version) VALUES ($1)', [version]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  return version;
}

/** The version a store is at, asked through its connection (readiness). */
export const SCHEMA_VERSION_QUERY = {
  sqlite: 'PRAGMA user_version',
  postgres: 'SELECT version FROM state_schema',
} as const;
