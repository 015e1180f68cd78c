/**
 * Team mode when its PostgreSQL goes away (issue 28, point 5): every answer names the server and the fix
 * instead of "connect ECONNREFUSED …" or oidc-provider's 500 "oops! something went wrong" — a tool call (even
 * whoami) is refused with the sentence, /token and /register answer 503 temporarily_unavailable
 * with it, the sign-in page is a 503 page with it, /readyz is 503 with it — and everything works again once
 * PostgreSQL is back, without a restart. A cluster of its own (the shared one cannot be stopped), the real
 * `serve` process.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretAccounts } from '../../app/main/secrets/secret-store.js';
import { signAccessToken } from '../support/forge-token.js';
import { TEST_STATE_KEY } from '../support/harness.js';
import { MemorySecretStore } from '../support/memory-secret-store.js';
import { authorizeUrl, mcpClient } from '../support/mcp-client.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { exited, startServe, waitFor } from '../support/processes.js';

let cluster: TestPostgres;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-pgdown-'));
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Out = { isError?: boolean; content: Array<{ text?: string }> };

describe('the state store (PostgreSQL) goes away while the bridge runs', () => {
  it('every answer names the server and the fix, 503 where a client retries; all recovers when it is back', async () => {
    const admin = new pg.Client(cluster.adminUrl);
    await admin.connect();
    await admin.query('CREATE DATABASE bridge_state');
    await admin.end();
    const stateUrl = new URL(cluster.adminUrl);
    stateUrl.pathname = '/bridge_state';
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(privateKey)), alg: 'ES256' };
    jwk.kid = await jose.calculateJwkThumbprint(jwk);
    const keys = new MemorySecretStore();
    await keys.set(SecretAccounts.signingKey, JSON.stringify([jwk]));
    const configFile = path.join(dir, 'team.json');
    fs.writeFileSync(configFile, JSON.stringify({}));
    const env = {
      ...process.env,
      MSSQL_MCP_STATE_URL: stateUrl.href,
      MSSQL_MCP_STATE_KEY: TEST_STATE_KEY,
      MSSQL_MCP_SIGNING_KEYS: JSON.stringify([jwk]),
    };
    const { child, origin } = await startServe(path.join(dir, 'data'), configFile, 0, env);
    try {
      const token = await signAccessToken(keys, origin, { gid: crypto.randomUUID() }, '5m', 'bob');
      const client = await mcpClient(`${origin}/mcp`, token);
      const whoami = () => client.callTool({ name: 'whoami', arguments: {} }) as Promise<Out>;
      expect((await whoami()).isError).toBeFalsy();

      cluster.halt();
      const where = `PostgreSQL at ${stateUrl.host}/bridge_state`;
      const sentence = new RegExp(
        `The state database \\(${where.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) cannot be reached \\(.+\\)\\. Bring PostgreSQL back`,
      );

      // A tool call: refused (it reads the state before it runs), the sentence instead of "connect ECONNREFUSED".
      const refused = await whoami();
      expect(refused.isError).toBe(true);
      expect(refused.content[0]!.text).toMatch(sentence);
      expect(refused.content[0]!.text).not.toContain('connect ECONNREFUSED');

      // A refresh at /token: 503 temporarily_unavailable with the sentence (was 500 "oops!").
      const refresh = await fetch(`${origin}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: crypto.randomBytes(32).toString('base64url'),
          client_id: 'claude-desktop',
        }),
      });
      expect(refresh.status).toBe(503);
      expect(refresh.headers.get('retry-after')).toBe('30');
      const refreshBody = (await refresh.json()) as Record<string, string>;
      expect(refreshBody.error).toBe('temporarily_unavailable');
      expect(refreshBody.error_description).toMatch(sentence);

      // A registration (DCR): the same.
      const register = await fetch(`${origin}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'x', redirect_uris: ['http://127.0.0.1:1234/cb'] }),
      });
      expect(register.status).toBe(503);
      expect(((await register.json()) as Record<string, string>).error_description).toMatch(sentence);

      // A sign-in in the browser: a 503 page that says it, not oidc-provider's "oops!".
      const signIn = await fetch(authorizeUrl(origin, { scope: 'mcp:tools' }), {
        headers: { accept: 'text/html' },
        redirect: 'manual',
      });
      expect(signIn.status).toBe(503);
      const page = await signIn.text();
      expect(page).toContain('Bring PostgreSQL back');
      expect(page).not.toContain('oops');

      // /readyz: 503 with the same sentence.
      const ready = await fetch(`${origin}/readyz`);
      expect(ready.status).toBe(503);
      const checks = ((await ready.json()) as { checks: Record<string, string> }).checks;
      expect(checks.database).toMatch(sentence);

      // Back: the same process serves again, and the call is audited.
      cluster.resume();
      await waitFor(async () => (await whoami()).isError !== true, 'whoami to work again');
      const db = new pg.Client(stateUrl.href);
      await db.connect();
      const audited = await db.query("SELECT outcome FROM audit WHERE tool = 'whoami' ORDER BY id");
      await db.end();
      // Two that ran (before and after); the refused ones never reached the audit, because they never ran.
      expect(audited.rows.map((r: { outcome: string }) => r.outcome).filter((o) => o === 'ok').length).toBe(
        2,
      );
      expect((await fetch(`${origin}/readyz`)).status).not.toBe(500);
      await client.close();
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(child.output()).not.toMatch(/^\s+at /m);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
