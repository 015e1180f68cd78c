import type pg from 'pg';

/**
 * The PostgreSQL schema: the same tables and columns as the SQLite migrations reach (state/database.ts), so
 * one set of stores serves both, plus `secrets` (sealed values of the team secret store). Append only.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY, source TEXT NOT NULL, metadata TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE grants (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, subject TEXT NOT NULL, identity TEXT NOT NULL,
    scopes TEXT NOT NULL, resource TEXT NOT NULL, issuer TEXT NOT NULL, created_at BIGINT NOT NULL,
    revoked_at BIGINT, revoked_reason TEXT, via TEXT
  );
  CREATE TABLE revoked_access_tokens (jti TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
  CREATE TABLE consents (
    subject TEXT NOT NULL, client_id TEXT NOT NULL, scopes TEXT NOT NULL, granted_at BIGINT NOT NULL,
    PRIMARY KEY (subject, client_id)
  );
  CREATE TABLE idp_profiles (id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at BIGINT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY);
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE connection_profiles (id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at BIGINT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY);
  CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, subject TEXT NOT NULL, email TEXT,
    db_user TEXT, client_id TEXT NOT NULL, tool TEXT NOT NULL, profile TEXT, database_name TEXT, statement TEXT,
    statement_hash TEXT, row_count BIGINT, duration_ms BIGINT NOT NULL, outcome TEXT NOT NULL,
    error_number BIGINT, error_message TEXT, error_code TEXT, policy_rule TEXT
  );
  CREATE INDEX audit_at ON audit(at);
  CREATE TABLE access_tokens (
    jti TEXT PRIMARY KEY, grant_id TEXT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
    claims TEXT NOT NULL
  );
  CREATE INDEX access_tokens_grant ON access_tokens(grant_id);
  CREATE TABLE oidc_models (
    model TEXT NOT NULL, id_hash TEXT NOT NULL, payload BYTEA NOT NULL, grant_id TEXT, uid_hash TEXT,
    expires_at BIGINT, consumed_at BIGINT, PRIMARY KEY (model, id_hash)
  );
  CREATE INDEX oidc_models_grant ON oidc_models(grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_models_uid ON oidc_models(uid_hash) WHERE uid_hash IS NOT NULL;
  CREATE TABLE upstream_signins (state_hash TEXT PRIMARY KEY, payload BYTEA NOT NULL, expires_at BIGINT NOT NULL);
  CREATE TABLE registration_counts (
    requester TEXT NOT NULL, hour BIGINT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (requester, hour)
  );
  CREATE TABLE secrets (account TEXT PRIMARY KEY, sealed BYTEA NOT NULL);
  `,
  `ALTER TABLE oidc_models ADD COLUMN successor BYTEA;`,
  `
  CREATE TABLE pending_writes (
    id TEXT PRIMARY KEY, subject TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, data TEXT NOT NULL, decided_by TEXT, decided_via TEXT, decided_at BIGINT
  );
  CREATE INDEX pending_writes_open ON pending_writes(status, expires_at);
  ALTER TABLE audit ADD COLUMN confirmed_by TEXT;
  ALTER TABLE audit ADD COLUMN confirmed_via TEXT;
  `,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Any number to identify the bridge's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x6d63_7062; // "mcpb"

/**
 * Applies what is missing, under an advisory lock: instances starting together migrate one after another,
 * and each later one finds the work done.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0];
    if (!row) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length)
      throw new Error(
        `The state database is at schema ${current}, newer than this build knows (${MIGRATIONS.length}): run the newer version of the bridge.`,
      );
    for (let v = current; v < MIGRATIONS.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[v]!);
        await client.query('UPDATE schema_version SET version = $1', [v + 1]);
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
