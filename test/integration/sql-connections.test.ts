import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../app/main/mcp/audit.js';
import { startEnv, type Env } from '../support/harness.js';
import { regularFiles } from '../support/files.js';
import { mcpClient, signIn } from '../support/mcp-client.js';
import { grantImpersonation, sampleDatabase, SAMPLE_LOGINS } from '@mssql-mcp-bridge/tds-test-server';
import { startTdsServer, type TdsServer } from '@mssql-mcp-bridge/tds-test-server';
import { selfSignedCert } from '@mssql-mcp-bridge/tds-test-server';

let env: Env;
let tlsServer: TdsServer;
const SVC = { type: 'sql' as const, user: 'bridge_svc', password: 'Bridge-Svc-Passw0rd' };

beforeAll(async () => {
  env = await startEnv({ sql: { query_timeout_seconds: 5 } });
  tlsServer = await startTdsServer({
    tls: selfSignedCert(),
    logins: SAMPLE_LOGINS,
    databases: [{ name: 'Sales' }],
  });
}, 60_000);
afterAll(async () => {
  await tlsServer?.stop();
  await env?.close();
});

const profile = (id: string, fields: Record<string, unknown>) =>
  env.core.connections.save({
    id,
    host: '127.0.0.1',
    port: env.sql!.port,
    database: 'Sales',
    auth: SVC,
    encrypt: false,
    ...fields,
  });

describe('test connection', () => {
  it('reports server version, login, database and latency', async () => {
    const r = await env.core.connectionTests.test('sales');
    expect(r).toMatchObject({ ok: true, login: 'bridge_svc', database: 'Sales' });
    if (r.ok) {
      expect(r.serverVersion).toContain('Microsoft SQL Server');
      expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('explains each failure precisely, with the fix', async () => {
    await profile('wrong-password', { auth: { ...SVC, password: 'nope' } });
    await profile('no-database', { database: 'NoSuchDb' });
    await profile('refused', { port: 1 });
    await profile('dns', { host: 'no-such-host.invalid' });
    await profile('tls-untrusted', { port: tlsServer.port, encrypt: true, trust_server_certificate: false });
    const results = Object.fromEntries(
      await Promise.all(
        ['wrong-password', 'no-database', 'refused', 'dns', 'tls-untrusted'].map(async (id) => [
          id,
          await env.core.connectionTests.test(id),
        ]),
      ),
    );
    expect(results['wrong-password']).toMatchObject({ ok: false, code: 'login_failed', number: 18456 });
    expect(results['no-database']).toMatchObject({ ok: false, code: 'database_unavailable', number: 4060 });
    expect(results['no-database'].message).toContain('"NoSuchDb"');
    expect(results.refused).toMatchObject({ ok: false, code: 'refused' });
    expect(results.dns).toMatchObject({ ok: false, code: 'dns' });
    expect(results['tls-untrusted']).toMatchObject({ ok: false, code: 'tls' });
    for (const r of Object.values(results)) expect((r as { fix?: string }).fix).toBeTruthy();
    // Trusting the certificate explicitly makes the same server work over TLS.
    await profile('tls-trusted', { port: tlsServer.port, encrypt: true, trust_server_certificate: true });
    expect(await env.core.connectionTests.test('tls-trusted')).toMatchObject({ ok: true });
  });

  it('keeps SQL passwords only in the keychain', async () => {
    expect((await env.core.connections.get('wrong-password'))!.auth).toEqual({
      type: 'sql',
      user: 'bridge_svc',
    });
    expect(await env.core.connections.secret('wrong-password')).toBe('nope');
    for (const f of regularFiles(env.dataDir)) {
      const bytes = fs.readFileSync(f);
      expect(bytes.includes('Bridge-Svc-Passw0rd'), f).toBe(false);
    }
  });
});

describe('outages', () => {
  it('a call during an outage fails clearly within the timeout, and the next call after recovery works', async () => {
    const { tokens } = await signIn(env, { user: 'alice' });
    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    const sql = 'SELECT COUNT(*) AS n FROM Regions';
    const ok = (await client.callTool({ name: 'run_query', arguments: { connection: 'sales', sql } })) as {
      structuredContent?: { rows: unknown[][] };
    };
    expect(ok.structuredContent!.rows).toEqual([[5]]);

    const port = env.sql!.port;
    await env.sql!.stop();
    const started = Date.now();
    const down = (await client.callTool({ name: 'run_query', arguments: { connection: 'sales', sql } })) as {
      isError?: boolean;
      content: Array<{ text: string }>;
    };
    expect(down.isError).toBe(true);
    expect(down.content[0]!.text).toMatch(/Nothing accepted the connection|could not|connection/i);
    expect(Date.now() - started).toBeLessThan(6_000);

    // The same server comes back on the same port (a restarted SQL Server).
    env.sql = await startTdsServer({ port, logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
    await grantImpersonation(env.sql, 'bridge_svc', ['alice', 'bob']);
    const again = (await client.callTool({ name: 'run_query', arguments: { connection: 'sales', sql } })) as {
      structuredContent?: { rows: unknown[][] };
      content: Array<{ text: string }>;
    };
    expect(again.structuredContent?.rows, again.content[0]?.text).toEqual([[5]]);
    await client.close();
  });
});

describe('audit retention and CORS', () => {
  it('keeps at most max_rows audit entries', async () => {
    const log = new AuditLog(env.core.state.audit, { max_rows: 100, max_age_days: 90 });
    for (let i = 0; i < 150; i++)
      await log.record({ subject: 's', clientId: 'c', tool: 'whoami', durationMs: 1, outcome: 'ok' });
    await log.prune();
    expect((await log.query({ limit: 1000 })).length).toBe(100);
  });

  it('exposes Mcp-Session-Id and WWW-Authenticate to configured browser origins', async () => {
    const res = await fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: { origin: 'http://localhost:6274', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(res.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    expect(res.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });
});
