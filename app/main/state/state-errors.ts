import path from 'node:path';
import { BridgeError, causeChain } from '../../shared/errors.js';

/**
 * The state store cannot do what was asked (disk full or read-only, the file locked, deleted or damaged,
 * PostgreSQL unreachable): the message is one sentence naming the file or server and the fix, meant to be
 * shown as it is (a tool error, a 503 page, `/readyz`). Errors of the statement itself (a constraint) are not
 * these and pass unchanged.
 */
export class StateStoreError extends BridgeError {
  override name = 'StateStoreError';
}

type DriverError = Error & { code?: string; errno?: number; errors?: DriverError[] };

/** SQLite's result codes that mean the file, its disk or its lock, not the statement. */
export function sqliteFailure(file: string): (err: unknown) => Error {
  const dir = path.dirname(file);
  return (err) => {
    const e = err as DriverError;
    const code = typeof e?.code === 'string' ? e.code : '';
    const fix = (() => {
      if (code === 'SQLITE_FULL')
        return `the disk is full. Free space on the disk holding ${dir}, then retry`;
      if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM')
        return `the file or its directory is read-only. Make ${dir} and its files writable by the bridge's user (or remount the disk read-write), then retry`;
      if (code.startsWith('SQLITE_IOERR'))
        return `the disk reported an I/O error. Check the disk holding ${dir} (free space, permissions, a mount that went away), then retry`;
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
        return `another program holds its lock. End the other program (a database browser, a backup, a second bridge on the same data directory), then retry`;
      if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
        return `the file is damaged. Stop the bridge, then restore it from a backup or move it aside to start fresh`;
      return undefined;
    })();
    if (!fix) return asError(err);
    return new StateStoreError(
      `The state database ${file} cannot be used (${code}: ${e.message}): ${fix}.`,
      code,
      { cause: err },
    );
  };
}

/** Connection-level failures (the server is down, restarting, out of disk or connections), not the statement's. */
const PG_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

export function postgresFailure(url: string): (err: unknown) => Error {
  const where = (() => {
    try {
      const u = new URL(url);
      return `PostgreSQL at ${u.host}${u.pathname.length > 1 ? u.pathname : ''}`;
    } catch {
      return 'PostgreSQL (state.url)';
    }
  })();
  return (err) => {
    const e = err as DriverError;
    // Node reports a refused connection to a name with several addresses as an AggregateError of them.
    const code = e?.code ?? e?.errors?.[0]?.code ?? '';
    const message = e?.message || e?.errors?.[0]?.message || String(err);
    const fix = (() => {
      if (PG_UNREACHABLE.has(code) || /^08/.test(code) || /^57P0[123]$/.test(code))
        return `cannot be reached (${code}). Bring PostgreSQL back (or check state.url and the network); the bridge reconnects by itself`;
      if (/Connection terminated|timeout exceeded when trying to connect/i.test(message))
        return `cannot be reached (${message}). Bring PostgreSQL back (or check state.url and the network); the bridge reconnects by itself`;
      if (code === '53100')
        return `cannot write: its disk is full (53100). Free space on the database server, then retry`;
      if (code === '53300')
        return `refuses more connections (53300 too many connections). Raise max_connections or end idle clients, then retry`;
      if (code === '25006')
        return `is read-only (25006; a standby or default_transaction_read_only). Point state.url at the primary, then retry`;
      return undefined;
    })();
    if (!fix) return asError(err);
    return new StateStoreError(`The state database (${where}) ${fix}.`, code || 'UNREACHABLE', {
      cause: err,
    });
  };
}

/** The state store's sentence when `err` (or what it wraps) is one. */
export function stateStoreFailure(err: unknown): StateStoreError | undefined {
  return causeChain<object>(err).find((e): e is StateStoreError => e instanceof StateStoreError);
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** A stored row that does not read as its schema says (edited by hand, or written by a newer version). */
export class StoredRowError extends BridgeError {
  override name = 'StoredRowError';
  constructor(message: string) {
    super(message, 'stored_row');
  }
}
