import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSpec, LoginSpec, TdsServer } from './server.js';
import { ident } from './engine.js';
import { pgSchema } from './translate.js';

const SAMPLE_SQL = path.resolve(import.meta.dirname, '../sample/sales.sql');

/** The sample Sales database (schema, a few thousand rows, users alice and bob). */
export function sampleDatabase(): DatabaseSpec {
  return { name: 'Sales', setup: fs.readFileSync(SAMPLE_SQL, 'utf8') };
}

/**
 * Logins of the sample server: `sa` (superuser) and `bridge_svc`, the least-privilege service login the
 * bridge uses, which may impersonate the database users alice and bob and read nothing by itself.
 */
export const SAMPLE_LOGINS: LoginSpec[] = [
  { name: 'sa', password: 'Sample-Sa-Passw0rd', superuser: true, defaultDatabase: 'Sales' },
  { name: 'bridge_svc', password: 'Bridge-Svc-Passw0rd', defaultDatabase: 'Sales' },
];

/**
 * A connection config (mssql's shape) for one of the sample logins on a running server: database Sales,
 * plain TCP. `options` and `pool` add to it (e.g. `{ cancelTimeout: 1000 }`, `{ max: 1 }`).
 */
export function sampleConnection(
  server: { host: string; port: number },
  login: 'sa' | 'bridge_svc' = 'sa',
  extra: { options?: Record<string, unknown>; pool?: Record<string, unknown> } = {},
) {
  const l = SAMPLE_LOGINS.find((x) => x.name === login)!;
  return {
    server: server.host,
    port: server.port,
    user: l.name,
    password: l.password,
    database: 'Sales',
    options: { encrypt: false, trustServerCertificate: true, ...extra.options },
    ...(extra.pool ? { pool: extra.pool } : {}),
  };
}

/** Lets the service login impersonate the sample users (EXECUTE AS USER). */
export async function grantImpersonation(server: TdsServer, login: string, users: string[]): Promise<void> {
  // Membership that allows SET ROLE (impersonation) without inheriting the user's privileges.
  for (const u of users)
    await server.engine.admin(`GRANT ${ident(u)} TO ${ident(login)} WITH INHERIT FALSE, SET TRUE`);
}

/** The large table for benchmarks and row-limit tests, made on demand: `rows` rows in dbo.Events. */
export async function createLargeTable(
  server: TdsServer,
  database = 'Sales',
  rows = 1_000_000,
): Promise<void> {
  const table = `${ident(pgSchema(database, 'dbo'))}."Events"`;
  await server.engine.admin(`
    CREATE TABLE ${table} ("EventID" bigint PRIMARY KEY, "Kind" text NOT NULL, "Amount" numeric(12, 2) NOT NULL, "At" timestamp NOT NULL);
    INSERT INTO ${table} SELECT g, (ARRAY['view','click','purchase','refund'])[1 + g % 4], (g % 100000) / 100.0,
      TIMESTAMP '2024-01-01' + g * INTERVAL '1 second' FROM generate_series(1, ${Number(rows)}) g;
    GRANT SELECT ON ${table} TO ${ident('alice')}, ${ident('bob')};
    ANALYZE ${table};`);
}
