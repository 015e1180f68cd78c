/**
 * One migration list for both engines: a fresh PostgreSQL and a fresh SQLite end with the same tables and
 * columns, and a team database made by a build that numbered PostgreSQL's migrations on their own upgrades
 * without losing a row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { z } from 'zod';
import { openMemoryStateDb } from '../../app/main/state/database.js';
import { migratePostgres, SCHEMA_VERSION } from '../../app/main/state/migrations.js';
import { postgresSql } from '../../app/main/state/postgres-sql.js';
import { sqlRepositories } from '../../app/main/state/sql-repositories.js';
import { createTestDatabase } from '../support/test-database.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function pool(url: string): Promise<pg.Pool> {
  const p = new pg.Pool({ connectionString: url, max: 2 });
  closers.push(() => p.end());
  return p;
}

async function postgresColumns(p: pg.Pool): Promise<Record<string, string[]>> {
  const { rows } = await p.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name",
  );
  const out: Record<string, string[]> = {};
  // `seq` is PostgreSQL's insertion order (SQLite's is rowid); `state_schema` its version (SQLite's user_version).
  for (const r of rows)
    if (r.column_name !== 'seq' && r.table_name !== 'state_schema')
      (out[r.table_name] ??= []).push(r.column_name);
  return out;
}

describe('state migrations', () => {
  it('one-migration-list: a fresh PostgreSQL and a fresh SQLite have the same tables and columns at the same version', async () => {
    const p = await pool(await createTestDatabase());
    await migratePostgres(p);
    const db = openMemoryStateDb();
    const sqlite: Record<string, string[]> = {};
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as Array<{ name: string }>;
    for (const { name } of tables)
      sqlite[name] = (
        db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY name`).all(name) as Array<{ name: string }>
      ).map((c) => c.name);
    expect(await postgresColumns(p)).toEqual(sqlite);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect((await p.query('SELECT version FROM state_schema')).rows).toEqual([{ version: SCHEMA_VERSION }]);
    db.close();
  });

  it('upgrade-keeps-rows: a team database of the earlier numbering (schema_version 3) upgrades and keeps its rows', async () => {
    const url = await createTestDatabase();
    const p = await pool(url);
    await p.query(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/team-schema-v3.sql'), 'utf8'));
    await p.query("INSERT INTO settings (key, value) VALUES ('kept', '\"yes\"')");
    await p.query("INSERT INTO secrets (account, sealed) VALUES ('a', '\\x01')");
    await migratePostgres(p);
    expect((await p.query('SELECT version FROM state_schema')).rows).toEqual([{ version: SCHEMA_VERSION }]);
    expect((await p.query("SELECT to_regclass('schema_version') AS t")).rows[0].t).toBeNull();
    const fresh = await pool(await createTestDatabase());
    await migratePostgres(fresh);
    expect(await postgresColumns(p)).toEqual(await postgresColumns(fresh));
    const state = postgresSql(url);
    closers.push(() => state.close());
    const repos = sqlRepositories(state.sql);
    expect(await repos.settings.get('kept', z.string())).toBe('yes');
    expect(await repos.secrets.get('a')).toEqual(Buffer.from([1]));
    expect(await repos.schemaVersion()).toBe(SCHEMA_VERSION);
    // Twice is the same as once (a second instance starting finds the work done).
    await migratePostgres(p);
    expect((await p.query('SELECT version FROM state_schema')).rows).toEqual([{ version: SCHEMA_VERSION }]);
  });
});
