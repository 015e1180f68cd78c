import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The postgres project's cluster (test/support/postgres-global.ts), as its superuser. */
    postgresAdminUrl: string;
  }
}

/** A fresh, empty database on the run's PostgreSQL cluster; its URL. */
export async function createTestDatabase(): Promise<string> {
  const admin = inject('postgresAdminUrl');
  if (!admin) throw new Error('No PostgreSQL cluster: run this suite in the "postgres" vitest project.');
  const name = `bridge_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client(admin);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.href;
}
