import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BridgeError } from '../../shared/errors.js';

export type StateDb = Database.Database;

/**
 * Schema migrations, applied in order once each. Append only: a shipped migration never changes.
 */
/**
 * Writes waiting for a person's approval outside the MCP client (clients without elicitation), and who confirmed
 * each audited write through which channel. Nothing of the write's transaction is held: the row is the preview.
 */
const PENDING_WRITES_SQLITE = `
  CREATE TABLE pending_writes (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,            -- pending | approved | declined | committing | committed | failed
    created_at INTEGER NOT NULL,     -- ms since epoch
    expires_at INTEGER NOT NULL,     -- ms: no decision after this
    data TEXT NOT NULL,              -- JSON: what the person reviews and what binds it (client, statement hash, effect)
    decided_by TEXT,
    decided_via TEXT,
    decided_at INTEGER
  );
  CREATE INDEX pending_writes_open ON pending_writes(status, expires_at);
  ALTER TABLE audit ADD COLUMN confirmed_by TEXT;
  ALTER TABLE audit ADD COLUMN confirmed_via TEXT;
`;

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
    outcome TEXT NOT NULL,           -- 'ok' | 'error' | 'refused' | 'cancelled' | 'declined' (later: 'pending', 'expired')
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
  `
  -- The authorization server moved to oidc-provider: its artifacts (sessions, interactions, grants, codes,
  -- refresh tokens) are stored sealed, keyed by the hash of their id. Codes and refresh tokens of the earlier
  -- server are dropped: their holders sign in once more.
  DROP TABLE auth_codes;
  DROP TABLE refresh_tokens;
  DROP TABLE pending_authorizations;
  CREATE TABLE oidc_models (
    model TEXT NOT NULL,
    id_hash TEXT NOT NULL,           -- sha256 of the artifact id (a bearer secret for codes, tokens, cookies)
    payload BLOB NOT NULL,           -- AES-256-GCM sealed JSON (key in the keychain)
    grant_id TEXT,
    uid_hash TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,             -- ms since epoch
    PRIMARY KEY (model, id_hash)
  );
  CREATE INDEX oidc_models_grant ON oidc_models(grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_models_uid ON oidc_models(uid_hash) WHERE uid_hash IS NOT NULL;
  -- Sign-ins at the upstream IdP in progress: state hash -> sealed PKCE verifier, nonce and browser binding.
  CREATE TABLE upstream_signins (
    state_hash TEXT PRIMARY KEY,
    payload BLOB NOT NULL,
    expires_at INTEGER NOT NULL
  );
  -- Registrations per requester and hour (the DCR limit is per client name, not one bucket for all).
  CREATE TABLE registration_counts (
    requester TEXT NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (requester, hour)
  );
  `,
  // The driver's error code (ETIMEOUT, ECONNRESET...) beside SQL Server's integer error number.
  `ALTER TABLE audit ADD COLUMN error_code TEXT;`,
  `ALTER TABLE audit ADD COLUMN policy_rule TEXT;   -- the access-policy rule that decided the call`,
  `ALTER TABLE grants ADD COLUMN via TEXT;          -- 'broker': from the desktop sign-in, no browser`,
  // A rotated refresh token's successor (sealed): a second rotation of it gets the same one.
  `ALTER TABLE oidc_models ADD COLUMN successor BLOB;`,
  PENDING_WRITES_SQLITE,
];

/** The schema version a database has once every migration of this build is applied. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A private directory (0700, also when it already existed), for the state of one user. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/**
 * Opens (creating if needed) the state database in the data directory, readable by its owner only (SQLite
 * gives the -wal and -shm files the database file's mode).
 * WAL + synchronous=NORMAL: a committed transaction survives kill -9 (it is in the OS's cache before the
 * commit returns) and a torn write never corrupts earlier data; only a power cut can lose the last commits.
 * FULL would add an fsync to every token request for that case alone.
 */
export function openStateDb(dataDir: string): StateDb {
  privateDir(dataDir);
  const file = path.join(dataDir, 'state.db');
  // SQLite would take an empty file for a new database and start fresh without a word: every sign-in, token
  // and setting silently gone. The bridge never leaves one (the first start writes the schema at once).
  if (fs.statSync(file, { throwIfNoEntry: false })?.size === 0)
    throw new StateFileError(
      `The state database ${file} is empty (0 bytes): what it held was lost (a truncation, a failed copy or restore), so the bridge does not start on it. ` +
        `Restore it from a backup, or remove it to start fresh (every client then signs in again): rm "${file}"`,
    );
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    return configure(db);
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code ?? '';
    if (/^SQLITE_(NOTADB|CORRUPT)/.test(code))
      throw new StateFileError(
        `The state database ${file} is damaged (${(err as Error).message}), so the bridge does not start on it. ` +
          `Restore it from a backup, or move it aside to start fresh (every sign-in, token and setting kept there is then gone): mv "${file}" "${file}.damaged"`,
      );
    throw err;
  }
}

/** The state file cannot be used as it is: the sentence names the file and what to do. */
export class StateFileError extends BridgeError {
  override name = 'StateFileError';
  constructor(message: string) {
    super(message, 'state_file');
  }
}

function configure(db: Database.Database): StateDb {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Artifacts are keyed by random hashes: keep the whole working set in SQLite's cache (the default 2 MB
  // holds a few thousand sessions' worth).
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return migrate(db);
}

/** A state database in memory (the unit tier's: same schema, nothing on disk). */
export function openMemoryStateDb(): StateDb {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  return migrate(db);
}

function migrate(db: StateDb): StateDb {
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
