import type Database from 'better-sqlite3';
import { Mutex, type StateSql } from './sql.js';
import { sqliteFailure } from './state-errors.js';

/**
 * The StateSql interface over the desktop's SQLite file (better-sqlite3, synchronous underneath). One connection:
 * while a transaction is open every other call waits for it, so no statement of another request lands inside
 * it (or in its rollback).
 */
export function sqliteSql(db: Database.Database): StateSql {
  const failure = sqliteFailure(db.name);
  // The driver throws synchronously: each call below becomes a rejection with the state store's sentence.
  const said = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(failure(err));
    }
  };
  const statements = new Map<string, Database.Statement>();
  const prepare = (text: string) => {
    let s = statements.get(text);
    if (!s) statements.set(text, (s = db.prepare(text)));
    return s;
  };
  const lock = new Mutex();
  const direct = {
    all: <T>(text: string, params: readonly unknown[] = []) =>
      said(() => prepare(text).all(...params) as T[]),
    // A statement that writes and returns rows (INSERT … RETURNING) is run to its end with all(): get() stops at
    // the first row, before the implicit commit, and would hide a commit that failed (disk full, read-only).
    get: <T>(text: string, params: readonly unknown[] = []) =>
      said(() => {
        const s = prepare(text);
        return (s.readonly ? s.get(...params) : s.all(...params)[0]) as T | undefined;
      }),
    run: (text: string, params: readonly unknown[] = []) => said(() => prepare(text).run(...params).changes),
  };
  let inTx = false;
  // Inside a transaction: straight to the connection (the lock is held); a nested tx joins the outer one.
  const scoped: StateSql = { ...direct, dialect: 'sqlite', tx: (inner) => inner(scoped) };
  const sql: StateSql = {
    dialect: 'sqlite',
    all: (text, params) => (inTx ? lock.run(() => direct.all(text, params)) : direct.all(text, params)),
    get: (text, params) => (inTx ? lock.run(() => direct.get(text, params)) : direct.get(text, params)),
    run: (text, params) => (inTx ? lock.run(() => direct.run(text, params)) : direct.run(text, params)),
    tx: (fn) =>
      lock.run(async () => {
        inTx = true;
        try {
          await said(() => db.exec('BEGIN IMMEDIATE'));
          const out = await fn(scoped);
          await said(() => db.exec('COMMIT'));
          return out;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        } finally {
          inTx = false;
        }
      }),
  };
  return sql;
}
