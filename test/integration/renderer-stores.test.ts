/**
 * The renderer's zustand stores over the real control API: the HTTP client against a running bridge (test
 * IdP, TDS test server, keychain), exactly as the browser UI uses them; events arrive over the real stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../app/main/mcp/audit.js';
import type { TokenInfo } from '../../app/shared/control/contract.js';
import { controlHttpClient } from '../../app/shared/control/http-client.js';
import { createStores, type Stores } from '../../app/renderer/src/stores/index.js';
import { AUDIT_PAGE } from '../../app/renderer/src/stores/inspector.js';
import { SAMPLE_LOGINS } from '@mssql-mcp-bridge/tds-test-server';
import { startEnv, type Env } from '../support/harness.js';
import { mcpClient, signIn } from '../support/mcp-client.js';
import { UserAgent } from '../support/user-agent.js';

let env: Env;
let stores: Stores;
const svc = SAMPLE_LOGINS.find((l) => l.name === 'bridge_svc')!;

beforeAll(async () => {
  env = await startEnv({ sql: {} });
  stores = createStores(controlHttpClient(env.core.urls().origin, env.core.controlToken));
  await until(() => stores.status.getState().live, 'the event stream');
}, 60_000);
afterAll(async () => {
  stores?.stop();
  await env?.close();
});

async function until(ok: () => boolean, what: string, ms = 5_000) {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 20)))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

describe('status store', () => {
  it('loads the bridge status, and says so when the bridge refuses the token', async () => {
    await stores.status.getState().load();
    expect(stores.status.getState().status).toMatchObject({
      running: true,
      port: env.core.port,
      activeIdp: 'test',
    });
    const wrong = createStores(controlHttpClient(env.core.urls().origin, 'wrong-token'));
    await wrong.status.getState().load();
    expect(wrong.status.getState().error).toMatch(/does not answer: .*token/);
    wrong.stop();
  });
});

describe('idp store', () => {
  it('lists profiles with presets; a bad profile is an error message, nothing saved', async () => {
    const idp = stores.idp.getState();
    await idp.load();
    expect(stores.idp.getState().profiles.map((p) => p.id)).toEqual(['test']);
    expect(stores.idp.getState().presets.map((p) => p.id)).toEqual(
      expect.arrayContaining(['duo', 'auth0', 'okta', 'entra', 'keycloak', 'google', 'generic']),
    );
    expect(await idp.save({ id: 'Not Valid', issuer: 'not a url', client_id: 'x' })).toBeUndefined();
    // Each bad field gets its own message, for the form to show next to it; the banner says where to look.
    expect(stores.idp.getState().error).toBe('Some fields need attention: see the messages next to them.');
    expect(Object.keys(stores.idp.getState().fieldErrors ?? {})).toEqual(
      expect.arrayContaining(['id', 'issuer']),
    );
    expect(stores.idp.getState().profiles).toHaveLength(1);
  });

  it('Test sign-in: the result event lands on the test this window started', async () => {
    const url = await stores.idp.getState().startTest('test');
    expect(url).toContain(env.idp.issuer);
    expect(stores.idp.getState().latestTest('test')).toMatchObject({ url });
    await new UserAgent().browse(url!, {
      stopAt: 'about:never',
      login: { user: 'bob', password: 'bob-pass' },
    });
    await until(() => !!stores.idp.getState().latestTest('test')?.result, 'the test result');
    expect(stores.idp.getState().latestTest('test')!.result).toMatchObject({
      ok: true,
      identity: { subject: 'bob', email: 'bob@example.com', dbUser: 'bob' },
      claims: { email: 'bob@example.com', aud: 'mssql-mcp-bridge' },
    });
  });

  it('Test sign-in explains an ID token for another audience, with the setting to fix', async () => {
    env.idp.misbehave('wrong_audience');
    try {
      const url = await stores.idp.getState().startTest('test');
      await new UserAgent().browse(url!, {
        stopAt: 'about:never',
        login: { user: 'alice', password: 'alice-pass' },
      });
      await until(() => !!stores.idp.getState().latestTest('test')?.result, 'the test result');
      const result = stores.idp.getState().latestTest('test')!.result!;
      expect(result).toMatchObject({ ok: false, code: 'id_token_audience_mismatch' });
      expect(!result.ok && result.message).toContain('Check client_id in the IdP profile');
    } finally {
      env.idp.misbehave(undefined);
    }
  });

  it('the config doctor result is kept per profile', async () => {
    await stores.idp.getState().diagnose('test');
    const d = stores.idp.getState().doctor.test;
    expect(d !== 'running' && d?.checks.every((c) => c.status === 'ok')).toBe(true);
  });
});

describe('connections store', () => {
  it('saves a profile (secret to the keychain only), tests it, and tests it again on save (the old result is stale)', async () => {
    const c = stores.connections.getState();
    const base = {
      id: 'copy',
      host: '127.0.0.1',
      port: env.sql!.port,
      database: 'Sales',
      encrypt: false,
      auth: { type: 'sql' as const, user: svc.name, password: svc.password },
    };
    expect(await c.save(base)).toMatchObject({ id: 'copy', has_secret: true });
    expect(JSON.stringify(stores.connections.getState().profiles)).not.toContain(svc.password);
    expect(await stores.connections.getState().test('copy')).toMatchObject({ ok: true, login: svc.name });
    expect(stores.connections.getState().tests.copy).toMatchObject({ ok: true });
    await stores.connections
      .getState()
      .save({ ...base, auth: { type: 'sql', user: svc.name, password: 'wrong' } });
    // The stale success is gone at once: the saved profile is being tested, and its result replaces it.
    expect(stores.connections.getState().tests.copy).toBe('running');
    await expect
      .poll(() => stores.connections.getState().tests.copy)
      .toMatchObject({ ok: false, number: 18456 });
    // Editing without typing the secret again keeps the stored one.
    expect(
      await stores.connections
        .getState()
        .save({ ...base, row_limit: 50, auth: { type: 'sql', user: svc.name } }),
    ).toMatchObject({ row_limit: 50, has_secret: true });
    expect(await stores.connections.getState().test('copy')).toMatchObject({ ok: false, number: 18456 });
    await stores.connections.getState().setDefault('sales');
    expect(stores.connections.getState().defaultId).toBe('sales');
  });
});

describe('clients store', () => {
  it('refuses a non-loopback redirect with the reason, adds a loopback one, and gives its config', async () => {
    const c = stores.clients.getState();
    expect(await c.add({ client_id: 'evil', redirect_uris: ['https://evil.example/cb'] })).toBe(false);
    expect(stores.clients.getState().error).toContain('is not a loopback address');
    expect(
      await c.add({
        client_id: 'cli-tool',
        client_name: 'CLI',
        redirect_uris: ['http://127.0.0.1/oauth/callback'],
      }),
    ).toBe(true);
    expect(stores.clients.getState().clients.find((x) => x.clientId === 'cli-tool')).toMatchObject({
      source: 'preregistered',
      fromConfig: false,
    });
    const snippets = await c.snippets('cli-tool');
    expect(JSON.stringify(snippets?.mcpRemote)).toContain('{\\"client_id\\":\\"cli-tool\\"}');
    expect(JSON.stringify(snippets?.claudeDesktop)).toContain('"--client-id","cli-tool"');
    expect(snippets?.vscode).toBeUndefined();
    await c.remove('claude-desktop');
    expect(stores.clients.getState().error).toContain('config file');
    await c.remove('cli-tool');
    expect(stores.clients.getState().clients.some((x) => x.clientId === 'cli-tool')).toBe(false);
  });
});

describe('inspector store', () => {
  it('follows a real sign-in, tool call and revocation live', async () => {
    await stores.inspector.getState().load();
    const { tokens } = await signIn(env, { user: 'alice' });
    await until(() => stores.inspector.getState().tokens.some((t) => t.subject === 'alice'), 'token.issued');
    const token = stores.inspector.getState().tokens.find((t) => t.subject === 'alice')!;
    expect(token).toMatchObject({
      clientId: 'claude-desktop',
      audience: env.core.urls().mcp,
      revoked: false,
    });
    await until(() => stores.inspector.getState().grants.some((g) => g.id === token.grantId), 'the grant');

    const client = await mcpClient(env.core.urls().mcp, tokens.access_token);
    await client.callTool({ name: 'run_query', arguments: { sql: 'SELECT 1 AS one' } });
    await until(() => stores.inspector.getState().feed.some((e) => e.tool === 'run_query'), 'audit.entry');

    await stores.inspector.getState().revokeGrant(token.grantId);
    await until(
      () => stores.inspector.getState().tokens.find((t) => t.jti === token.jti)?.revoked === true,
      'grant.revoked',
    );
    expect(stores.inspector.getState().grants.find((g) => g.id === token.grantId)?.revokedReason).toBe(
      'revoked_in_app',
    );
    await client.close().catch(() => undefined);
  });

  it('keeps the newest page bounded and free of duplicates, live entries only where the filter shows them; marks revoked tokens', async () => {
    const s = stores.inspector;
    await s.getState().search({});
    const entry = (id: number, subject = 's'): AuditEntry => ({
      id,
      at: Date.now(),
      subject,
      clientId: 'c',
      tool: 'run_query',
      durationMs: 1,
      outcome: 'ok',
    });
    const total = s.getState().total;
    for (let i = 1; i <= AUDIT_PAGE + 20; i++)
      s.getState().apply({ type: 'audit.entry', data: entry(100_000 + i) });
    // A finished call arrives again under its id: its row is updated, not added.
    s.getState().apply({ type: 'audit.entry', data: { ...entry(100_000 + AUDIT_PAGE + 20), rowCount: 7 } });
    const feed = s.getState().feed;
    expect(feed).toHaveLength(AUDIT_PAGE);
    expect(feed[0]).toMatchObject({ id: 100_000 + AUDIT_PAGE + 20, rowCount: 7 });
    expect(new Set(feed.map((e) => e.id)).size).toBe(AUDIT_PAGE);
    expect(s.getState().total).toBe(total + AUDIT_PAGE + 20);
    // With a filter on, an entry it does not match does not appear.
    await s.getState().search({ person: 'nobody@example.com' });
    s.getState().apply({ type: 'audit.entry', data: entry(200_000, 'someone-else') });
    expect(s.getState().feed.map((e) => e.id)).not.toContain(200_000);
    s.getState().apply({ type: 'audit.entry', data: { ...entry(200_001), email: 'Nobody@example.com' } });
    expect(s.getState().feed[0]!.id).toBe(200_001);
    await s.getState().search({});

    const t: TokenInfo = {
      jti: 'j1',
      grantId: 'g1',
      clientId: 'c',
      subject: 's',
      scopes: [],
      audience: 'a',
      issuedAt: 0,
      expiresAt: 0,
      revoked: false,
      claims: {},
    };
    s.getState().apply({ type: 'token.issued', data: t });
    s.getState().apply({ type: 'token.revoked', data: { jti: 'j1' } });
    expect(s.getState().tokens.find((x) => x.jti === 'j1')?.revoked).toBe(true);
  });
});
