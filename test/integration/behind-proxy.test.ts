/**
 * The bridge as a service behind a TLS-terminating reverse proxy (Debian's nginx), reached at its public URL
 * by a remote client that behaves as Claude.ai's custom connectors do: dynamic registration with Claude's
 * https redirect (allowed by explicit configuration only), PKCE, consent shown every time, tokens bound to the
 * public URL, refresh, and MCP calls, all through the proxy. X-Forwarded-* headers count only from the proxy.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, startEnv, type Env } from '../support/harness.js';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy.js';
import { UserAgent } from '../support/user-agent.js';

const CLAUDE_CALLBACK = 'https://claude.ai/api/mcp/auth_callback';
/** The proxy's upstream connections leave from this address; the test's own requests from 127.0.0.1. */
const PROXY_ADDRESS = '127.0.0.3';

let env: Env;
let proxy: TlsProxy;
let publicUrl: string;

beforeAll(async () => {
  const proxyPort = await freePort();
  publicUrl = `https://bridge.test:${proxyPort}`;
  env = await startEnv({
    sql: {},
    config: {
      server: { public_url: publicUrl, trusted_proxies: [PROXY_ADDRESS] },
      oauth: { dcr: { allowed_redirect_patterns: [CLAUDE_CALLBACK] } },
    },
  });
  proxy = await startTlsProxy({
    hostname: 'bridge.test',
    port: proxyPort,
    upstreams: [env.core.port],
    bindAddress: PROXY_ADDRESS,
  });
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await env?.close();
});

const pkce = () => {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};

async function register(redirect: string) {
  const res = await proxy.fetch(`${publicUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Claude',
      redirect_uris: [redirect],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

function authorizeUrl(clientId: string, challenge: string, state: string): string {
  const u = new URL(`${publicUrl}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CLAUDE_CALLBACK,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'mcp:tools',
    resource: `${publicUrl}/mcp`,
    state,
  }))
    u.searchParams.set(k, v);
  return u.href;
}

async function token(fields: Record<string, string>) {
  const res = await proxy.fetch(`${publicUrl}/token`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('behind a TLS reverse proxy', () => {
  it('publishes the public URL as issuer, resource and endpoints, through the proxy', async () => {
    const prm = (await (
      await proxy.fetch(`${publicUrl}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as { resource: string; authorization_servers: string[] };
    expect(prm).toMatchObject({ resource: `${publicUrl}/mcp`, authorization_servers: [`${publicUrl}/`] });
    const as = (await (
      await proxy.fetch(`${publicUrl}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, string>;
    expect(as.issuer).toBe(`${publicUrl}/`);
    expect(as.token_endpoint).toBe(`${publicUrl}/token`);
    expect(env.core.urls()).toMatchObject({
      mcp: `${publicUrl}/mcp`,
      idpCallback: `${publicUrl}/idp/callback`,
    });
  });

  it('believes X-Forwarded-* only from the proxy', async () => {
    // A local process that is not the proxy claims the public host: it is answered as the loopback origin.
    const direct = await fetch(`http://127.0.0.1:${env.core.port}/.well-known/oauth-authorization-server`, {
      headers: { 'x-forwarded-host': new URL(publicUrl).host, 'x-forwarded-proto': 'https' },
    });
    expect(((await direct.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${env.core.port}/`);
    // Through the proxy the sign-in cookies are Secure (the proxy said https).
    const { challenge } = pkce();
    const { body: client } = await register(CLAUDE_CALLBACK);
    const res = await proxy.fetch(authorizeUrl(client.client_id!, challenge, 's0'), { redirect: 'manual' });
    expect(res.status).toBe(303);
    const cookies = res.headers.getSetCookie().filter((c) => c.startsWith('mcpb_'));
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) expect(c.toLowerCase()).toContain('; secure');
  });

  it('registers a remote redirect only when configured, and refuses any other', async () => {
    const refused = await register('https://evil.example/api/mcp/auth_callback');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_redirect_uri');
    expect(refused.body.error_description).toContain('oauth.dcr.allowed_redirect_patterns');
  });

  it('signs in a Claude.ai-like client through the proxy: consent every time, refresh, MCP calls', async () => {
    const { status, body: client } = await register(CLAUDE_CALLBACK);
    expect(status).toBe(201);
    const ua = new UserAgent(proxy.fetch);
    const login = { user: 'alice', password: 'alice-pass' };

    const first = pkce();
    const shown = await ua.browse(authorizeUrl(client.client_id!, first.challenge, 's1'), {
      stopAt: CLAUDE_CALLBACK,
      login,
    });
    expect(shown.kind).toBe('page');
    if (shown.kind !== 'page') return;
    expect(shown.url.origin).toBe(publicUrl);
    expect(shown.html).toContain('Allow access to SQL Server?');
    expect(shown.html).toContain(CLAUDE_CALLBACK);

    const allowed = await ua.browse(authorizeUrl(client.client_id!, first.challenge, 's2'), {
      stopAt: CLAUDE_CALLBACK,
      login,
      consent: 'allow',
    });
    expect(allowed.kind).toBe('redirected');
    if (allowed.kind !== 'redirected') return;
    expect(allowed.url.searchParams.get('state')).toBe('s2');
    expect(allowed.url.searchParams.get('iss')).toBe(`${publicUrl}/`);
    const tokens = await token({
      grant_type: 'authorization_code',
      client_id: client.client_id!,
      code: allowed.url.searchParams.get('code')!,
      code_verifier: first.verifier,
      redirect_uri: CLAUDE_CALLBACK,
      resource: `${publicUrl}/mcp`,
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const claims = JSON.parse(
      Buffer.from(tokens.body.access_token!.split('.')[1]!, 'base64url').toString(),
    ) as {
      aud: string;
      iss: string;
    };
    expect(claims).toMatchObject({ aud: `${publicUrl}/mcp`, iss: `${publicUrl}/` });

    // Consent was given once; a code leaving this machine is still confirmed on the page every time.
    const again = await ua.browse(authorizeUrl(client.client_id!, pkce().challenge, 's3'), {
      stopAt: CLAUDE_CALLBACK,
      login,
    });
    expect(
      again.kind === 'page' && again.html.includes('Allow access to SQL Server?'),
      JSON.stringify(again).slice(0, 600),
    ).toBe(true);

    const refreshed = await token({
      grant_type: 'refresh_token',
      client_id: client.client_id!,
      refresh_token: tokens.body.refresh_token!,
      resource: `${publicUrl}/mcp`,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);

    const mcp = new Client({ name: 'claude-ai-like', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
        fetch: proxy.fetch,
        requestInit: { headers: { authorization: `Bearer ${refreshed.body.access_token}` } },
      }),
    );
    const who = await mcp.callTool({ name: 'whoami', arguments: {} });
    expect(who.structuredContent).toMatchObject({ subject: 'alice', client: client.client_id });
    const rows = await mcp.callTool({
      name: 'run_query',
      arguments: { sql: 'SELECT COUNT(*) AS n FROM Customers' },
    });
    expect(rows.structuredContent).toMatchObject({ rows: [[1000]] });
    await mcp.close();

    // The loopback origin's token is not accepted for the public resource, nor the other way round.
    const loopbackMcp = await fetch(`http://127.0.0.1:${env.core.port}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${refreshed.body.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(loopbackMcp.status).toBe(401);
  }, 60_000);
});
