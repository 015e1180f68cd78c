/**
 * Team mode end to end: three `serve` processes on one PostgreSQL behind Debian's nginx terminating TLS.
 * A person signs in through the proxy (the sign-in's steps land on different instances), the code is redeemed
 * on one instance, refreshed on another and used on the third; a revocation on one instance is refused on
 * the others within 1 s; one instance killed with SIGKILL, the client's next requests succeed through the
 * others; a refresh token presented to two instances at once rotates without a false reuse alarm.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startTestIdp, type TestIdp } from '@mssql-mcp-bridge/demo-idp';
import {
  sampleDatabase,
  SAMPLE_LOGINS,
  startTdsServer,
  type TdsServer,
} from '@mssql-mcp-bridge/tds-test-server';
import { BRIDGE_IDP_CLIENT, TEST_STATE_KEY, tdsProfile } from '../support/harness.js';
import { authorizeUrl, CLIENT_REDIRECT, PKCE_PAIR, postInitialize } from '../support/mcp-client.js';
import { freePort } from '../support/ports.js';
import { exited, spawnCli, startServe } from '../support/processes.js';
import { createTestDatabase } from '../support/test-database.js';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy.js';
import { UserAgent } from '../support/user-agent.js';
import { TestSdkOAuthProvider } from '../support/sdk-oauth-provider.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as SdkTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, auth as sdkAuth } from '@modelcontextprotocol/sdk/client/auth.js';

const PROXY_ADDRESS = '127.0.0.3';

let idp: TestIdp;
let sql: TdsServer;
let proxy: TlsProxy;
let publicUrl: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-team-'));
const instances: Array<{ port: number; child: ReturnType<typeof spawnCli> }> = [];
const configFile = path.join(dir, 'team.json');
const env = { ...process.env, MSSQL_MCP_STATE_KEY: TEST_STATE_KEY };
const agents: Agent[] = [];

beforeAll(async () => {
  const proxyPort = await freePort();
  publicUrl = `https://bridge.test:${proxyPort}`;
  idp = await startTestIdp({
    clients: [{ ...BRIDGE_IDP_CLIENT, redirect_uris: [`${publicUrl}/idp/callback`] }],
  });
  sql = await startTdsServer({ logins: SAMPLE_LOGINS, databases: [sampleDatabase()] });
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      server: { public_url: publicUrl, trusted_proxies: [PROXY_ADDRESS] },
      state: { url: await createTestDatabase() },
      idp: {
        active: 'corp',
        profiles: [
          {
            id: 'corp',
            issuer: idp.issuer,
            ...BRIDGE_IDP_CLIENT,
            preset: 'generic',
            scopes: ['openid', 'profile', 'email', 'groups'],
          },
        ],
      },
      sql: { profiles: [tdsProfile(sql)] },
    }),
  );
  const ports = [await freePort(), await freePort(), await freePort()];
  // Started together: the migrations and the first secrets are settled between them in the database.
  const started = await Promise.all(
    ports.map((port, i) => {
      const data = path.join(dir, `instance-${i}`);
      fs.mkdirSync(data);
      return startServe(data, configFile, port, env);
    }),
  );
  started.forEach((s, i) => instances.push({ port: ports[i]!, child: s.child }));
  proxy = await startTlsProxy({
    hostname: 'bridge.test',
    port: proxyPort,
    upstreams: ports,
    bindAddress: PROXY_ADDRESS,
  });
}, 90_000);

afterAll(async () => {
  await proxy?.stop();
  for (const i of instances)
    if (i.child.exitCode === null && i.child.signalCode === null) {
      i.child.kill('SIGTERM');
      await exited(i.child);
    }
  for (const a of agents) await a.close();
  await idp?.stop();
  await sql?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fetch that reaches one instance directly, as the proxy forwards a request (from its address, https). */
function atInstance(n: number): typeof fetch {
  const port = instances[n]!.port;
  const agent = new Agent({
    connect: (_opts, cb) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: PROXY_ADDRESS });
      socket.once('connect', () => cb(null, socket));
      socket.once('error', (err) => cb(err, null));
    },
  });
  agents.push(agent);
  return ((url: string | URL, init?: RequestInit) => {
    // Plain HTTP to the instance; the Host header stays the public one, and the proxy's X-Forwarded-Proto.
    const u = new URL(url);
    u.protocol = 'http:';
    const headers = new Headers(init?.headers);
    headers.set('x-forwarded-proto', 'https');
    return undiciFetch(u, { ...(init as object), headers: Object.fromEntries(headers), dispatcher: agent });
  }) as unknown as typeof fetch;
}

