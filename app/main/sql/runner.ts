import sql from 'mssql';
import type { Identity } from '../idp/identity.js';
import { isConnectionLevel, type Pools } from './pools.js';
import type { ConnectionProfile } from './profiles.js';

export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
}

export interface QueryResult {
  columns: ColumnInfo[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  /** Result sets after the first (sp_help returns several). */
  moreResultSets?: ResultSet[];
}

export interface SessionOptions {
  profile: ConnectionProfile;
  database: string;
  identity: Identity;
  /** 'rollback' for everything read-only; 'commit' only for execute_statement. */
  end: 'rollback' | 'commit';
  signal?: AbortSignal;
}

export type SessionRequest = () => sql.Request;

const bracket = (name: string) => `[${name.replace(/]/g, ']]')}]`;
const nstring = (value: string) => `N'${value.replace(/'/g, "''")}'`;

/** The part of mssql's ConnectionPool its Transaction uses and its type declarations leave out. */
interface LendingPool {
  readonly config: sql.config;
  acquire(requester: object): Promise<unknown>;
  release(connection: unknown): unknown;
}

/**
 * A request parent that lends one pooled connection to its requests in turn. mssql's `Transaction` does the same,
 * but its begin and its rollback are transaction-manager requests, a round trip each; here they travel in the
 * batches the session sends anyway.
 */
class HeldConnection {
  readonly connected = true;
  constructor(
    readonly config: sql.config,
    private readonly connection: unknown,
  ) {}

  acquire(_request: unknown, callback: (err: null, connection: unknown, config: sql.config) => void): this {
    setImmediate(callback, null, this.connection, this.config);
    return this;
  }

  release(): this {
    return this;
  }
}

/**
 * Runs `body` on one pooled connection inside a transaction: begin, USE the database and impersonate the caller's
 * database user in one batch; run; then REVERT and roll back in one batch (a write commits instead). Three round
 * trips where mssql's Transaction takes five. The session never falls back to the service login when
 * impersonation fails.
 */
export class SqlRunner {
  constructor(private readonly pools: Pools) {}

