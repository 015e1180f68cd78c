import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { forgeAccessToken } from '../support/forge-token.js';
import { startEnv, type Env } from '../support/harness.js';
import { UserAgent } from '../support/user-agent.js';
import {
  authorizeUrl as authorizeUrlFor,
  PKCE_PAIR,
  authorizeViaBrowser,
  CLIENT_REDIRECT,
  postInitialize,
  signIn,
  tokenRequest,
} from '../support/mcp-client.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv({ config: { oauth: { refresh_grace_seconds: 1 } } });
});
afterAll(() => env?.close());
afterEach(() => env.idp.misbehave(undefined));

const pkce = PKCE_PAIR;
const authorizeUrl = (params: Record<string, string | undefined>) =>
  authorizeUrlFor(env.core.urls().origin, params).href;

async function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { redirect: 'manual', headers });
}

/** /authorize, then the bridge's login interaction in the same browser: the response sending it to the IdP. */
async function toUpstream(url: string): Promise<Response> {
  const ua = new UserAgent();
  const res = await ua.fetch(new URL(url));
  if (res.status !== 303) return res;
  return ua.fetch(new URL(res.headers.get('location')!, url));
}

const mcpStatus = (token: string) => postInitialize(env.core.urls().mcp, token);

describe('PKCE', () => {
  it('refuses a missing code_challenge, redirecting invalid_request with iss', async () => {
    const res = await get(authorizeUrl({ code_challenge: undefined, code_challenge_method: undefined }));
    expect(res.status).toBe(303);
    const loc = new URL(res.headers.get('location')!);
    expect(loc.origin + loc.pathname).toBe(CLIENT_REDIRECT);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('state')).toBe('s1');
    expect(loc.searchParams.get('iss')).toBe(env.core.urls().issuer);
  });

  it('refuses code_challenge_method=plain', async () => {
    const loc = new URL(
      (await get(authorizeUrl({ code_challenge_method: 'plain' }))).headers.get('location')!,
    );
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('error_description')).toContain('code_challenge_method');
  });

  it('refuses a wrong code_verifier at /token', async () => {
    const flow = await authorizeViaBrowser(env);
    if (flow.result.kind !== 'redirected') throw new Error('no redirect');
    const { status, body } = await tokenRequest(env, {
      grant_type: 'authorization_code',
      client_id: 'claude-desktop',
      code: flow.result.url.searchParams.get('code')!,
      code_verifier: oidc.randomPKCECodeVerifier(),
      redirect_uri: flow.redirectUri,
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'invalid_grant',
      error_description: 'code_verifier does not match the challenge',
    });
  });
});

