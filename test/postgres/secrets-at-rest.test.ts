/**
 * "No secret in PostgreSQL in clear": after a sign-in, a refresh and a connection profile with a password,
 * every row of every table is read back as text and searched for each secret the bridge holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { BRIDGE_IDP_CLIENT, startEnv, type Env } from '../support/harness.js';
import { signIn, tokenRequest } from '../support/mcp-client.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv({
    sql: { auth: { type: 'sql', user: 'bridge_svc', password: 'Sv(-p4ss-in-clear?' } },
  });
}, 60_000);
afterAll(() => env?.close());

describe('team mode state at rest', () => {
  it('keeps no token, password, client secret or key in clear in any table', async () => {
    expect(env.core.config.state.url).toMatch(/^postgres:/);
    const { tokens, code } = await signIn(env);
    const refreshed = await tokenRequest(env, {
      grant_type: 'refresh_token',
      client_id: 'claude-desktop',
      refresh_token: tokens.refresh_token!,
    });
    expect(refreshed.status).toBe(200);
    const keys = JSON.parse((await env.core.secrets.get('oauth-signing-key'))!) as Array<{ d: string }>;
    const secrets = {
      'access token': tokens.access_token,
      'refresh token': tokens.refresh_token!,
      'rotated refresh token': refreshed.body.refresh_token!,
      'authorization code': code,
      'SQL password': 'Sv(-p4ss-in-clear?',
      'IdP client secret': BRIDGE_IDP_CLIENT.client_secret,
      'signing key': keys[0]!.d,
      'state sealing key': (await env.core.secrets.get('oauth-state-key'))!,
    };
    const client = new pg.Client(env.core.config.state.url);
    await client.connect();
    try {
      const tables = (
        await client.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        )
      ).rows.map((r) => r.tablename);
      expect(tables).toEqual(
        expect.arrayContaining(['secrets', 'oidc_models', 'grants', 'connection_profiles']),
      );
      let dump = '';
      for (const t of tables)
        for (const row of (await client.query<{ r: string }>(`SELECT t::text AS r FROM ${t} t`)).rows)
          dump += `${t}: ${row.r}\n`;
      // bytea columns print as hex: search them in that form too.
      for (const [what, value] of Object.entries(secrets)) {
        expect(dump.includes(value), `${what} in clear`).toBe(false);
        expect(dump.includes(Buffer.from(value).toString('hex')), `${what} in clear (bytea)`).toBe(false);
      }
      expect(dump).toContain('secrets: (oauth-signing-key');
    } finally {
      await client.end();
    }
  });
});