/** The public host to instance `n`, every other host (the IdP) as usual: a browser pinned to one instance. */
const routeTo =
  (n: number): typeof fetch =>
  (url, init) =>
    new URL(url instanceof Request ? url.url : url).hostname === 'bridge.test'
      ? atInstance(n)(url, init)
      : fetch(url, init);

async function token(via: typeof fetch, fields: Record<string, string>) {
  const res = await via(`${publicUrl}/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'claude-desktop', resource: `${publicUrl}/mcp`, ...fields }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** Signs alice in through the proxy; the code redeemed on instance `redeemAt`. */
async function signIn(redeemAt: number) {
  const ua = new UserAgent(proxy.fetch);
  const url = authorizeUrl(publicUrl, { resource: `${publicUrl}/mcp`, state: crypto.randomUUID() });
  const r = await ua.browse(url.href, {
    stopAt: CLIENT_REDIRECT,
    login: { user: 'alice', password: 'alice-pass' },
  });
  expect(r.kind, r.kind === 'page' ? r.html.slice(0, 400) : '').toBe('redirected');
  if (r.kind !== 'redirected') throw new Error('no code');
  const t = await token(atInstance(redeemAt), {
    grant_type: 'authorization_code',
    code: r.url.searchParams.get('code')!,
    code_verifier: PKCE_PAIR.verifier,
    redirect_uri: CLIENT_REDIRECT,
  });
  expect(t.status, JSON.stringify(t.body)).toBe(200);
  return t.body;
}

async function mcpStatus(via: typeof fetch, accessToken: string): Promise<number> {
  return (await postInitialize(`${publicUrl}/mcp`, accessToken, via)).status;
}

async function mcpClient(via: typeof fetch, accessToken: string): Promise<Client> {
  const client = new Client(
    { name: 'team-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
      fetch: via,
      requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
    }),
  );
  return client;
}

describe('three instances on one PostgreSQL behind nginx', () => {
  it('signs in through the proxy, redeems on one instance, refreshes on another, calls tools on the third', async () => {
    const first = await signIn(0);
    // A code is redeemed once, whichever instance is asked again.
    const refreshed = await token(atInstance(1), {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token!,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const client = await mcpClient(atInstance(2), refreshed.body.access_token!);
    const r = await client.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
    });
    expect(r.structuredContent).toMatchObject({ rows: [[1000]] });
    await client.close();
  });

  it('the MCP SDK client signs in through one instance with its own OAuth provider, refreshes through another, calls tools on the third', async () => {
    const provider = new TestSdkOAuthProvider({
      redirectUrl: 'http://127.0.0.1:53990/callback',
      user: 'alice',
      // The person's browser goes through the proxy (https, any instance); the SDK's own requests go to instance 0.
      fetch: proxy.fetch,
    });
    const serverUrl = new URL(`${publicUrl}/mcp`);
    // connect → 401 → discovery and registration (DCR) on instance 0, the browser's sign-in, the code.
    const first = new SdkClient({ name: 'sdk', version: '1' });
    const failed = await first
      .connect(new SdkTransport(serverUrl, { authProvider: provider, fetch: routeTo(0) }))
      .catch((err: Error) => err);
    expect(failed, String(failed)).toBeInstanceOf(UnauthorizedError);
    expect(
      await sdkAuth(provider, { serverUrl, authorizationCode: provider.lastCode!, fetchFn: routeTo(0) }),
    ).toBe('AUTHORIZED');
    const signedIn = provider.tokens()!;
    // The SDK refreshes through instance 1 (its access token dropped, its refresh token kept).
    provider.saveTokens({ ...signedIn, access_token: 'expired' });
    expect(await sdkAuth(provider, { serverUrl, fetchFn: routeTo(1) })).toBe('AUTHORIZED');
    expect(provider.tokens()!.refresh_token).not.toBe(signedIn.refresh_token);
    const client = new SdkClient({ name: 'sdk', version: '1' });
    await client.connect(new SdkTransport(serverUrl, { authProvider: provider, fetch: routeTo(2) }));
    const r = await client.callTool({ name: 'whoami', arguments: {} });
    expect(r.structuredContent).toMatchObject({ subject: 'alice' });
    await client.close();
  });

  it('refuses a code redeemed on one instance when it is presented to another', async () => {
    const ua = new UserAgent(proxy.fetch);
    const r = await ua.browse(authorizeUrl(publicUrl, { resource: `${publicUrl}/mcp` }).href, {
      stopAt: CLIENT_REDIRECT,
      login: { user: 'alice', password: 'alice-pass' },
    });
    if (r.kind !== 'redirected') throw new Error('no code');
    const fields = {
      grant_type: 'authorization_code',
      code: r.url.searchParams.get('code')!,
      code_verifier: PKCE_PAIR.verifier,
      redirect_uri: CLIENT_REDIRECT,
    };
    const [a, b] = await Promise.all([token(atInstance(0), fields), token(atInstance(1), fields)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    expect((a.status === 400 ? a : b).body.error).toBe('invalid_grant');
  });

  it('a revocation on one instance is refused on every other within 1 s', async () => {
    const t = await signIn(0);
    for (const n of [0, 1, 2]) expect(await mcpStatus(atInstance(n), t.access_token!)).toBe(200);
    const revoke = await atInstance(2)(`${publicUrl}/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'claude-desktop', token: t.refresh_token! }),
    });
    expect(revoke.status).toBe(200);
    const revokedAt = performance.now();
    const refusedEverywhere = async () =>
      (await Promise.all([0, 1].map((n) => mcpStatus(atInstance(n), t.access_token!)))).every(
        (s) => s === 401,
      );
    while (!(await refusedEverywhere())) {
      expect(performance.now() - revokedAt, 'refused on every instance within 1 s').toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  it('rotates a refresh token presented to two instances at once to one successor, with no false reuse alarm', async () => {
    const t = await signIn(1);
    const both = await Promise.all(
      [0, 2].map((n) =>
        token(atInstance(n), { grant_type: 'refresh_token', refresh_token: t.refresh_token! }),
      ),
    );
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    // One successor: both answers carry the same refresh token, and it rotates.
    expect(both[0]!.body.refresh_token).toBe(both[1]!.body.refresh_token);
    const next = await token(atInstance(1), {
      grant_type: 'refresh_token',
      refresh_token: both[0]!.body.refresh_token!,
    });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    for (const r of both)
      expect(await mcpStatus(atInstance(1), r.body.access_token!), 'nothing was revoked').toBe(200);
  });

  it('rotates the signing key while running: both keys accepted everywhere during the overlap', async () => {
    const before = await signIn(0);
    const rotate = spawnCli(
      ['rotate-signing-key', '--config', configFile, '--data-dir', path.join(dir, 'instance-1')],
      env,
    );
    expect(await exited(rotate), rotate.output()).toBe(0);
    expect(rotate.output()).toMatch(/New signing key \S+; \S+ stays published/);
    // Instance 1 restarts (a rolling restart's first step) and signs with the new key.
    const one = instances[1]!;
    one.child.kill('SIGTERM');
    await exited(one.child);
    one.child = (await startServe(path.join(dir, 'instance-1'), configFile, one.port, env)).child;
    const after = await signIn(1);
    const kid = (t: string) => jose.decodeProtectedHeader(t).kid;
    expect(kid(after.access_token!)).not.toBe(kid(before.access_token!));
    // Instance 2 has not restarted: it learns the new key from the store the first time a token names it.
    expect(await mcpStatus(atInstance(2), after.access_token!)).toBe(200);
    // A token signed before the rotation stays valid on the restarted instance.
    expect(await mcpStatus(atInstance(1), before.access_token!)).toBe(200);
    const jwks = (await (await atInstance(1)(`${publicUrl}/jwks`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([kid(after.access_token!), kid(before.access_token!)]);
  });

  it('keeps serving through the proxy when an instance is killed with SIGKILL mid-flow', async () => {
    const t = await signIn(2);
    const client = await mcpClient(proxy.fetch, t.access_token!);
    const inFlight = client
      .callTool({ name: 'run_query', arguments: { sql: 'SELECT COUNT(*) AS n FROM Orders' } })
      .catch(() => undefined);
    instances[0]!.child.kill('SIGKILL');
    await exited(instances[0]!.child);
    await inFlight;
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({
        name: 'run_query',
        arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
      });
      expect(r.structuredContent).toMatchObject({ rows: [[1000]] });
    }
    const refreshed = await token(proxy.fetch, {
      grant_type: 'refresh_token',
      refresh_token: t.refresh_token!,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    await client.close();
  });
});