describe('redirect URIs and clients', () => {
  it('accepts a registered loopback redirect on any port', async () => {
    const res = await toUpstream(
      authorizeUrl({ redirect_uri: 'http://127.0.0.1:1/oauth/callback', resource: env.core.urls().mcp }),
    );
    expect(res.status).toBe(302);
    const upstream = new URL(res.headers.get('location')!);
    expect(upstream.origin).toBe(env.idp.issuer);
    // The bridge signs in with its own client, state, nonce and PKCE; the MCP client's values stay here.
    const q = Object.fromEntries(upstream.searchParams);
    expect(q).toMatchObject({
      client_id: 'mssql-mcp-bridge',
      redirect_uri: env.core.urls().idpCallback,
      code_challenge_method: 'S256',
      response_type: 'code',
    });
    expect(q.state).toMatch(/^[\w-]{32}$/);
    expect(q.nonce).toBeTruthy();
    expect(q.code_challenge).not.toBe(pkce.challenge);
    expect(q.resource).toBeUndefined();
  });

  for (const [label, uri] of [
    ['another path', 'http://127.0.0.1:5000/evil'],
    ['a non-loopback open redirect', 'https://evil.example/oauth/callback'],
    ['userinfo tricks', 'http://127.0.0.1@evil.example/oauth/callback'],
  ] as const) {
    it(`refuses ${label} without redirecting, on a page for the person (RFC 6749 §4.1.2.1)`, async () => {
      const res = await get(authorizeUrl({ redirect_uri: uri }), { accept: 'text/html' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('x-bridge-error')).toBe('invalid_redirect_uri');
      expect(await res.text()).toContain('redirect_uri did not match');
    });
  }

  it("accepts the MCP Inspector's browser (localhost:6274) and CLI (127.0.0.1:6276) callbacks, and VS Code's", async () => {
    for (const [client, uri] of [
      ['mcp-inspector', 'http://localhost:6274/oauth/callback'],
      ['mcp-inspector', 'http://127.0.0.1:6276/oauth/callback'],
      ['vscode', 'http://127.0.0.1:33418/'],
      ['vscode', 'https://vscode.dev/redirect'],
    ] as const) {
      const res = await toUpstream(authorizeUrl({ client_id: client, redirect_uri: uri }));
      expect(res.status, `${client} ${uri}`).toBe(302);
      expect(new URL(res.headers.get('location')!).origin).toBe(env.idp.issuer);
    }
  });

  it('matches the loopback host exactly (vscode registered 127.0.0.1, not localhost)', async () => {
    const res = await get(authorizeUrl({ client_id: 'vscode', redirect_uri: 'http://localhost:33418/' }));
    expect(res.status).toBe(400);
  });

  it('refuses an unknown client at /authorize (400) and at /token (401)', async () => {
    const res = await get(authorizeUrl({ client_id: 'nobody' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-bridge-error')).toBe('invalid_client');
    const token = await tokenRequest(env, {
      grant_type: 'authorization_code',
      client_id: 'nobody',
      code: 'x',
      code_verifier: pkce.verifier,
    });
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
  });

  it('never grants an unknown scope (RFC 6749 §3.3: ignored, and the token says what was granted)', async () => {
    const { tokens } = await signIn(env, { scope: 'mcp:tools admin:everything' });
    expect(tokens.scope).toBe('mcp:tools');
    const claims = jose.decodeJwt(tokens.access_token);
    expect(claims.scope).toBe('mcp:tools');
  });

  it('refuses a resource that is not this MCP server with invalid_target', async () => {
    const loc = new URL(
      (await get(authorizeUrl({ resource: 'https://other.example/mcp' }))).headers.get('location')!,
    );
    expect(loc.searchParams.get('error')).toBe('invalid_target');
  });

  it('refuses DCR with a non-loopback redirect unless a pattern allows it', async () => {
    const register = (uris: string[]) =>
      fetch(`${env.core.urls().origin}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: uris, client_name: 'x' }),
      });
    const bad = await register(['https://evil.example/callback']);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    const ok = await register(['http://127.0.0.1/callback']);
    expect(ok.status).toBe(201);
    const info = (await ok.json()) as Record<string, unknown>;
    expect(info.token_endpoint_auth_method).toBe('none');
    expect(info.client_secret).toBeUndefined();
  });
});

describe('authorization codes', () => {
  it('two exchanges of one code at the same moment: one gets tokens, the other invalid_grant', async () => {
    const flow = await authorizeViaBrowser(env);
    if (flow.result.kind !== 'redirected') throw new Error('no code');
    const fields = {
      grant_type: 'authorization_code',
      client_id: 'claude-desktop',
      code: flow.result.url.searchParams.get('code')!,
      code_verifier: flow.verifier,
      redirect_uri: flow.redirectUri,
    };
    const both = await Promise.all([tokenRequest(env, fields), tokenRequest(env, fields)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(both.find((r) => r.status === 400)!.body.error).toBe('invalid_grant');
  });

  it('a replayed code fails and revokes every token issued from it', async () => {
    const first = await signIn(env);
    const replay = await tokenRequest(env, {
      grant_type: 'authorization_code',
      client_id: 'claude-desktop',
      code: first.code,
      code_verifier: first.verifier,
      redirect_uri: first.redirectUri,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect(replay.body.error_description).toContain('already used');
    expect((await mcpStatus(first.tokens.access_token)).status).toBe(401);
    const refresh = await tokenRequest(env, {
      grant_type: 'refresh_token',
      client_id: 'claude-desktop',
      refresh_token: first.tokens.refresh_token!,
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('refuses redirect_uri and resource that differ from /authorize', async () => {
    const flow = await authorizeViaBrowser(env);
    if (flow.result.kind !== 'redirected') throw new Error('no redirect');
    const code = flow.result.url.searchParams.get('code')!;
    const base = {
      grant_type: 'authorization_code',
      client_id: 'claude-desktop',
      code,
      code_verifier: flow.verifier,
    };
    const wrongRedirect = await tokenRequest(env, { ...base, redirect_uri: 'http://127.0.0.1:53682/other' });
    expect(wrongRedirect.body).toEqual({
      error: 'invalid_grant',
      error_description: 'redirect_uri does not match the one used in the authorization request.',
    });
    const wrongResource = await tokenRequest(env, {
      ...base,
      redirect_uri: flow.redirectUri,
      resource: 'https://other.example/mcp',
    });
    expect(wrongResource.body.error).toBe('invalid_target');
  });

  it('refuses a code from another client', async () => {
    const flow = await authorizeViaBrowser(env);
    if (flow.result.kind !== 'redirected') throw new Error('no redirect');
    const r = await tokenRequest(env, {
      grant_type: 'authorization_code',
      client_id: 'mcp-inspector',
      code: flow.result.url.searchParams.get('code')!,
      code_verifier: flow.verifier,
      redirect_uri: flow.redirectUri,
    });
    expect(r.body).toEqual({
      error: 'invalid_grant',
      error_description: 'The authorization code was issued to another client.',
    });
  });
});

describe('upstream IdP callback', () => {
  it('refuses an unknown state', async () => {
    const res = await get(`${env.core.urls().origin}/idp/callback?code=abc&state=forged`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-bridge-error')).toBe('state_mismatch');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  for (const [mode, code] of [
    ['wrong_issuer', 'id_token_issuer_mismatch'],
    ['wrong_audience', 'id_token_audience_mismatch'],
    ['bad_nonce', 'id_token_nonce_mismatch'],
    ['expired', 'id_token_expired'],
  ] as const) {
    it(`refuses an ID token with ${mode.replace('_', ' ')}`, async () => {
      env.idp.misbehave(mode);
      const flow = await authorizeViaBrowser(env);
      expect(flow.result.kind).toBe('page');
      if (flow.result.kind !== 'page') return;
      expect(flow.result.status).toBe(400);
      expect(flow.result.headers.get('x-bridge-error')).toBe(code);
    });
  }

  it('maps a missing email claim to a sentence with the fix', async () => {
    const flow = await authorizeViaBrowser(env, { user: 'nomail' });
    if (flow.result.kind !== 'page') throw new Error('expected an error page');
    expect(flow.result.headers.get('x-bridge-error')).toBe('identity_mapping_failed');
    expect(flow.result.html).toContain('Add the &quot;email&quot; scope');
  });
});

describe('access tokens at /mcp', () => {
  const forge = (claims: jose.JWTPayload, expiresIn: string | number = '5m') =>
    forgeAccessToken(env, claims, expiresIn);

  it('accepts a well-formed token of ours (control for the cases below)', async () => {
    expect((await mcpStatus(await forge({ aud: env.core.urls().mcp }))).status).toBe(200);
  });

  it('refuses a token for another audience', async () => {
    const r = await mcpStatus(await forge({ aud: 'https://other.example/mcp' }));
    expect(r.status).toBe(401);
    expect(r.www).toContain('Token was not issued for this resource');
  });

  it('refuses an expired token', async () => {
    const r = await mcpStatus(await forge({ aud: env.core.urls().mcp }, '-1m'));
    expect(r.status).toBe(401);
    expect(r.www).toContain('expired');
  });

  it('refuses a tampered token', async () => {
    const [h, p, s] = (await forge({ aud: env.core.urls().mcp })).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.scope = 'mcp:tools mssql:write';
    const r = await mcpStatus(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`);
    expect(r.status).toBe(401);
    expect(r.www).toContain('invalid_token');
  });

  it('refuses a revoked access token at once, and 401s carry resource_metadata and scope', async () => {
    const { tokens, config } = await signIn(env);
    expect((await mcpStatus(tokens.access_token)).status).toBe(200);
    await oidc.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' });
    const r = await mcpStatus(tokens.access_token);
    expect(r.status).toBe(401);
    expect(r.www).toContain('revoked');
    expect(r.www).toContain(`resource_metadata="${env.core.urls().protectedResourceMetadata}"`);
    expect(r.www).toContain('scope="mcp:tools mssql:write"');
  });

  it('answers 401 with the metadata pointer when no token is sent', async () => {
    const res = await fetch(env.core.urls().mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer .*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
  });
});

describe('refresh tokens', () => {
  const refresh = (token: string) =>
    tokenRequest(env, { grant_type: 'refresh_token', client_id: 'claude-desktop', refresh_token: token });

  it('concurrent refreshes of one token within the grace window all succeed, with no false reuse alarm', async () => {
    const { tokens } = await signIn(env);
    // Five at once: every one after the first arrives while the first is still signing its access token.
    const all = await Promise.all(Array.from({ length: 5 }, () => refresh(tokens.refresh_token!)));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // One successor: every answer carries the first rotation's refresh token (the window lives in the stored
    // token, not in memory), it works, and nothing was revoked.
    expect(new Set(all.map((r) => r.body.refresh_token)).size).toBe(1);
    for (const r of all) expect((await refresh(r.body.refresh_token!)).status).toBe(200);
  });

  it('reuse of a rotated token after the grace window revokes the whole family', async () => {
    const { tokens } = await signIn(env);
    const next = await refresh(tokens.refresh_token!);
    expect(next.status).toBe(200);
    // Past the grace window by the clock, not by waiting (the bridge runs in this process).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 1_200 });
    const reuse = await refresh(tokens.refresh_token!).finally(() => vi.useRealTimers());
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect(reuse.body.error_description).toContain('whole session has been revoked');
    // The legitimate successor and its access token die with the family.
    expect((await refresh(next.body.refresh_token!)).body.error).toBe('invalid_grant');
    expect((await mcpStatus(next.body.access_token!)).status).toBe(401);
  });

  // RFC 9700 §4.14: the grace window is for an answer that got lost; once the successor was used, a replay of the
  // rotated token is reuse (a thief's copy), not a retry.
  it('refresh-grace-fork: a rotated token replayed after its successor was used is reuse, and revokes the family', async () => {
    const { tokens } = await signIn(env);
    const started = Date.now();
    const first = await refresh(tokens.refresh_token!);
    const second = await refresh(first.body.refresh_token!);
    expect(second.status).toBe(200);
    const replay = await refresh(tokens.refresh_token!);
    // Still inside the 1 s grace window: only the successor's use makes this reuse.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // No second live chain: the legitimate one dies with the family, as on any reuse.
    expect((await refresh(second.body.refresh_token!)).body.error).toBe('invalid_grant');
  });

  it('refuses widening scopes on refresh', async () => {
    const { tokens } = await signIn(env);
    const r = await tokenRequest(env, {
      grant_type: 'refresh_token',
      client_id: 'claude-desktop',
      refresh_token: tokens.refresh_token!,
      scope: 'mcp:tools mssql:write',
    });
    expect(r.body.error).toBe('invalid_scope');
  });
});

describe('HTTP hygiene', () => {
  it('refuses a foreign Host (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          {
            host: '127.0.0.1',
            port: env.core.port,
            path: '/.well-known/oauth-authorization-server',
            headers: { host: 'evil.example' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('refuses a foreign Origin and allows a configured one with CORS', async () => {
    const url = `${env.core.urls().origin}/.well-known/oauth-authorization-server`;
    const foreign = await get(url, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toBe('invalid_request');
    const inspector = await get(url, { origin: 'http://localhost:6274' });
    expect(inspector.status).toBe(200);
    expect(inspector.headers.get('access-control-allow-origin')).toBeTruthy();
  });

  it('answers oversized bodies with 413 JSON and unknown paths with JSON 404, never a stack trace', async () => {
    const big = await fetch(`${env.core.urls().origin}/interaction/x/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a='.padEnd(200_000, 'x'),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large.',
    });
    const missing = await get(`${env.core.urls().origin}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toMatch(/at .*\.ts/);
  });

  it('serves metadata where strict clients look, with issuer identical to authorization_servers[0]', async () => {
    const o = env.core.urls().origin;
    const as = (await (await get(`${o}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    const oidcConf = await (await get(`${o}/.well-known/openid-configuration`)).json();
    expect(oidcConf).toEqual(as);
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const prm = (await (await get(`${o}${path}`)).json()) as {
        resource: string;
        authorization_servers: string[];
      };
      expect(prm.resource).toBe(`${o}/mcp`);
      expect(prm.authorization_servers[0]).toBe(as.issuer);
    }
    expect(as).toMatchObject({
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      scopes_supported: ['mcp:tools', 'mssql:write'],
    });
  });
});
