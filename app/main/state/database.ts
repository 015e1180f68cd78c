import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type StateDb = Database.Database;

/**
 * Schema migrations, applied in order once each. Append only: a shipped migration never changes.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,            -- 'dcr' | 'cimd'
    metadata TEXT NOT NULL,          -- JSON, RFC 7591 client information (public clients: no secret)
    created_at INTEGER NOT NULL
  );
  CREATE TABLE pending_authorizations (
    id TEXT PRIMARY KEY,             -- also the upstream 'state'
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    identity TEXT NOT NULL,          -- JSON
    scopes TEXT NOT NULL,            -- space separated
    resource TEXT NOT NULL,
    issuer TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT
  );
  CREATE TABLE auth_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER
  );
  CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);
  CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE consents (
    subject TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scopes TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (subject, client_id)
  );
  CREATE TABLE idp_profiles (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- JSON, never the client secret
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE connection_profiles (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- JSON, never a password or client secret
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,             -- ms since epoch
    subject TEXT NOT NULL,
    email TEXT,
    db_user TEXT,
    client_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    profile TEXT,
    database_name TEXT,
    statement TEXT,
    statement_hash TEXT,
    row_count INTEGER,
    duration_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,           -- 'ok' | 'error' | 'refused' | 'cancelled'
    error_number INTEGER,
    error_message TEXT
  );
  CREATE INDEX audit_at ON audit(at);
  `,
  `
  -- Issued access tokens (claims only, never the token) so the Inspector can list, decode and revoke them.
  CREATE TABLE access_tokens (
    jti TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    claims TEXT NOT NULL             -- JSON payload of the JWT
  );
  CREATE INDEX access_tokens_grant ON access_tokens(grant_id);
  `,
];

/**
 * Opens (creating if needed) the state database in the data directory.
 * WAL + synchronous=FULL: a committed transaction survives kill -9 and power loss; a torn write never
 * corrupts earlier data.
 */
export function openStateDb(dataDir: string): StateDb {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, 'state.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