  async session<T>(o: SessionOptions, body: (request: SessionRequest) => Promise<T>): Promise<T> {
    // A pool that fails to connect is forgotten by Pools itself; the next call tries afresh.
    const pool = (await this.pools.get(o.profile)) as unknown as LendingPool;
    const connection = await pool.acquire(this);
    const held = new HeldConnection(pool.config, connection);
    const request = () => new sql.Request(held as unknown as sql.Transaction);
    const impersonate = o.profile.impersonation === 'execute_as_user';
    let ok = false;
    let broken = false;
    try {
      // The isolation level mssql's Transaction asks for. 4060 and 15517 keep their numbers for the sentences.
      // An error in a batch does not always stop the statements after it, so once this batch is sent the session
      // counts as begun and impersonating: the closing batch below runs whatever happened.
      await request().batch(
        `SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRANSACTION; USE ${bracket(o.database)};${impersonate ? ` EXECUTE AS USER = ${nstring(o.identity.dbUser)};` : ''}`,
      );
      const result = await body(request);
      ok = true;
      return result;
    } catch (err) {
      broken = isConnectionLevel(err);
      throw err;
    } finally {
      // A connection that may still impersonate someone, or hold a transaction, must never serve another call:
      // if the closing batch fails (REVERT refused, no transaction left to roll back because the server ended
      // it), the pool is dropped once the connection is back in it.
      // A broken connection is not spoken to: the server rolls back what it held.
      let clean = !broken;
      try {
        if (clean && ok && o.end === 'commit') {
          // Separately, so that a failed commit is this call's error and a failed REVERT is not taken for one.
          if (impersonate)
            await request()
              .batch('REVERT')
              .catch(() => (clean = false));
          await request().batch('COMMIT TRANSACTION');
        } else if (clean)
          await request()
            .batch(`${impersonate ? 'REVERT; ' : ''}ROLLBACK TRANSACTION`)
            .catch(() => (clean = false));
      } finally {
        pool.release(connection);
        if (!clean) await this.pools.discard(o.profile.id);
      }
    }
  }
}

/**
 * Streams a batch's result sets, keeping at most `limit` rows in all: at the first row past the limit the
 * request is cancelled on the server (ATTENTION), so a million-row result never crosses the wire or sits in
 * memory. Stopping early is never an error: whatever the cancel costs (even a cancel the server does not
 * acknowledge in time), the rows read are returned with `truncated: true`. The first result set is the
 * answer; further ones (sp_help has several) come in `moreResultSets`.
 */
export interface StreamOptions {
  limit: number;
  signal?: AbortSignal;
  params?: Record<string, { type: sql.ISqlType | (() => sql.ISqlType); value: unknown }>;
  /** The whole call's deadline: the driver's own timeout ends at the first row, this one at the last. */
  deadlineMs?: number;
  /** Called as rows arrive, at most every PROGRESS_INTERVAL_MS, with the rows read so far. */
  onProgress?: (rows: number, elapsedMs: number) => void;
}

/** A few progress reports a second at most: enough for a progress bar, cheap on the wire. */
export const PROGRESS_INTERVAL_MS = 250;

export function streamRows(request: sql.Request, text: string, o: StreamOptions): Promise<QueryResult> {
  const { limit, signal, params = {}, deadlineMs, onProgress } = o;
  const started = performance.now();
  for (const [name, p] of Object.entries(params)) request.input(name, p.type, p.value);
  request.stream = true;
  // Rows as arrays: by position, so two columns with the same name stay two values (object rows merge them),
  // and no per-row object is built.
  request.arrayRowMode = true;
  return new Promise((resolve, reject) => {
    const sets: ResultSet[] = [];
    let total = 0;
    let truncated = false;
    let failure: Error | undefined;
    let timedOut = false;
    let settled = false;
    let lastProgress = started;
    const stop = () => request.cancel();
    signal?.addEventListener('abort', stop, { once: true });
    const deadline = deadlineMs
      ? setTimeout(() => {
          timedOut = true;
          request.cancel();
        }, deadlineMs)
      : undefined;
    const finish = () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', stop);
      clearTimeout(deadline);
      const [first, ...more] = sets;
      const answer = {
        columns: first?.columns ?? [],
        rows: first?.rows ?? [],
        rowCount: first?.rows.length ?? 0,
        truncated,
        elapsedMs: Math.round(performance.now() - started),
        ...(more.length ? { moreResultSets: more } : {}),
      };
      // Rows past the limit were never wanted: how the cancel ended does not matter.
      if (truncated) return resolve(answer);
      if (failure) return reject(failure);
      if (timedOut)
        return reject(
          Object.assign(
            new Error(
              `The statement did not finish within ${Math.round(deadlineMs! / 1000)} s and was cancelled.`,
            ),
            { code: 'EDEADLINE' },
          ),
        );
      if (signal?.aborted)
        return reject(Object.assign(new Error('The statement was cancelled.'), { code: 'ECANCEL' }));
      resolve(answer);
    };
    request.on(
      'recordset',
      (
        cols: Record<
          string,
          { name: string; type: { declaration?: string; name?: string }; nullable?: boolean; index: number }
        >,
      ) => {
        if (truncated) return;
        sets.push({
          columns: Object.values(cols)
            .sort((a, b) => a.index - b.index)
            .map((c) => ({
              name: c.name,
              type: c.type?.declaration ?? c.type?.name ?? 'unknown',
              nullable: c.nullable ?? true,
            })),
          rows: [],
        });
      },
    );
    request.on('row', (arrayRow: unknown[] | Record<string, unknown>) => {
      if (truncated || !sets.length) return;
      // FOR JSON / FOR XML output comes in chunks that the driver joins into one object row.
      const row = Array.isArray(arrayRow) ? arrayRow : Object.values(arrayRow);
      if (total >= limit) {
        truncated = true;
        request.cancel();
        return;
      }
      // Only dates and binaries need converting; the driver's array is kept as it is otherwise.
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        if (v !== null && typeof v === 'object') row[i] = toJson(v);
      }
      sets[sets.length - 1]!.rows.push(row);
      total++;
      if (onProgress) {
        const now = performance.now();
        if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          onProgress(total, Math.round(now - started));
        }
      }
    });
    request.on('error', (err: Error & { code?: string }) => {
      if (truncated) return;
      if (err.code === 'ECANCEL' && (signal?.aborted || timedOut)) return;
      failure ??= err;
    });
    request.on('done', finish);
    void request.query(text).catch((err: unknown) => {
      failure ??= err instanceof Error ? err : new Error(String(err));
      finish();
    });
  });
}

export interface ResultSet {
  columns: ColumnInfo[];
  rows: unknown[][];
}

/** JSON-safe values: dates as ISO text, binary as 0x hex (first 256 bytes, then its full length). */
export function toJson(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
    const b = Buffer.from(v);
    return `0x${b.subarray(0, 256).toString('hex')}${b.length > 256 ? `…[${b.length} bytes]` : ''}`;
  }
  return v;
}

export { bracket, nstring };
