/**
 * Named instances (issue 29, point 8): `sql01\SQLEXPRESS` as SQL Server tools write it, or host plus
 * `instance`, reaches the instance through SQL Server Browser (UDP 1434) with the real mssql/tedious driver —
 * it was an unresolvable host name. An instance the Browser does not list, and a host with no Browser, each get
 * a sentence with the fix. The test server answers as the Browser on a loopback address of its own.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { connectionProfileSchema } from '../../app/shared/config-schema.js';
import { testConnection } from '../../app/main/sql/test-connection.js';

const sa = SAMPLE_LOGINS.find((l) => l.name === 'sa')!;
/** A loopback address no other test uses, so this test's UDP 1434 is its own. */
const address = () =>
  `127.${crypto.randomInt(1, 250)}.${crypto.randomInt(1, 250)}.${crypto.randomInt(2, 250)}`;

let sql: TdsServer;
beforeAll(async () => {
  sql = await startTdsServer({
    logins: SAMPLE_LOGINS,
    databases: [sampleDatabase()],
    address: address(),
    instance: 'SQLEXPRESS',
  });
}, 60_000);
afterAll(async () => {
  await sql?.stop();
});

const profile = (fields: Record<string, unknown>) =>
  connectionProfileSchema.parse({
    id: 'hr',
    database: 'Sales',
    auth: { type: 'sql', user: sa.name },
    encrypt: false,
    impersonation: 'none',
    ...fields,
  });

describe('a named instance', () => {
  it('host\\INSTANCE, as SQL Server tools write it: split, its port asked of SQL Server Browser, connected', async () => {
    const p = profile({ host: `${sql.host}\\SQLEXPRESS` });
    expect(p.host).toBe(sql.host);
    expect(p.instance).toBe('SQLEXPRESS');
    // The profile's port (default 1433) is not where the instance listens: the Browser's answer is used.
    expect(p.port).not.toBe(sql.port);
    const result = await testConnection(p, sa.password);
    expect(result).toMatchObject({ ok: true, login: 'sa', database: 'Sales' });
  });

  it('host and instance as two fields: the same; both at once is refused as ambiguous', async () => {
    expect(
      await testConnection(profile({ host: sql.host, instance: 'sqlexpress' }), sa.password),
    ).toMatchObject({
      ok: true,
    });
    const both = connectionProfileSchema.safeParse({
      id: 'hr',
      host: `${sql.host}\\A`,
      instance: 'B',
      auth: { type: 'entra-default' },
    });
    expect(both.success).toBe(false);
    expect(both.error!.issues[0]!.message).toContain('the instance is named twice');
  });

  it('an instance the Browser does not list: says so, and the fix', async () => {
    const result = await testConnection(profile({ host: `${sql.host}\\NOPE` }), sa.password);
    expect(result).toMatchObject({
      ok: false,
      code: 'instance_lookup',
      message: `SQL Server Browser on ${sql.host} answered, but lists no instance "NOPE".`,
    });
    expect((result as { fix: string }).fix).toContain('give its TCP port instead of its name');
  });

  it('a host with no SQL Server Browser: the login timeout names the Browser, and the fix', async () => {
    const result = await testConnection(profile({ host: `${address()}\\SQLEXPRESS` }), sa.password);
    expect(result).toMatchObject({ ok: false, code: 'connect_timeout' });
    expect((result as { message: string }).message).toMatch(
      /^No answer from 127\.\d+\.\d+\.\d+\\SQLEXPRESS while connecting \(login timeout\): SQL Server Browser on 127\.\d+\.\d+\.\d+ \(UDP 1434\) did not say the instance's port/,
    );
    expect((result as { fix: string }).fix).toContain('Start the SQL Server Browser service');
  }, 60_000);
});
