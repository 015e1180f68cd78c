import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BridgeError } from '../../shared/errors.js';
import { migrateSqlite } from './migrations.js';

export type StateDb = Database.Database;

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
  return migrateSqlite(db);
}

/** A state database in memory (the unit tier's: same schema, nothing on disk). */
export function openMemoryStateDb(): StateDb {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  return migrateSqlite(db);
}
