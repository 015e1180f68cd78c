import pg from 'pg';
import type { StateSql } from './sql.js';
import { postgresFailure } from './state-errors.js';

/** `?` placeholders as PostgreSQL's `$1, $2…` (the stores' SQL has no `?` inside string literals). */
export function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** BIGINT (epoch milliseconds, counts) as numbers: every value the stores keep fits in 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format) as (v: string) => unknown)) as typeof pg.types.getTypeParser,
};

export interface PostgresState {
  sql: StateSql;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The StateSql interface over a PostgreSQL pool shared by every request of this instance. */
export function postgresSql(url: string): PostgresState {
  const pool = new pg.Pool({ connectionString: url, max: 10, types, application_name: 'mssql-mcp-bridge' });
  // An idle client losing its connection (the server restarted) is replaced on next use, not a crash.
  pool.on('error', () => undefined);
  const failure = postgresFailure(url);
  const query = (q: Pick<pg.Pool, 'query'>, text: string, params: readonly unknown[]) =>
    q.query(numbered(text), params as unknown[]).catch((err: unknown) => Promise.reject(failure(err)));
  const over = (q: Pick<pg.Pool, 'query'>): Omit<StateSql, 'tx'> => ({
    dialect: 'postgres',
    all: async <T>(text: string, params: readonly unknown[] = []) =>
      (await query(q, text, params)).rows as T[],
    get: async <T>(text: string, params: readonly unknown[] = []) =>
      (await query(q, text, params)).rows[0] as T | undefined,
    run: async (text: string, params: readonly unknown[] = []) =>
      (await query(q, text, params)).rowCount ?? 0,
  });
  const sql: StateSql = {
    ...over(pool),
    async tx(fn) {
      const client = await pool.connect().catch((err: unknown) => Promise.reject(failure(err)));
      try {
        await client.query('BEGIN');
        const scoped: StateSql = { ...over(client), tx: (inner) => inner(scoped) };
        const out = await fn(scoped);
        await client.query('COMMIT').catch((err: unknown) => Promise.reject(failure(err)));
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
  return { sql, pool, close: () => pool.end() };
}
